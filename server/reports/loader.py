"""Everything one site-month report reads, loaded once and cut to what the viewer may see.

Disclosure is the domain's (server.domain.disclosure), applied here and only
here, before any report is built: history rows and roster entries through
``visible_employers`` / ``may_read_row`` (a subcontractor sees its branch, a
worker only themself), the 作業員名簿 sheet fields through ``worker_view``
(only whoever may read a worker's roster-level fields). Builders never see
what the viewer may not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from server.domain import disclosure as dis
from server.domain.errors import NotFound
from server.domain.registry import Company, Site, Worker
from server.domain.report import check_month, month_days
from server.domain.roster import RosterEntry
from server.domain.structure import Structure
from server.reports import store
from server.reports.details import WorkerDetails
from server.reports.labour import fiscal_year_start, previous_months
from server.reports.model import holidays_of
from server.store import domain_records as rec
from server.store.domain_reconcile import history


@dataclass(slots=True)
class MonthData:
    site: Site
    month: str
    days: list[date]
    today: date
    viewer: dis.Principal
    structure: Structure
    companies: dict[str, Company]
    workers: dict[str, Worker]
    roster: list[RosterEntry]
    rows: list[dict[str, Any]]
    details: dict[str, WorkerDetails]
    """Only workers whose roster-level fields the viewer may read."""
    education: dict[str, date]
    sheet_allowed: set[str] = field(default_factory=set)
    """Workers whose 作業員名簿 fields the viewer may read (disclosure: roster-level access)."""
    holidays: dict[date, str] = field(default_factory=dict)
    earlier_rows: list[dict[str, Any]] = field(default_factory=list)
    """Visible rows of the fiscal year to date and the five months before (labour rules)."""

    def company_name(self, company: str | None) -> str:
        if company is None:
            return ""
        c = self.companies.get(company)
        return c.name if c else company

    def entry_of(self, worker: str, day: date | None = None) -> RosterEntry | None:
        best = None
        for e in self.roster:
            if e.worker == worker and (day is None or e.covers(day)):
                best = e
        return best


def _visible(p: dis.Principal, scope: set[str] | None, worker: str | None, employer: str | None) -> bool:
    return dis.may_read_row(p, worker, employer, set() if p.role == "worker" else scope)


def load(conn: sa.Connection, site: str, month: str, viewer: dis.Principal, today: date,
         *, with_earlier: bool = False) -> MonthData:
    """The site-month as ``viewer`` may see it; :class:`NotFound` when the site is not visible at all."""
    check_month(month)
    s = rec.get_site(conn, site)
    structure = rec.load_structure(conn, site)
    days = month_days(month)
    scope = dis.visible_employers(viewer, s, structure)
    all_roster = rec.roster_of(conn, site)
    if not dis.may_view_site(viewer, s, structure, all_roster):
        raise NotFound(f"site {site} is not visible to you", site=site)  # existence is not revealed either
    rows = [r for r in history(conn, site=site, month=month) if _visible(viewer, scope, r["worker"], r["employer"])]
    roster = [e for e in all_roster if e.valid_from <= days[-1] and (e.valid_to is None or e.valid_to >= days[0])
              and _visible(viewer, scope, e.worker, e.employer)]
    ids = {e.worker for e in roster} | {r["worker"] for r in rows if r["worker"]}
    workers = {w: rec.get_worker(conn, w) for w in sorted(ids)}
    company_ids = {m.company for m in structure.members if m.company} | {w.employer for w in workers.values()}
    companies = {c.company: c for c in rec.list_companies(conn) if c.company in company_ids}
    proxies = {e: rec.proxies_of(conn, e) for e in {w.employer for w in workers.values()}}
    sheet = set()
    for w, worker in workers.items():
        active = [(s, structure, e) for e in roster if e.worker == w]
        view = dis.worker_view(viewer, worker, active_rosters=active, proxies=proxies[worker.employer])
        if view is not None and set(dis.ROSTER_FIELDS) <= view.keys():
            sheet.add(w)
    data = MonthData(site=s, month=month, days=days, today=today, viewer=viewer, structure=structure,
                     companies=companies, workers=workers, roster=roster, rows=rows,
                     details=store.details_of(conn, sheet),
                     education={w: d for w, d in store.education_of(conn, site).items() if w in workers},
                     sheet_allowed=sheet, holidays=holidays_of(days))
    if with_earlier:
        start = min(fiscal_year_start(month), date.fromisoformat(previous_months(month, 6)[0] + "-01"))
        m = start
        while m < days[0]:
            key = f"{m.year:04d}-{m.month:02d}"
            data.earlier_rows += [r for r in history(conn, site=site, month=key)
                                  if _visible(viewer, scope, r["worker"], r["employer"])]
            m = (m + timedelta(days=32)).replace(day=1)
        for w in sorted({r["worker"] for r in data.earlier_rows if r["worker"]} - set(workers)):
            workers[w] = rec.get_worker(conn, w)
    return data
