"""A milestone's name: at most 500 characters, so that PostgreSQL can index it.

``milestones.name`` and ``name_key`` were ``VARCHAR(2000)``, but
``name_key`` is part of the unique constraint ``uq_milestone``, and a
PostgreSQL index entry holds at most 2,704 bytes: a name of 2,000 Cyrillic
characters passed the checks and failed when stored. 500 characters fit
whatever the script (at most 4 bytes each). The limit lives in the
contract's table of limits (``data_access/rules/sheets.py``, TEXT_LIMITS);
names that are longer (none are expected) are cut to it.

PostgreSQL alters the columns. SQLite would have to rebuild the table, which
it will not drop while ``milestone_updates`` refers to it (foreign keys are
on, and cannot be turned off inside the migration's transaction); the
length of a ``VARCHAR`` means nothing to SQLite (its affinity, TEXT, is
unchanged), so the declared types are rewritten in the schema text, by
SQLite's documented procedure for changes that leave the stored data as it
is (https://www.sqlite.org/lang_altertable.html#otheralter).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08
"""

from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"

COLUMNS = ("name", "name_key")


def _resize(old: int, new: int) -> None:
    bind = op.get_bind()
    if new < old:
        op.execute(
            f"UPDATE milestones SET name = substr(name, 1, {new}), name_key = substr(name_key, 1, {new}) "
            f"WHERE length(name) > {new} OR length(name_key) > {new}"
        )
    if bind.dialect.name != "sqlite":
        for column in COLUMNS:
            op.alter_column(
                "milestones", column, type_=sa.String(new), existing_type=sa.String(old), existing_nullable=False
            )
        return
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'milestones'"
    ).scalar_one()
    for column in COLUMNS:
        before, after = f"{column} VARCHAR({old})", f"{column} VARCHAR({new})"
        if sql.count(before) != 1:
            raise RuntimeError(f"milestones: cannot find {before!r} in {sql!r}")
        sql = sql.replace(before, after)
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    try:
        bind.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'milestones'", (sql,))
        bind.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
    finally:
        bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade() -> None:
    _resize(2000, 500)


def downgrade() -> None:
    _resize(500, 2000)
