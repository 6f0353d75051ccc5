"""The console's reads of the sync server's and the domain's tables (the fleet page, a device's chart, names).

The console's own tables are read and written by :mod:`server.store.console_store`; these read the tables of
the other parts, for pages and the CLI's listings only (no writes).
"""

from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa

from server.store import console_schema as web
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


@functools.cache
def _fingerprint_statement() -> sa.Select[Any]:
    """The aggregates of :func:`fleet_fingerprint` as one statement, built once (it is the same every time)."""
    d, c, s, k = sync.devices.c, sync.chains.c, sync.device_status.c, sync.device_clock.c
    g, th, f = web.gate_names.c, web.thresholds.c, sync.forks.c
    per_table = [  # one row of aggregates per table, each table read once
        sa.select(sa.func.count(d.device), sa.func.max(d.enrolled_at), sa.func.max(d.revoked_at),
                  sa.func.count(d.revoked_at), sa.func.sum(d.epoch), sa.func.max(d.app), sa.func.min(d.app),
                  sa.func.max(d.site), sa.func.min(d.site)),
        sa.select(sa.func.max(c.updated_at), sa.func.sum(c.last_seq)),
        sa.select(sa.func.count(s.device), sa.func.max(s.last_seen), sa.func.max(s.reported_at), sa.func.sum(s.unsent),
                  sa.func.sum(s.oldest_unsent_age_s), sa.func.sum(s.reader_errors), sa.func.sum(s.disk_free_bytes),
                  sa.func.count(s.reader_state), sa.func.max(s.reader_state), sa.func.min(s.reader_state),
                  sa.func.max(s.reader_code)),
        sa.select(sa.func.count(k.device), sa.func.max(k.server_time), sa.func.sum(k.offset_us)),
        sa.select(sa.func.count(f.device)),
        sa.select(sa.func.count(g.device), sa.func.max(g.updated_at)),
        sa.select(sa.func.count(th.name), sa.func.sum(th.value)),
    ]
    subs = [q.subquery(f"fp{i}") for i, q in enumerate(per_table)]
    joined: Any = subs[0]
    for sub in subs[1:]:
        joined = joined.join(sub, sa.true())
    return sa.select(*subs).select_from(joined)


def fleet_fingerprint(conn: sa.Connection) -> tuple[Any, ...]:
    """Aggregates that change whenever what the fleet page shows from the database changes.

    Every write behind the page stamps the time or moves a counter: enrollment and revocation (devices), an
    upload (chains), a status report or a contact (device_status), a clock sample (device_clock), a fork, a gate
    name, a threshold, a site's name. Sums cover a change that keeps the newest stamp (two reports in the same
    millisecond). The fleet page's live refresh skips rendering while this (and the minute) stays the same:
    one statement of aggregates (and the sites' names) takes about a millisecond at 1,000 devices, where
    building the table takes tens."""
    row = conn.execute(_fingerprint_statement()).one()
    return (*row, tuple(sorted(site_info(conn).items())))
