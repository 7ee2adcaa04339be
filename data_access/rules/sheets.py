"""The sheets and columns of a quarterly return, as the contract defines them.

One definition serves the importer (what to read and check), the template
(which columns, which dropdown lists) and the export (which columns, in which
order). It also holds the one table of how much the database can store of a
cell (:data:`TEXT_LIMITS`, :data:`ID_MAX_CHARS`, :data:`WHOLE_MAX`):
``data_access/models.py`` takes its column lengths from here, and the
validator refuses what would not fit, so a return that checks as valid is
stored whole on SQLite and PostgreSQL alike.
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
    # text and id: the most characters the database stores (None: no limit of
    # its own; the general limit on a text cell applies); count: the largest value
    max_chars: int | None = None
    maximum: int | None = None


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

# --------------------------------------------------------------------------- what the database can store

ID_MAX_CHARS = 40
"""Characters of an identifier (facility_id, finding_id, ...): models.ID."""

TEXT_LIMITS: dict[tuple[str, str], int] = {
    ("Return", "prepared_by"): 200,
    ("Facilities", "name"): 200,
    ("Facilities", "city"): 120,
    ("Findings", "title"): 2_000,
    ("Findings", "owner"): 2_000,
    ("Priorities", "title"): 2_000,
    ("Priorities", "theme"): 2_000,
    ("Milestones", "milestone"): 500,  # part of a unique index: 500 characters fit in a PostgreSQL index entry
    ("Activities", "title"): 2_000,
}
"""(sheet, column) -> the most characters the database stores of that text
(a ``VARCHAR`` of that length in ``models.py``, which reads it from here).
Every other text cell goes into a column without a limit; the general limit
on a text cell (``DASHBOARD_MAX_CELL_CHARS``, 2,000 by default) applies to
all text cells, these included: a cell may hold the smaller of the two."""

WHOLE_MAX = 2_147_483_647
"""The largest whole number a count cell may hold: the database stores the
participants of an activity as 32-bit integers, and one limit serves every count."""


def max_chars(sheet: str, column: str) -> int:
    """The most characters the database stores of ``sheet``'s ``column``
    (``"Return"`` for a field of the Return sheet): its column length in
    ``models.py``."""
    return TEXT_LIMITS[sheet, column]


# The contract, one row per column of each data sheet, in sheet order: the
# sheet, the column, its kind, whether it is required (ALWAYS, or NEW: when
# the row creates a facility, finding or priority), the list of accepted
# values (see _CHOICES) and, after a bar, the help the template shows.
_CONTRACT = """
Indicators  indicator            enum       always  indicators          | a code from the catalogue
Indicators  value                count      always                      | non-negative whole number
Indicators  approximate          yesno                                  | yes if the figure is approximate
Indicators  note                 text
Facilities  facility_id          id         always
Facilities  name                 text       new
Facilities  type                 enum               facility_types
Facilities  city                 text
Facilities  latitude             latitude                               | city level, decimal degrees
Facilities  longitude            longitude                              | city level, decimal degrees
Facilities  pilot                yesno                                  | a pilot prison of the programme
Facilities  notes                text
Findings    finding_id           id         always
Findings    facility_id          id         always
Findings    audit_date           date       new
Findings    domain               enum       new     finding_domains
Findings    severity             enum       new     finding_severities
Findings    title                text       new
Findings    recommendation       text
Findings    status               enum       always  finding_statuses
Findings    due_date             date
Findings    owner                text
Findings    status_note          text
Priorities  priority_id          id         always
Priorities  title                text       new
Priorities  theme                text
Priorities  status               enum       always  priority_statuses
Priorities  progress_pct         percent                                | 0 to 100
Priorities  target_date          date
Priorities  narrative            text
Priorities  next_steps           text
Milestones  priority_id          id         always
Milestones  milestone            text       always
Milestones  due_date             date
Milestones  status               enum       always  milestone_statuses
Milestones  completed_on         date                                   | required when status is done
Activities  activity_id          id         always
Activities  date                 date       always
Activities  type                 enum       always  activity_types
Activities  title                text       always
Activities  participants         count
Activities  female_participants  count                                  | not more than participants
Activities  facility_id          id
Activities  notes                text
"""
_CHOICES: dict[str, tuple[str, ...]] = {
    "indicators": ref.INDICATOR_CODES,
    "facility_types": ref.FACILITY_TYPES,
    "finding_domains": ref.FINDING_DOMAINS,
    "finding_severities": ref.FINDING_SEVERITIES,
    "finding_statuses": ref.FINDING_STATUSES,
    "priority_statuses": ref.PRIORITY_STATUSES,
    "milestone_statuses": ref.MILESTONE_STATUSES,
    "activity_types": ref.ACTIVITY_TYPES,
}
# Each sheet's key (what identifies a row; duplicates are errors) and help.
_SHEETS: dict[str, tuple[tuple[str, ...], str]] = {
    "Indicators": (("indicator",), "Stock figures as at the end of the quarter."),
    "Facilities": (
        ("facility_id",),
        "Prisons, pre-trial centres and training centres. Coordinates at city level only.",
    ),
    "Findings": (("finding_id",), "Security audit findings and their remediation status at the end of the quarter."),
    "Priorities": (("priority_id",), "The country's priorities for 2024 onwards and their progress this quarter."),
    "Milestones": (("priority_id", "milestone"), "Milestones of each priority."),
    "Activities": (("activity_id",), "Trainings, workshops, equipment deliveries and other activities of the quarter."),
}


def _columns(sheet: str) -> tuple[Column, ...]:
    """The columns of a sheet, from the contract table."""
    columns = []
    for line in _CONTRACT.strip().splitlines():
        spec, _, help_text = line.partition("|")
        name, column, kind, *rest = spec.split()
        if name != sheet:
            continue
        required = rest.pop(0) if rest and rest[0] in (ALWAYS, NEW) else None
        choices = _CHOICES[rest[0]] if rest else ()
        chars = ID_MAX_CHARS if kind == "id" else TEXT_LIMITS.get((sheet, column))
        maximum = WHOLE_MAX if kind == "count" else None
        columns.append(Column(column, kind, required, choices, help_text.strip(), chars, maximum))
    return tuple(columns)


DATA_SHEETS: tuple[SheetSpec, ...] = tuple(
    SheetSpec(name, _columns(name), key, help_text) for name, (key, help_text) in _SHEETS.items()
)
INDICATORS, FACILITIES, FINDINGS, PRIORITIES, MILESTONES, ACTIVITIES = DATA_SHEETS
SHEET_BY_NAME = {s.name: s for s in DATA_SHEETS}

# Exports add these in front of the sheet's columns; the importer accepts them
# back and checks they agree with the Return sheet.
QUARTER_SCOPED = {"Indicators", "Priorities", "Activities"}


# What `python -m data_access export` can export.
DATASETS = ("indicators", "facilities", "findings", "priorities", "milestones", "activities", "uploads")
