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
    # SQLite alters a table by copying it, dropping the old one and renaming the copy; dropping
    # a table other rows point at (staff_user, say) needs foreign keys off meanwhile. The switch
    # only works outside a transaction, so it goes straight to the driver, before the first one
    # and after the last; then every reference in the store is checked.
    driver = connection.connection.driver_connection
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,  # SQLite alters tables by copying them
        )
        with context.begin_transaction():
            context.run_migrations()
        if connection.in_transaction():
            connection.commit()
        broken = driver.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        if connection.in_transaction():
            connection.rollback()
        driver.execute("PRAGMA foreign_keys=ON")
        if driver.execute("PRAGMA foreign_keys").fetchone()[0] != 1:
            connection.invalidate()  # never hand the pool a connection without foreign keys
    if broken:
        raise RuntimeError(f"a migration left {len(broken)} broken reference(s)")
