"""Alembic environment: run against the connection handed in by ``turnout_desktop.db.migrate``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from turnout_desktop.db.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # plain `alembic` command line use
        url = config.get_main_option("sqlalchemy.url")
        if not url:
            raise SystemExit("alembic: set sqlalchemy.url (the database to migrate)")
        engine = create_engine(url)
        with engine.begin() as conn:
            context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
            context.run_migrations()
        return
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
