"""The sheets and columns of a quarterly return, as the contract defines them.

One definition serves the importer (what to read and check), the template
(which columns, which dropdown lists) and the export (which columns, in which
order).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import reference as ref

ALWAYS = "always"  # the cell must hold a value
NEW = "new"  # required when the row creates a new facility/finding/priority


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text | id | number | count | percent | latitude | longitude | date | enum | yesno
    required: str | None = None
    choices: tuple[str, ...] = ()
    help: str = ""


@dataclass(frozen=True)
class SheetSpec:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # what identifies a row; duplicates are errors
    help: str = ""
    aliases: dict[str, str] = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


RETURN_FIELDS = ("country", "quarter", "prepared_by", "submitted_on", "notes")

INDICATORS = SheetSpec(
    "Indicators",
    (
        Column("indicator", "enum", ALWAYS, ref.INDICATOR_CODES, "a code from the catalogue"),
        Column("value", "count", ALWAYS, help="non-negative whole number"),
        Column("approximate", "yesno", help="yes if the figure is approximate"),
        Column("note", "text"),
    ),
    key=("indicator",),
    help="Stock figures as at the end of the quarter.",
)

FACILITIES = SheetSpec(
    "Facilities",
    (
        Column("facility_id", "id", ALWAYS),
        Column("name", "text", NEW),
        Column("type", "enum", choices=ref.FACILITY_TYPES),
        Column("city", "text"),
        Column("latitude", "latitude", help="city level, decimal degrees"),
        Column("longitude", "longitude", help="city level, decimal degrees"),
        Column("pilot", "yesno", help="a pilot prison of the programme"),
        Column("notes", "text"),
    ),
    key=("facility_id",),
    help="Prisons, pre-trial centres and training centres. Coordinates at city level only.",
)

FINDINGS = SheetSpec(
    "Findings",
    (
        Column("finding_id", "id", ALWAYS),
        Column("facility_id", "id", ALWAYS),
        Column("audit_date", "date", NEW),
        Column("domain", "enum", NEW, ref.FINDING_DOMAINS),
        Column("severity", "enum", NEW, ref.FINDING_SEVERITIES),
        Column("title", "text", NEW),
        Column("recommendation", "text"),
        Column("status", "enum", ALWAYS, ref.FINDING_STATUSES),
        Column("due_date", "date"),
        Column("owner", "text"),
        Column("status_note", "text"),
    ),
    key=("finding_id",),
    help="Security audit findings and their remediation status at the end of the quarter.",
)

PRIORITIES = SheetSpec(
    "Priorities",
    (
        Column("priority_id", "id", ALWAYS),
        Column("title", "text", NEW),
        Column("theme", "text"),
        Column("status", "enum", ALWAYS, ref.PRIORITY_STATUSES),
        Column("progress_pct", "percent", help="0 to 100"),
        Column("target_date", "date"),
        Column("narrative", "text"),
        Column("next_steps", "text"),
    ),
    key=("priority_id",),
    help="The country's priorities for 2024 onwards and their progress this quarter.",
)

MILESTONES = SheetSpec(
    "Milestones",
    (
        Column("priority_id", "id", ALWAYS),
        Column("milestone", "text", ALWAYS),
        Column("due_date", "date"),
        Column("status", "enum", ALWAYS, ref.MILESTONE_STATUSES),
        Column("completed_on", "date", help="required when status is done"),
    ),
    key=("priority_id", "milestone"),
    help="Milestones of each priority.",
)

ACTIVITIES = SheetSpec(
    "Activities",
    (
        Column("activity_id", "id", ALWAYS),
        Column("date", "date", ALWAYS),
        Column("type", "enum", ALWAYS, ref.ACTIVITY_TYPES),
        Column("title", "text", ALWAYS),
        Column("participants", "count"),
        Column("female_participants", "count", help="not more than participants"),
        Column("facility_id", "id"),
        Column("notes", "text"),
    ),
    key=("activity_id",),
    help="Trainings, workshops, equipment deliveries and other activities of the quarter.",
)

DATA_SHEETS: tuple[SheetSpec, ...] = (INDICATORS, FACILITIES, FINDINGS, PRIORITIES, MILESTONES, ACTIVITIES)
SHEET_BY_NAME = {s.name: s for s in DATA_SHEETS}

# Exports add these in front of the sheet's columns; the importer accepts them
# back and checks they agree with the Return sheet.
QUARTER_SCOPED = {"Indicators", "Priorities", "Activities"}

ID_MAX_CHARS = 40


# What `python -m data_access export` can export.
DATASETS = ("indicators", "facilities", "findings", "priorities", "milestones", "activities", "uploads")
