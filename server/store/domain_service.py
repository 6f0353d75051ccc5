"""Wiring of the domain into a running sync server: the ingest hook and the device pull providers.

:func:`install` is called once by the application factory (one line in
``server/app.py``). It adds :func:`reconcile_hook` to the ingest hooks (work
history is recomputed after every batch that stored new events) and replaces
the pull providers so devices get their site configuration and roster from
the domain's registry and roster (falling back to the sync server's minimal
tables for sites the registry does not know).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from server.ingest import IngestedBatch, IngestHook
from server.store import domain_records as rec
from server.store import domain_schema as t
from server.store.domain_reconcile import after_ingest
from server.store.engine import write_transaction
from server.store.pull import (
    RosterProvider,
    RosterSnapshot,
    RosterWorker,
    SiteConfig,
    table_roster,
    table_site_config,
)

if TYPE_CHECKING:
    from server.context import ServerContext

log = logging.getLogger("genba.server.domain")


def reconcile_hook(engine: sa.Engine) -> IngestHook:
    def reconcile_after_ingest(batch: IngestedBatch) -> None:
        with write_transaction(engine) as conn:
            rows = after_ingest(conn, batch.site, batch.device, batch.epoch)
        log.info("reconciled", extra={"device": batch.device, "epoch": batch.epoch, "rows": rows})

    return reconcile_after_ingest


def site_config_provider(conn: sa.Connection, site: str) -> SiteConfig:
    s = rec.find_site(conn, site)
    if s is None:
        return table_site_config(conn, site)
    return SiteConfig(site, s.name, s.day_boundary.strftime("%H:%M"), s.repeat_window_s, s.timezone)


def roster_snapshot(conn: sa.Connection, site: str, today: date) -> RosterSnapshot:
    """The roster valid ``today`` with each worker's cards valid today (minimal personal data only).

    A few bulk queries whatever the roster's size: devices pull this often (the ETag saves the
    transfer, not the computation).
    """
    entries = [e for e in rec.roster_of(conn, site) if e.covers(today)]
    ids = sorted({e.worker for e in entries})
    wc = t.workers.c
    people = {}
    for i in range(0, len(ids), 500):
        q = sa.select(wc.worker, wc.name, wc.furigana).where(wc.worker.in_(ids[i:i + 500]))
        people.update({r.worker: r for r in conn.execute(q)})
    cards: dict[str, list[str]] = {}
    bc = t.card_bindings.c
    for i in range(0, len(ids), 500):
        q = sa.select(bc.worker, bc.idm, bc.valid_from, bc.valid_to).where(bc.worker.in_(ids[i:i + 500]))
        for r in conn.execute(q):
            if r.valid_from <= today.isoformat() and (r.valid_to is None or today.isoformat() <= r.valid_to):
                cards.setdefault(r.worker, []).append(r.idm)
    cc = t.companies.c
    employers = sorted({e.employer for e in entries})
    names = {r.company: r.name for r in conn.execute(sa.select(cc.company, cc.name).where(cc.company.in_(employers)))}
    workers = tuple(
        RosterWorker(e.worker, people[e.worker].name, people[e.worker].furigana, e.employer,
                     names.get(e.employer, ""), e.trade_name or "", e.trade_code or "", e.position or "",
                     tuple(sorted(cards.get(e.worker, ()))))
        for e in entries)
    return RosterSnapshot(site, workers + _cardholders_off_roster(conn, site, today, set(ids)))


def _cardholders_off_roster(conn: sa.Connection, site: str, today: date,
                            on_roster: set[str]) -> tuple[RosterWorker, ...]:
    """Workers of companies registered on the site's structure who hold a card today but have no roster entry.

    Their taps are recorded anyway; with these the kiosk can name the worker and the missing registration
    (作業員名簿への登録) instead of showing an unknown card. Roster-level fields only, which the prime contractor
    may see for its own site's structure (DOMAIN.md disclosure rules); no trade or position, as there is no
    roster entry to take them from.
    """
    companies = sorted(rec.load_structure(conn, site).registered_companies(on=today))
    if not companies:
        return ()
    wc, bc, cc = t.workers.c, t.card_bindings.c, t.companies.c
    day = today.isoformat()
    rows = conn.execute(
        sa.select(wc.worker, wc.name, wc.furigana, wc.employer, cc.name.label("employer_name"), bc.idm)
        .join(t.card_bindings, bc.worker == wc.worker).join(t.companies, cc.company == wc.employer)
        .where(wc.employer.in_(companies), bc.valid_from <= day, sa.or_(bc.valid_to.is_(None), bc.valid_to >= day))
    ).all()
    found: dict[str, tuple[Any, list[str]]] = {}
    for r in rows:
        if r.worker not in on_roster:
            found.setdefault(r.worker, (r, []))[1].append(r.idm)
    return tuple(
        RosterWorker(r.worker, r.name, r.furigana, r.employer, r.employer_name, "", "", "", tuple(sorted(idms)),
                     on_roster=False)
        for r, idms in found.values())


def roster_provider(now: Callable[[], datetime]) -> RosterProvider:
    def provide(conn: sa.Connection, site: str) -> RosterSnapshot:
        s = rec.find_site(conn, site)
        if s is None:
            return table_roster(conn, site)
        return roster_snapshot(conn, site, now().astimezone(ZoneInfo(s.timezone)).date())

    return provide


def install(ctx: ServerContext) -> None:
    """Hook reconciliation into ingest and serve device pulls from the domain's tables (idempotent)."""
    if any(getattr(h, "genba_domain", False) for h in ctx.ingest.hooks):
        return
    hook = reconcile_hook(ctx.engine)
    hook.genba_domain = True  # type: ignore[attr-defined]
    ctx.ingest.hooks.append(hook)
    ctx.pull.site_config = site_config_provider
    ctx.pull.roster = roster_provider(lambda: ctx.clock.wall().astimezone(UTC))
