"""What the site pages show, gathered through the API's own functions for the signed-in principal.

Nothing here decides who may see what: the lists come from the API route functions (which apply
server.domain.disclosure), and worker names come from :func:`server.domain.disclosure.worker_view` with the
site's roster as the active roster (so a name is shown exactly when the API would show it).
"""

from __future__ import annotations

import json
from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from server.domain.disclosure import Principal, worker_view
from server.store import console_queries as queries
from server.store import domain_records as rec

FLAG_CLASS = {
    "unknown_card": "f-bad", "not_on_roster": "f-bad", "roster_incomplete": "f-warn",
    "entry_without_exit": "f-warn", "exit_without_entry": "f-warn", "clock_suspect": "f-warn",
    "corrected": "f-info", "amended": "f-info", "repeats_collapsed": "f-ok",
}
"""Colour of a calendar cell by its most serious flag (the legend on the page says the same)."""
ORDER = ("f-bad", "f-warn", "f-info", "f-ok")


def cell_class(flags: list[str]) -> str:
    classes = {FLAG_CLASS.get(f, "f-ok") for f in flags} or {"f-ok"}
    return next(c for c in ORDER if c in classes)


def visible_names(conn: sa.Connection, p: Principal, site: str, workers: set[str]) -> dict[str, str]:
    """Names of ``workers`` that ``p`` may read (others are left out and shown by id)."""
    if not workers:
        return {}
    s = rec.get_site(conn, site)
    structure = rec.load_structure(conn, site)
    entries = {e.worker: e for e in rec.roster_of(conn, site)}
    out: dict[str, str] = {}
    proxies: dict[str, list[str]] = {}
    for r in queries.worker_rows(conn, workers):
        w = rec._worker(r)
        if w.employer not in proxies:
            proxies[w.employer] = rec.proxies_of(conn, w.employer)
        active = [(s, structure, entries[w.worker])] if w.worker in entries else []
        view = worker_view(p, w, active_rosters=active, worker_consent=json.loads(r.consent_worker),
                           employer_consent=json.loads(r.consent_employer), proxies=proxies[w.employer])
        if view is not None and "name" in view:
            out[w.worker] = str(view["name"])
    return out


@dataclass(frozen=True, slots=True)
class Calendar:
    month: str
    days: list[date]
    subjects: list[tuple[str, str, str]]
    """(subject key, label, employer) per row: a worker id or ``card:IDm``."""
    cells: dict[tuple[str, str], dict[str, Any]]
    """(subject, YYYY-MM-DD) → the history row."""


def calendar(rows: list[dict[str, Any]], month: str, names: dict[str, str]) -> Calendar:
    first = date.fromisoformat(month + "-01")
    days = [first.replace(day=d) for d in range(1, monthrange(first.year, first.month)[1] + 1)]
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    subjects: dict[str, tuple[str, str, str]] = {}
    for r in rows:
        key = r["worker"] or f"card:{r['idm']}"
        label = names.get(r["worker"] or "", "") if r["worker"] else f"IDm {r['idm']}"
        subjects.setdefault(key, (key, label, r["employer"] or ""))
        cells[(key, r["work_day"])] = r
    order = sorted(subjects.values(), key=lambda s: (s[0].startswith("card:"), s[2], s[0]))
    return Calendar(month, days, order, cells)


def pending_invitations(conn: sa.Connection, p: Principal) -> list[dict[str, Any]]:
    """Invitations waiting for ``p``'s company to approve (未承認): the invited company cannot see the site yet,
    so the sites page lists them with the approve action (the API's approve needs no view of the site)."""
    if not p.is_company or p.company is None:
        return []
    out = []
    for site in rec.candidate_sites(conn, company=p.company):
        if p.site not in (None, site):
            continue
        s = rec.get_site(conn, site)
        structure = rec.load_structure(conn, site)
        for m in structure.members:
            if m.company == p.company and m.status == "pending":
                parent = structure.get(m.parent).name if m.parent is not None else ""
                out.append({"site": site, "site_name": s.name, "member": m.member, "by": parent,
                            "invited_at": m.invited_at})
    return out
