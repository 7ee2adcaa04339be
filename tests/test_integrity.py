"""Integrity checks (``data_access.integrity.check``): real imports and the
synthetic benchmark programme pass them, and each broken promise is reported
as a sentence with its count and the keys of the offending rows. On SQLite
and PostgreSQL.

Each "broken" test starts from a small sound programme (the benchmark
generator at a tiny scale) and damages it the way a bug or a careless
hand edit would: with SQLAlchemy Core, with foreign keys switched off where
the database would otherwise refuse the damage.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Connection, Engine, Table, func, insert, select, text, update

from benchmarks.generate import generate
from data_access import db, summary
from data_access.integrity import check
from data_access.models import (
    Activity,
    Facility,
    Finding,
    FindingCount,
    FindingCountByCountry,
    FindingUpdate,
    IndicatorValue,
    Milestone,
    MilestoneUpdate,
    PriorityUpdate,
    Upload,
)
from data_access.rules.quarters import Quarter, parse_quarter
from data_access.sample import load_sample

FU, PU, MU = FindingUpdate.__table__, PriorityUpdate.__table__, MilestoneUpdate.__table__


@pytest.fixture
def sound(engine: Engine) -> Engine:
    """A small generated programme that passes every check."""
    generate(engine, scale=0.005)
    assert check(engine) == []
    return engine


@contextmanager
def without_foreign_keys(engine: Engine) -> Iterator[Connection]:
    """A transaction in which the database does not enforce foreign keys, as
    in a SQLite file written by a tool that never switched them on."""
    with engine.connect() as conn:
        if db.is_postgres(engine):
            with conn.begin():
                conn.execute(text("SET LOCAL session_replication_role = replica"))
                yield conn
            return
        raw = conn.connection.driver_connection  # before SQLAlchemy's BEGIN: the pragma is ignored in a transaction
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                yield conn
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


def first(engine: Engine, table: Table):
    """The table's row with the smallest primary key."""
    with engine.connect() as conn:
        return conn.execute(select(table).order_by(*table.primary_key.columns).limit(1)).one()


def change(engine: Engine, table: Table, row, **values) -> None:
    """Update one row (found by its primary key), foreign keys off."""
    key = [c == row._mapping[c.name] for c in table.primary_key.columns]
    with without_foreign_keys(engine) as conn:
        conn.execute(update(table).where(*key).values(**values))


def the_only_problem(engine: Engine) -> str:
    problems = check(engine)
    assert len(problems) == 1, problems
    return problems[0]


# ------------------------------------------------------------------ sound data passes


def test_the_sample_data_passes(engine):
    load_sample(engine)
    assert check(engine) == []


def test_the_generated_programme_passes(engine):
    generate(engine, scale=0.02)
    assert check(engine) == []


# ------------------------------------------------------------------ references


def test_a_finding_whose_facility_does_not_exist(sound):
    finding = first(sound, Finding.__table__)
    change(sound, Finding.__table__, finding, facility_id="NOWHERE")
    assert the_only_problem(sound) == (
        f"Findings whose facility does not exist: 1 row, e.g. finding_id='{finding.finding_id}', facility_id='NOWHERE'."
    )


def test_a_finding_in_a_different_country_from_its_facility(sound):
    finding = first(sound, Finding.__table__)
    other = "TJK" if finding.country_code != "TJK" else "IRQ"
    change(sound, Finding.__table__, finding, country_code=other)
    with sound.begin() as conn:
        summary.refresh(conn)  # the counts follow the finding to its new country
    assert the_only_problem(sound) == (
        f"Findings in a different country from their facility: 1 row, e.g. finding_id='{finding.finding_id}', "
        f"country_code='{other}', facility_country='{finding.country_code}'."
    )


def test_a_facility_whose_country_does_not_exist(sound):
    upload = first(sound, Upload.__table__)
    with without_foreign_keys(sound) as conn:
        conn.execute(
            insert(Facility),
            dict(
                facility_id="ATL-01",
                country_code="ATL",
                name="Atlantis prison",
                created_upload_id=upload.id,
                updated_upload_id=upload.id,
            ),
        )
    assert the_only_problem(sound) == (
        "Facilities whose country does not exist: 1 row, e.g. facility_id='ATL-01', country_code='ATL'."
    )


def test_a_milestone_whose_priority_does_not_exist(sound):
    milestone = first(sound, Milestone.__table__)
    change(sound, Milestone.__table__, milestone, priority_id="GONE")
    assert the_only_problem(sound) == (
        f"Milestones whose priority does not exist: 1 row, e.g. id={milestone.id}, priority_id='GONE'."
    )


@pytest.mark.parametrize(
    "table, key, name, noun, orphan",
    [
        (FU, "finding_id", "Finding updates", "finding", "GONE"),
        (PU, "priority_id", "Priority updates", "priority", "GONE"),
        (MU, "milestone_id", "Milestone updates", "milestone", 999_999),
    ],
    ids=["finding", "priority", "milestone"],
)
def test_a_status_update_whose_entity_does_not_exist(sound, table, key, name, noun, orphan):
    row = first(sound, table)
    values = {c: v for c, v in row._mapping.items() if c != "id"}
    with without_foreign_keys(sound) as conn:
        new_id = conn.execute(
            insert(table).values(**dict(values, **{key: orphan}, next_quarter_idx=None)).returning(table.c.id)
        ).scalar_one()
    shown = f"'{orphan}'" if isinstance(orphan, str) else orphan
    assert the_only_problem(sound) == f"{name} whose {noun} does not exist: 1 row, e.g. id={new_id}, {key}={shown}."


