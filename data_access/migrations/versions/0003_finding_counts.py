"""Finding counts kept ready per quarter (see data_access.summary).

Adds ``finding_counts`` (per facility) and ``finding_counts_country``, and
on each finding the first quarters it was reported, reported remediated
and verified; fills them from the existing history.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"

KEYS = ("quarter_idx", "country_code", "facility_id", "domain", "severity", "status", "overdue")


def _columns(with_facility: bool) -> list[sa.Column]:
    cols = [sa.Column("quarter_idx", sa.Integer(), nullable=False),
            sa.Column("country_code", sa.String(3), nullable=False)]
    if with_facility:
        cols.append(sa.Column("facility_id", sa.String(40), nullable=False))
    cols += [sa.Column("domain", sa.String(20), nullable=False),
             sa.Column("severity", sa.String(20), nullable=False),
             sa.Column("status", sa.String(20), nullable=False),
             sa.Column("overdue", sa.Boolean(), nullable=False),
             sa.Column("findings", sa.Integer(), nullable=False)]
    return cols


def upgrade() -> None:
    with op.batch_alter_table("findings") as batch:
        batch.add_column(sa.Column("first_reported_idx", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("first_remediated_idx", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("first_verified_idx", sa.Integer(), nullable=True))
    op.create_index("ix_findings_remediated", "findings", ["first_remediated_idx", "audit_date"])
    op.create_index("ix_findings_facility_audit", "findings", ["facility_id", "first_reported_idx", "audit_date"])
    op.create_table("finding_counts", *_columns(True), sa.PrimaryKeyConstraint(*KEYS))
    op.create_index("ix_finding_counts_country", "finding_counts", ["country_code", "quarter_idx"])
    op.create_table("finding_counts_country", *_columns(False),
                    sa.PrimaryKeyConstraint(*(k for k in KEYS if k != "facility_id")))
    from data_access.summary import refresh

    refresh(op.get_bind())


def downgrade() -> None:
    op.drop_table("finding_counts_country")
    op.drop_table("finding_counts")
    op.drop_index("ix_findings_facility_audit", "findings")
    op.drop_index("ix_findings_remediated", "findings")
    with op.batch_alter_table("findings") as batch:
        batch.drop_column("first_verified_idx")
        batch.drop_column("first_remediated_idx")
        batch.drop_column("first_reported_idx")
