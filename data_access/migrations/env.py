"""Alembic environment: always called programmatically by data_access.db.upgrade
with an open connection (``config.attributes['connection']``)."""

from alembic import context

from data_access.models import Base

target_metadata = Base.metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:  # `alembic` command line, for developers generating revisions
        from data_access.db import get_engine

        with get_engine().connect() as connection:
            context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
            with context.begin_transaction():
                context.run_migrations()
        return
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    context.run_migrations()


run()
