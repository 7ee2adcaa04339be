"""Accounts with roles scoped to countries, access requests, and the audit trail.

Adds ``users``, ``user_countries``, ``access_requests`` and
``audit_events`` (see data_access.access and data_access.audit).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("email", sa.String(254), primary_key=True),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(254), nullable=False),
    )
    op.create_table(
        "user_countries",
        sa.Column("email", sa.String(254), sa.ForeignKey("users.email", ondelete="CASCADE"), primary_key=True),
        sa.Column("country_code", sa.String(3), sa.ForeignKey("countries.code"), primary_key=True),
    )
    op.create_table(
        "access_requests",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
    )
    op.create_index("ix_access_requests_email", "access_requests", ["email"])
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_email", sa.String(254), nullable=False),
        sa.Column("actor_name", sa.String(200), nullable=True),
        sa.Column("via", sa.String(8), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("country", sa.String(3), nullable=True),
        sa.Column("quarter", sa.String(7), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("address", sa.String(64), nullable=True),
    )
    op.create_index("ix_audit_events_at", "audit_events", ["at"])
    op.create_index("ix_audit_events_actor_email", "audit_events", ["actor_email"])


def downgrade() -> None:
    op.drop_table("audit_events")
    op.drop_table("access_requests")
    op.drop_table("user_countries")
    op.drop_table("users")
