"""Alembic environment: the engine comes from the store (it carries the SQLCipher key)."""

from alembic import context
from sqlmodel import SQLModel

import groupclinic_desktop.core.schema  # noqa: F401  (registers the tables)

config = context.config
target_metadata = SQLModel.metadata

engine = config.attributes.get("engine")
if engine is None:
    raise RuntimeError("Run migrations through groupclinic_desktop.core.store.upgrade().")

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
    )
    with context.begin_transaction():
        context.run_migrations()
