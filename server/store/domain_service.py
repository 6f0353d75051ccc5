"""The device pull providers served from the domain's records: site configuration and roster.

:func:`install` is called once by :func:`server.context.open_context`. It
replaces the pull providers so devices get their site configuration and roster
from the domain's registry and roster (a site the registry does not know gets
the ``site_config`` table's configuration, if any, and an empty roster). Reconciliation is not
wired here: ingest queues it and :mod:`server.worker` does it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from server.store import domain_records as rec
from server.store import domain_schema as t
from server.store.pull import (
    PulledRosterWorker,
    PulledSiteConfig,
    PullProviders,
    RosterProvider,
    RosterSnapshot,
    empty_roster,
    table_site_config,
)

log = logging.getLogger("genba.server.domain")


def site_config_provider(conn: sa.Connection, site: str) -> PulledSiteConfig:
    s = rec.find_site(conn, site)
    if s is None:
        return table_site_config(conn, site)
    return PulledSiteConfig(site, s.name, s.day_boundary.strftime("%H:%M"), s.repeat_window_s, s.timezone)


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
        q = sa.select(wc.worker, wc.name, wc.furigana, wc.language).where(wc.worker.in_(ids[i:i + 500]))
        people.update({r.worker: r for r in conn.execute(q)})
    cards: dict[str, list[str]] = {}
    bc = t.card_bindings.c
    for i in range(0, len(ids), 500):
        q = sa.select(bc.worker, bc.idm, bc.valid_from, bc.valid_to).where(bc.worker.in_(ids[i:i + 500]))
        for r in conn.execute(q):
            if r.valid_from <= today.isoformat() and (r.valid_to is None or today.isoformat() <= r.valid_to):
                cards.setdefault(r.worker, []).append(r.idm)
    for idm, worker in _kiosk_bound_cards(conn, site, day=today.isoformat()).items():
        if worker in people:
            cards.setdefault(worker, []).append(idm)
    cc = t.companies.c
    employers = sorted({e.employer for e in entries})
    names = {r.company: r.name for r in conn.execute(sa.select(cc.company, cc.name).where(cc.company.in_(employers)))}
    workers = tuple(
        PulledRosterWorker(e.worker, people[e.worker].name, people[e.worker].furigana, e.employer,
                     names.get(e.employer, ""), e.trade_name or "", e.trade_code or "", e.position or "",
                     tuple(sorted(cards.get(e.worker, ()))), language=people[e.worker].language)
        for e in entries)
    return RosterSnapshot(site, workers + _cardholders_off_roster(conn, site, today, set(ids)))


def _kiosk_bound_cards(conn: sa.Connection, site: str, *, day: str) -> dict[str, str]:
    """Cards a site manager bound at one of this site's kiosks (``bind`` events): idm -> worker, the latest
    bind of each card, leaving out cards the registry binds today (the registry wins).

    So a card bound at gate A reaches gate B (and every gate after its journal is pruned) through the next
    roster pull, not only the work history.
    """
    bc = t.binds.c
    latest: dict[str, str] = {}
    rows = conn.execute(sa.select(bc.idm, bc.worker).where(bc.site == site)
                        .order_by(bc.at, bc.device, bc.epoch, bc.seq))
    for r in rows:
        latest[r.idm] = r.worker
    if not latest:
        return {}
    rc = t.card_bindings.c
    taken: set[str] = set()
    idms = sorted(latest)
    for i in range(0, len(idms), 500):
        q = sa.select(rc.idm).where(rc.idm.in_(idms[i:i + 500]), rc.valid_from <= day,
                                    sa.or_(rc.valid_to.is_(None), rc.valid_to >= day))
        taken.update(r.idm for r in conn.execute(q))
    return {idm: worker for idm, worker in latest.items() if idm not in taken}


def _cardholders_off_roster(conn: sa.Connection, site: str, today: date,
                            on_roster: set[str]) -> tuple[PulledRosterWorker, ...]:
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
        sa.select(wc.worker, wc.name, wc.furigana, wc.employer, cc.name.label("employer_name"), bc.idm, wc.language)
        .join(t.card_bindings, bc.worker == wc.worker).join(t.companies, cc.company == wc.employer)
        .where(wc.employer.in_(companies), bc.valid_from <= day, sa.or_(bc.valid_to.is_(None), bc.valid_to >= day))
    ).all()
    found: dict[str, tuple[Any, list[str]]] = {}
    for r in rows:
        if r.worker not in on_roster:
            found.setdefault(r.worker, (r, []))[1].append(r.idm)
    return tuple(
        PulledRosterWorker(r.worker, r.name, r.furigana, r.employer, r.employer_name, "", "", "", tuple(sorted(idms)),
                           on_roster=False, language=r.language)
        for r, idms in found.values())


def roster_provider(now: Callable[[], datetime]) -> RosterProvider:
    def provide(conn: sa.Connection, site: str) -> RosterSnapshot:
        s = rec.find_site(conn, site)
        if s is None:
            return empty_roster(conn, site)
        return roster_snapshot(conn, site, now().astimezone(ZoneInfo(s.timezone)).date())

    return provide


def install(pull: PullProviders, now: Callable[[], datetime]) -> None:
    """Serve device pulls from the domain's tables (idempotent)."""
    pull.site_config = site_config_provider
    pull.roster = roster_provider(now)
