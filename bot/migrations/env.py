"""Alembic environment: migrations always run on a connection handed in by `bot.db.migrate`."""

from alembic import context

from bot.db import tables_learning  # noqa: F401  (puts the learning tables on the metadata)
from bot.db.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