@pytest.mark.parametrize(
    "table, name",
    [
        (IndicatorValue.__table__, "Indicator values"),
        (FU, "Finding updates"),
        (PU, "Priority updates"),
        (MU, "Milestone updates"),
        (Activity.__table__, "Activities"),
    ],
    ids=lambda v: v if isinstance(v, str) else v.name,
)
def test_a_reported_value_whose_upload_does_not_exist(sound, table, name):
    row = first(sound, table)
    change(sound, table, row, upload_id=999_999)
    pk = ", ".join(f"{c.name}={row._mapping[c.name]!r}" for c in table.primary_key.columns)
    assert the_only_problem(sound) == f"{name} whose upload does not exist: 1 row, e.g. {pk}, upload_id=999999."


# ------------------------------------------------------------------ histories


def test_two_updates_of_a_finding_for_the_same_quarter(sound):
    """Only possible once the unique constraint is lost (e.g. a hand-made
    schema); the spans then disagree too, and both are said."""
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    with (
        sound.begin() as conn,
        Operations(MigrationContext.configure(conn)).batch_alter_table("finding_updates") as batch,
    ):
        batch.drop_constraint("uq_finding_update", type_="unique")
    row = first(sound, FU)
    with sound.begin() as conn:
        conn.execute(insert(FU).values(**{c: v for c, v in row._mapping.items() if c != "id"}))
    problems = check(sound)
    assert (
        f"Finding updates with more than one row for the same finding and quarter: 1 row, "
        f"e.g. finding_id='{row.finding_id}', quarter_idx={row.quarter_idx}, rows=2."
    ) in problems
    assert any(
        p.startswith("Finding updates whose next_quarter_idx is not the quarter of the next update") for p in problems
    ), problems


@pytest.mark.parametrize(
    "table, name",
    [(FU, "Finding updates"), (PU, "Priority updates"), (MU, "Milestone updates")],
    ids=["finding", "priority", "milestone"],
)
def test_a_status_span_that_does_not_reach_the_next_update(sound, table, name):
    row = first(sound, table)
    change(sound, table, row, next_quarter_idx=row.quarter_idx + 100)
    problems = check(sound)
    assert problems[0].startswith(
        f"{name} whose next_quarter_idx is not the quarter of the next update (history out of order): 1 row, "
    )
    if table is FU:  # the finding now has two states at once, which the finding counts do not have
        assert problems[1].startswith("Finding counts as at their latest quarter that differ from the status history")
    assert len(problems) == (2 if table is FU else 1), problems


def test_an_update_inserted_into_a_history_without_refreshing_the_spans(sound):
    """A finding reported in Q and Q+3 gets an entry for Q+1: the entry for Q
    still claims to last until Q+3."""
    with sound.connect() as conn:
        gap = conn.execute(
            select(FU).where(FU.c.next_quarter_idx > FU.c.quarter_idx + 1).order_by(FU.c.id).limit(1)
        ).one()
    inserted = {c: v for c, v in gap._mapping.items() if c != "id"}
    inserted.update(quarter_idx=gap.quarter_idx + 1, quarter=str(Quarter.from_index(gap.quarter_idx + 1)))
    with sound.begin() as conn:
        conn.execute(insert(FU).values(**inserted))
    assert the_only_problem(sound).startswith(
        "Finding updates whose next_quarter_idx is not the quarter of the next update (history out of order): "
        f"1 row, e.g. finding_id='{gap.finding_id}', quarter='{gap.quarter}', "
        f"next_quarter_idx={gap.next_quarter_idx}, expected_next={gap.quarter_idx + 1}."
    )


# ------------------------------------------------------------------ quarters


def test_a_quarter_index_that_disagrees_with_the_quarter(sound):
    activity = first(sound, Activity.__table__)
    change(sound, Activity.__table__, activity, quarter_idx=activity.quarter_idx + 1)
    assert the_only_problem(sound) == (
        f"Activities whose quarter_idx does not match their quarter: 1 row, e.g. quarter '{activity.quarter}' "
        f"with quarter_idx {activity.quarter_idx + 1} (1 row)."
    )


def test_a_quarter_not_written_canonically(sound):
    with sound.connect() as conn:
        quarter, n = conn.execute(
            select(Upload.quarter, func.count()).group_by(Upload.quarter).order_by(Upload.quarter).limit(1)
        ).one()
    with sound.begin() as conn:
        conn.execute(update(Upload).where(Upload.quarter == quarter).values(quarter=quarter.replace("-", " ")))
    idx = parse_quarter(quarter).index
    assert the_only_problem(sound) == (
        f"Uploads whose quarter_idx does not match their quarter: {n} rows, e.g. quarter "
        f"'{quarter.replace('-', ' ')}' with quarter_idx {idx} ({n} rows)."
    )


