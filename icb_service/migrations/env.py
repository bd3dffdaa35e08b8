"""Alembic environment. db.migrate() hands us an open connection; there is no alembic.ini."""

from alembic import context

from icb_service.models import IcbTable

connection = context.config.attributes["connection"]
# Batch mode lets later migrations alter tables on SQLite too.
context.configure(
    connection=connection, target_metadata=IcbTable.metadata, render_as_batch=True
)
with context.begin_transaction():
    context.run_migrations()
