"""Who uploaded: the e-mail of the signed-in person behind each upload.

Adds ``uploads.uploader_email`` (the acting person's e-mail, lower-case;
``uploaded_by`` stays the label shown, "Name <email>"). Uploads made before
sign-in keep NULL: they were signed with a free-text name only.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    with op.batch_alter_table("uploads") as batch:
        batch.add_column(sa.Column("uploader_email", sa.String(254), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("uploads") as batch:
        batch.drop_column("uploader_email")
