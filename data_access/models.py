"""The database schema, as typed SQLAlchemy 2 ORM models.

Entities (facilities, findings, priorities, milestones) hold what does not
change from quarter to quarter. What a return reports for a quarter lives in
``*_updates`` rows keyed by (entity, quarter): the state as at the end of any
quarter is the latest update at or before it. Every stored value points at
the upload it came from; the report's baseline is an upload of kind
``baseline``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, deferred, mapped_column

from .rules.access import EMAIL_MAX_CHARS, NAME_MAX_CHARS
from .rules.sheets import ID_MAX_CHARS, max_chars

# The lengths of the columns that hold what a return's cells say come from
# the contract's one table of limits (rules/sheets.py: ID_MAX_CHARS,
# TEXT_LIMITS), which the validator checks the cells against; those of a
# person's e-mail and name from rules/access.py.
ID = String(ID_MAX_CHARS)
QUARTER = String(7)  # YYYY-Qn


def _chars(sheet: str, column: str) -> String:
    """A text column as long as the contract lets ``sheet``'s ``column`` be."""
    return String(max_chars(sheet, column))


class Base(DeclarativeBase):
    pass


class Country(Base):
    __tablename__ = "countries"
    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    lat_min: Mapped[float] = mapped_column(Float)
    lat_max: Mapped[float] = mapped_column(Float)
    lon_min: Mapped[float] = mapped_column(Float)
    lon_max: Mapped[float] = mapped_column(Float)
    background: Mapped[str | None] = mapped_column(Text)
    achievements: Mapped[str | None] = mapped_column(Text)


class IndicatorDef(Base):
    __tablename__ = "indicators"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label: Mapped[str] = mapped_column(String(120))
    is_count: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class _Entity:
    """An entity of one country updated in place by the returns: its country,
    and the uploads that created it and last changed it."""

    country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"), index=True)
    created_upload_id: Mapped[int] = mapped_column(ForeignKey("uploads.id"))
    updated_upload_id: Mapped[int] = mapped_column(ForeignKey("uploads.id"))


class _Report:
    """A state reported for one quarter (kept only when it changed), keyed by
    (entity, quarter), with the upload it came from. ``next_quarter_idx`` is
    the quarter of the entity's next report (None: still current): the report
    is the state for quarters quarter_idx <= q < next_quarter_idx."""

    KEY = ""  # the entity's key column
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    quarter: Mapped[str] = mapped_column(QUARTER)
    quarter_idx: Mapped[int] = mapped_column(Integer)
    upload_id: Mapped[int] = mapped_column(ForeignKey("uploads.id"), index=True)
    next_quarter_idx: Mapped[int | None] = mapped_column(Integer)

    @declared_attr.directive
    @classmethod
    def __table_args__(cls) -> tuple[Any, ...]:
        name = cls.__tablename__  # type: ignore[attr-defined]  # set by each mapped subclass
        return (
            UniqueConstraint(cls.KEY, "quarter_idx", name=f"uq_{name.removesuffix('s')}"),
            Index(f"ix_{name}_quarter", "quarter_idx", cls.KEY),
            Index(f"ix_{name}_span", "quarter_idx", "next_quarter_idx"),
        )


class _Counts:
    """Findings in one state at the end of one quarter (see :class:`FindingCount`);
    the primary key is every column but ``findings``, quarter first."""

    quarter_idx: Mapped[int] = mapped_column(Integer)
    country_code: Mapped[str] = mapped_column(String(3))
    domain: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    overdue: Mapped[bool] = mapped_column(Boolean)
    findings: Mapped[int] = mapped_column(Integer)


COUNT_STATE = ("domain", "severity", "status", "overdue")


