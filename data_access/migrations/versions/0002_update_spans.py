"""Status spans: each update row knows the quarter of the entity's next update.

The state as at a quarter becomes a range lookup (``quarter_idx <= q <
next_quarter_idx``) instead of a grouping over the whole history, which is
what keeps the pages fast on a large programme. Existing rows are filled in.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"

TABLES = (("finding_updates", "finding_id"), ("priority_updates", "priority_id"),
          ("milestone_updates", "milestone_id"))


def upgrade() -> None:
    for table, key in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("next_quarter_idx", sa.Integer(), nullable=True))
            batch.create_index(f"ix_{table}_span", ["quarter_idx", "next_quarter_idx"])
        op.execute(
            f"UPDATE {table} SET next_quarter_idx = (SELECT MIN(n.quarter_idx) FROM {table} n "
            f"WHERE n.{key} = {table}.{key} AND n.quarter_idx > {table}.quarter_idx)"
        )


def downgrade() -> None:
    for table, _ in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_span")
            batch.drop_column("next_quarter_idx")