# ------------------------------------------------------------------ vocabularies


@pytest.mark.parametrize(
    "table, column, name, accepted",
    [
        (FU, "status", "Finding updates with a status", "open, in progress, remediated, verified, risk accepted"),
        (Finding.__table__, "severity", "Findings with a severity", "critical, high, medium, low"),
        (Finding.__table__, "domain", "Findings with a domain", "physical, procedural, dynamic, other"),
        (PU, "status", "Priority updates with a status", "not started, on track, at risk, off track, completed"),
        (MU, "status", "Milestone updates with a status", "planned, done, late, dropped"),
        (Facility.__table__, "type", "Facilities with a type", "prison, pre-trial centre, training centre, other"),
        (
            Activity.__table__,
            "type",
            "Activities with a type",
            "training, e-learning, workshop, exchange visit, equipment, infrastructure, other",
        ),
    ],
    ids=[
        "finding status",
        "severity",
        "domain",
        "priority status",
        "milestone status",
        "facility type",
        "activity type",
    ],
)
def test_a_value_outside_its_reference_list(sound, table, column, name, accepted):
    row = first(sound, table)
    change(sound, table, row, **{column: "Fixed"})
    pk = ", ".join(f"{c.name}={row._mapping[c.name]!r}" for c in table.primary_key.columns)
    assert the_only_problem(sound) == (
        f"{name} outside the reference list ({accepted}): 1 row, e.g. {pk}, {column}='Fixed'."
    )


# ------------------------------------------------------------------ shares and coordinates


def test_more_women_than_participants(sound):
    activity = first(sound, Activity.__table__)
    change(sound, Activity.__table__, activity, participants=10, female_participants=11)
    assert the_only_problem(sound) == (
        "Activities with more women than participants, or a negative number of participants: 1 row, "
        f"e.g. activity_id='{activity.activity_id}', participants=10, female_participants=11."
    )


def test_a_negative_indicator_value(sound):
    value = first(sound, IndicatorValue.__table__)
    change(sound, IndicatorValue.__table__, value, value=-5.0)
    assert the_only_problem(sound) == (
        f"Indicator values below zero: 1 row, e.g. country_code='{value.country_code}', "
        f"indicator_code='{value.indicator_code}', quarter='{value.quarter}', value=-5.0."
    )


def test_a_progress_above_one_hundred_percent(sound):
    row = first(sound, PU)
    change(sound, PU, row, progress_pct=120.0)
    assert the_only_problem(sound) == (
        f"Priority updates with a progress outside 0-100 %: 1 row, e.g. priority_id='{row.priority_id}', "
        f"quarter='{row.quarter}', progress_pct=120.0."
    )


def test_a_facility_outside_its_country(sound):
    """The programme's countries all lie north of latitude 29: a facility on the equator is in none of them."""
    facility = first(sound, Facility.__table__)
    change(sound, Facility.__table__, facility, latitude=0.0)
    assert the_only_problem(sound) == (
        f"Facilities whose coordinates lie outside their country's bounding box: 1 row, "
        f"e.g. facility_id='{facility.facility_id}', country_code='{facility.country_code}', latitude=0.0, "
        f"longitude={facility.longitude}."
    )


# ------------------------------------------------------------------ finding counts (data_access.summary)


def test_finding_counts_never_refreshed(sound):
    """A history written without ``summary.refresh`` (as a bulk load that forgets it)."""
    with sound.begin() as conn:
        conn.execute(FindingCount.__table__.delete())
        conn.execute(FindingCountByCountry.__table__.delete())
        latest = conn.execute(select(func.max(FU.c.quarter_idx))).scalar_one()
    assert the_only_problem(sound) == (
        "Finding counts that stop before the latest quarter of the status history (summary.refresh not run): "
        f"1 row, e.g. counts_up_to=None, history_up_to={latest}."
    )


def test_a_finding_count_changed_by_hand(sound):
    counts = FindingCount.__table__
    with sound.connect() as conn:
        horizon = conn.execute(select(func.max(counts.c.quarter_idx))).scalar_one()
        row = conn.execute(
            select(counts).where(counts.c.quarter_idx == horizon).order_by(*counts.primary_key.columns).limit(1)
        ).one()
    change(sound, counts, row, findings=row.findings + 2)
    assert the_only_problem(sound).startswith(
        f"Finding counts per facility that do not add up to the counts per country: 1 row, e.g. "
        f"quarter_idx={horizon}, country_code='{row.country_code}', domain='{row.domain}', "
    )
    per_country = FindingCountByCountry.__table__
    key = [
        per_country.c[k] == row._mapping[k]
        for k in ("quarter_idx", "country_code", "domain", "severity", "status", "overdue")
    ]
    with sound.begin() as conn:
        conn.execute(update(per_country).where(*key).values(findings=per_country.c.findings + 2))
    assert the_only_problem(sound) == (
        "Finding counts as at their latest quarter that differ from the status history: 1 row, e.g. "
        f"country_code='{row.country_code}', status='{row.status}', difference=2."
    )