class Upload(Base):
    __tablename__ = "uploads"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16), default="return")  # return | baseline
    country_code: Mapped[str | None] = mapped_column(ForeignKey("countries.code"))
    quarter: Mapped[str | None] = mapped_column(QUARTER)
    quarter_idx: Mapped[int | None] = mapped_column(Integer)
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    uploaded_by: Mapped[str] = mapped_column(String(120))  # who, as shown: "Name <email>"
    uploader_email: Mapped[str | None] = mapped_column(
        String(EMAIL_MAX_CHARS)
    )  # their e-mail; NULL before sign-in (0005)
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    status: Mapped[str] = mapped_column(String(16), default="current")  # current | superseded
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id"))
    restored_from_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id"))
    prepared_by: Mapped[str | None] = mapped_column(_chars("Return", "prepared_by"))
    submitted_on: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    counts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    warnings: Mapped[list[Any] | None] = mapped_column(JSON)

    __table_args__ = (Index("ix_uploads_country_quarter", "country_code", "quarter_idx", "status"),)


class IndicatorValue(Base):
    __tablename__ = "indicator_values"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"))
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicators.code"))
    quarter: Mapped[str] = mapped_column(QUARTER)
    quarter_idx: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    approximate: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    upload_id: Mapped[int] = mapped_column(ForeignKey("uploads.id"), index=True)

    __table_args__ = (UniqueConstraint("country_code", "indicator_code", "quarter_idx", name="uq_indicator_value"),)


class Facility(_Entity, Base):
    __tablename__ = "facilities"
    facility_id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(_chars("Facilities", "name"))
    type: Mapped[str | None] = mapped_column(String(40))
    city: Mapped[str | None] = mapped_column(_chars("Facilities", "city"))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    pilot: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str | None] = mapped_column(Text)


class Finding(_Entity, Base):
    __tablename__ = "findings"
    finding_id: Mapped[str] = mapped_column(ID, primary_key=True)
    facility_id: Mapped[str] = mapped_column(ForeignKey("facilities.facility_id"), index=True)
    audit_date: Mapped[dt.date] = mapped_column(Date)
    domain: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(_chars("Findings", "title"))
    recommendation: Mapped[str | None] = mapped_column(Text)
    # Derived from the history by data_access.summary.refresh (never uploaded):
    # the first quarter the finding was reported, and the first quarters a
    # status of remediated/verified, and verified, was reported.
    first_reported_idx: Mapped[int | None] = mapped_column(Integer)
    first_remediated_idx: Mapped[int | None] = mapped_column(Integer)
    first_verified_idx: Mapped[int | None] = mapped_column(Integer)

    # remediation times and each facility's last audit read from the index, without touching the rows
    __table_args__ = (
        Index("ix_findings_remediated", "first_remediated_idx", "audit_date"),
        Index("ix_findings_facility_audit", "facility_id", "first_reported_idx", "audit_date"),
    )


class FindingCount(_Counts, Base):
    """How many findings were in each state at the end of each quarter, per
    facility, domain and severity: derived from the history by
    :func:`data_access.summary.refresh` after every import, so that the
    pages count a few thousand rows instead of rebuilding 100,000 states.
    ``overdue`` is the overdue rule of ``data_access.sql.overdue``."""

    __tablename__ = "finding_counts"
    facility_id: Mapped[str] = mapped_column(ID)

    __table_args__ = (
        PrimaryKeyConstraint("quarter_idx", "country_code", "facility_id", *COUNT_STATE),
        Index("ix_finding_counts_country", "country_code", "quarter_idx"),
    )


class FindingCountByCountry(_Counts, Base):
    """:class:`FindingCount` without the facility: what the quarter-by-quarter
    charts read (tens of thousands of rows rather than millions)."""

    __tablename__ = "finding_counts_country"
    __table_args__ = (PrimaryKeyConstraint("quarter_idx", "country_code", *COUNT_STATE),)


class FindingUpdate(_Report, Base):
    """A finding's state as reported for one quarter (kept only when it changed)."""

    __tablename__ = "finding_updates"
    KEY = "finding_id"
    finding_id: Mapped[str] = mapped_column(ForeignKey("findings.finding_id"))
    status: Mapped[str] = mapped_column(String(20))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    owner: Mapped[str | None] = mapped_column(_chars("Findings", "owner"))
    status_note: Mapped[str | None] = mapped_column(Text)


class Priority(_Entity, Base):
    __tablename__ = "priorities"
    priority_id: Mapped[str] = mapped_column(ID, primary_key=True)
    title: Mapped[str] = mapped_column(_chars("Priorities", "title"))
    theme: Mapped[str | None] = mapped_column(_chars("Priorities", "theme"))
    target_date: Mapped[dt.date | None] = mapped_column(Date)


