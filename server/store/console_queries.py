"""The console's reads of the sync server's and the domain's tables (the fleet page, a device's chart, names).

The console's own tables are read and written by :mod:`server.store.console_store`; these read the tables of
the other parts, for pages only (no writes).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from server.store import domain_schema as dom
from server.store import schema as sync


def site_info(conn: sa.Connection) -> dict[str, tuple[str, str]]:
    """site → (name, time zone), from the registry, else the sync server's minimal site config."""
    out = {r.site: (r.name, r.timezone) for r in conn.execute(
        sa.select(sync.site_config.c.site, sync.site_config.c.name, sync.site_config.c.timezone))}
    out.update({r.site: (r.name, r.timezone) for r in conn.execute(
        sa.select(dom.sites.c.site, dom.sites.c.name, dom.sites.c.timezone))})
    return out


def fork_counts(conn: sa.Connection) -> dict[str, int]:
    """device → the number of quarantined forks the server holds for it (devices with none are left out)."""
    f = sync.forks.c
    return {r.device: int(r.n) for r in conn.execute(sa.select(f.device, sa.func.count().label("n"))
                                                     .group_by(f.device))}


def device_windows(conn: sa.Connection, device: str, since: str) -> tuple[list[tuple[str, str]], list[str]]:
    """For the device page's chart: (server time, received) of its records received since ``since``, or still
    in flight then; and the issue times of its receipts (one per accepted upload: a contact) since ``since``."""
    e, r = sync.events.c, sync.receipts.c
    spans = [(row.server_at, row.received_at) for row in conn.execute(
        sa.select(e.server_at, e.received_at).where(e.device == device, e.received_at >= since))]
    contacts = [row.issued_at for row in conn.execute(
        sa.select(r.issued_at).where(r.device == device, r.issued_at >= since))]
    return spans, contacts


def worker_rows(conn: sa.Connection, workers: set[str]) -> list[Any]:
    """The registry rows of these workers (in chunks of 500 ids), for deciding which names a viewer may read."""
    wc = dom.workers.c
    ids = sorted(workers)
    out: list[Any] = []
    for i in range(0, len(ids), 500):
        out += conn.execute(sa.select(dom.workers).where(wc.worker.in_(ids[i:i + 500]))).all()
    return out
