"""Alembic environment: the database is the one the assistant uses."""

from __future__ import annotations

from alembic import context

from bot.db.engine import get_engine
from bot.db.models import Base

config = context.config
url = config.attributes.get("url")  # tests pass a URL; otherwise settings decide


def run_migrations_online() -> None:
    engine = get_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=True,
            # Rasa creates and owns its `events` table (bot/tracker_store.py).
            include_object=lambda obj, name, kind, reflected, compare_to: (
                not (kind == "table" and name == "events")
            ),
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