class PriorityUpdate(_Report, Base):
    """A priority's state as reported for one quarter (kept only when it changed)."""

    __tablename__ = "priority_updates"
    KEY = "priority_id"
    priority_id: Mapped[str] = mapped_column(ForeignKey("priorities.priority_id"))
    status: Mapped[str] = mapped_column(String(20))
    progress_pct: Mapped[float | None] = mapped_column(Float)
    narrative: Mapped[str | None] = mapped_column(Text)
    next_steps: Mapped[str | None] = mapped_column(Text)


class Milestone(Base):
    __tablename__ = "milestones"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    priority_id: Mapped[str] = mapped_column(ForeignKey("priorities.priority_id"), index=True)
    name: Mapped[str] = mapped_column(_chars("Milestones", "milestone"))
    name_key: Mapped[str] = mapped_column(_chars("Milestones", "milestone"))
    created_upload_id: Mapped[int] = mapped_column(ForeignKey("uploads.id"))

    __table_args__ = (UniqueConstraint("priority_id", "name_key", name="uq_milestone"),)


class MilestoneUpdate(_Report, Base):
    """A milestone's state as reported for one quarter (kept only when it changed)."""

    __tablename__ = "milestone_updates"
    KEY = "milestone_id"
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestones.id"))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    completed_on: Mapped[dt.date | None] = mapped_column(Date)


class Activity(Base):
    __tablename__ = "activities"
    activity_id: Mapped[str] = mapped_column(ID, primary_key=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"))
    quarter: Mapped[str] = mapped_column(QUARTER)
    quarter_idx: Mapped[int] = mapped_column(Integer)
    date: Mapped[dt.date] = mapped_column(Date)
    type: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(_chars("Activities", "title"))
    participants: Mapped[int | None] = mapped_column(Integer)
    female_participants: Mapped[int | None] = mapped_column(Integer)
    facility_id: Mapped[str | None] = mapped_column(ForeignKey("facilities.facility_id"))
    notes: Mapped[str | None] = mapped_column(Text)
    upload_id: Mapped[int] = mapped_column(ForeignKey("uploads.id"), index=True)

    __table_args__ = (Index("ix_activities_country_quarter", "country_code", "quarter_idx"),)


# --------------------------------------------------------------------------- access and the audit trail


class User(Base):
    """An account: ``email`` (lower-case) and a role of
    ``data_access.rules.access.ROLES``; its countries in :class:`UserCountry`
    (none: every country)."""

    __tablename__ = "users"
    email: Mapped[str] = mapped_column(String(EMAIL_MAX_CHARS), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(NAME_MAX_CHARS))
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(EMAIL_MAX_CHARS))


class UserCountry(Base):
    """A country an account is limited to."""

    __tablename__ = "user_countries"
    email: Mapped[str] = mapped_column(ForeignKey("users.email", ondelete="CASCADE"), primary_key=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"), primary_key=True)


class AccessRequest(Base):
    """A signed-in person without an account asking for one."""

    __tablename__ = "access_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX_CHARS), index=True)
    name: Mapped[str | None] = mapped_column(String(NAME_MAX_CHARS))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | granted | dismissed


class AuditEvent(Base):
    """One entry of the append-only audit trail (see data_access.audit):
    who (e-mail, name, how: app, cli or local), when (UTC), what
    (``action``, with ``detail`` as JSON text), for which country and
    quarter, from which address where known."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor_email: Mapped[str] = mapped_column(String(EMAIL_MAX_CHARS), index=True)
    actor_name: Mapped[str | None] = mapped_column(String(NAME_MAX_CHARS))
    via: Mapped[str] = mapped_column(String(8))
    action: Mapped[str] = mapped_column(String(40))
    country: Mapped[str | None] = mapped_column(String(3))
    quarter: Mapped[str | None] = mapped_column(QUARTER)
    detail: Mapped[str] = mapped_column(Text, default="{}")
    address: Mapped[str | None] = mapped_column(String(64))
