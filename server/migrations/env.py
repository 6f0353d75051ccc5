"""Alembic environment for the sync server: runs on the connection the caller passes in.

Never called by hand with an ini file: :func:`server.store.engine.migrate`
builds the config (script location, every branch's version directory) and
passes the open connection in ``config.attributes["connection"]``.
"""

from __future__ import annotations

from alembic import context

from server.store.schema import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reachable by running alembic by hand
    raise RuntimeError("run migrations through server.store.engine.migrate(), which passes a connection")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
