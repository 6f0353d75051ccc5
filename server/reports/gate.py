"""The gate's two warnings in the roster a kiosk pulls: ``expired`` and ``education_missing`` — flags only.

A worker whose general or special health check or a recorded credential has
lapsed (server.reports.details) is ``expired``; a worker on the site's roster
with no 新規入場者教育 date on this site is ``education_missing``. The kiosk still
records every tap (a tap is never refused); it is for the kiosk to warn the
worker and list them for the manager. No date, document or contact leaves the
server. Installed over whatever roster provider serves pulls (the domain's),
from the API's start-up (server.api.routes.registry.install_domain).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from server.reports import store
from server.reports.details import gate_flags
from server.store import domain_records as rec
from server.store.pull import PullProviders, RosterProvider, RosterSnapshot

_MARK = "_genba_gate_flags"


def with_gate_flags(provider: RosterProvider, now: Callable[[], datetime]) -> RosterProvider:
    def provide(conn: sa.Connection, site: str) -> RosterSnapshot:
        snap = provider(conn, site)
        s = rec.find_site(conn, site)
        if s is None or not snap.workers:
            return snap
        today = now().astimezone(ZoneInfo(s.timezone)).date()
        details = store.details_of(conn, [w.worker for w in snap.workers])
        educated = store.education_of(conn, site)
        workers = []
        for w in snap.workers:
            flags = gate_flags(details.get(w.worker), w.worker in educated or not w.on_roster, today)
            gate = tuple(name for name, on in (("expired", flags.expired),
                                               ("education_missing", flags.education_missing)) if on)
            workers.append(replace(w, gate=gate) if gate else w)
        return RosterSnapshot(snap.site, tuple(workers))

    setattr(provide, _MARK, True)
    return provide


def install(pull: PullProviders, now: Callable[[], datetime]) -> None:
    """Wrap the roster provider once (idempotent)."""
    if not getattr(pull.roster, _MARK, False):
        pull.roster = with_gate_flags(pull.roster, now)
