"""Persistence of the 作業員名簿 fields (tables ``rep_*``); every other read goes through the domain's store.

Thin: rows to and from :mod:`server.reports.details` records. Callers own the
transaction (a refused write changes nothing).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

import sqlalchemy as sa

from server.domain.structure import StructureChange
from server.reports import schema as t
from server.reports.details import Credential, Education, WorkerDetails
from server.store import domain_records as rec
from server.store import domain_schema as dt
from server.store.audit_log import queue_key_change
from shared.timefmt import parse_rfc3339


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _details(r: Any) -> WorkerDetails:
    creds = tuple(Credential(c["kind"], c["name"], _d(c.get("obtained")), _d(c.get("expires")))
                  for c in json.loads(r.credentials))
    return WorkerDetails(worker=r.worker, birth_date=_d(r.birth_date), hire_date=_d(r.hire_date),
                         emergency_name=r.emergency_name, emergency_relation=r.emergency_relation,
                         emergency_phone=r.emergency_phone, health_general=_d(r.health_general),
                         health_special=_d(r.health_special), credentials=creds)


def put_details(conn: sa.Connection, d: WorkerDetails) -> None:
    """Create or replace a worker's 作業員名簿 fields (the worker must be registered)."""
    rec.get_worker(conn, d.worker)
    values = dict(birth_date=_iso(d.birth_date), hire_date=_iso(d.hire_date), emergency_name=d.emergency_name,
                  emergency_relation=d.emergency_relation, emergency_phone=d.emergency_phone,
                  health_general=_iso(d.health_general), health_special=_iso(d.health_special),
                  credentials=json.dumps([{"kind": c.kind, "name": c.name, "obtained": _iso(c.obtained),
                                           "expires": _iso(c.expires)} for c in d.credentials], ensure_ascii=False))
    c = t.worker_details.c
    if conn.execute(sa.select(c.worker).where(c.worker == d.worker)).first():
        conn.execute(t.worker_details.update().where(c.worker == d.worker).values(**values))
    else:
        conn.execute(t.worker_details.insert().values(worker=d.worker, **values))
    queue_key_change(conn, t.worker_details.name, d.worker)


def details_of(conn: sa.Connection, workers: Iterable[str]) -> dict[str, WorkerDetails]:
    ids = sorted(set(workers))
    out: dict[str, WorkerDetails] = {}
    for i in range(0, len(ids), 500):
        q = sa.select(t.worker_details).where(t.worker_details.c.worker.in_(ids[i:i + 500]))
        out.update({r.worker: _details(r) for r in conn.execute(q)})
    return out


def put_education(conn: sa.Connection, e: Education) -> None:
    rec.get_site(conn, e.site)
    rec.get_worker(conn, e.worker)
    c = t.education.c
    if conn.execute(sa.select(c.worker).where(c.site == e.site, c.worker == e.worker)).first():
        conn.execute(t.education.update().where(c.site == e.site, c.worker == e.worker)
                     .values(educated_on=e.educated_on.isoformat()))
    else:
        conn.execute(t.education.insert().values(site=e.site, worker=e.worker, educated_on=e.educated_on.isoformat()))
    queue_key_change(conn, t.education.name, e.site, e.worker)


def education_of(conn: sa.Connection, site: str) -> dict[str, date]:
    c = t.education.c
    return {r.worker: date.fromisoformat(r.educated_on)
            for r in conn.execute(sa.select(c.worker, c.educated_on).where(c.site == site))}


# ---------------------------------------------------------------- many sites at once (fleet KPIs)

def month_kpi_counts(conn: sa.Connection, month_first: date, month_next: date) -> Iterator[tuple[Any, ...]]:
    """Per site and day of the month: (site, work_day, rows, card rows of known workers, distinct known workers,
    distinct workers registered in CCUS) — the :class:`server.reports.kpi.DayCounts`, counted by the database."""
    wd, w = dt.work_days.c, dt.workers.c
    # A site-day has at most one row per worker (the key is site, day, subject = the worker id), so counting
    # the non-null worker ids counts distinct workers: no DISTINCT (and no sort) needed.
    touched = sa.func.sum(sa.case(((wd.source == "card") & wd.worker.is_not(None), 1), else_=0))
    registered = sa.func.sum(sa.case(((w.origin == "ccus") & wd.worker.is_not(None), 1), else_=0))
    q = (sa.select(wd.site, wd.work_day, sa.func.count(), touched, sa.func.count(wd.worker), registered)
         .select_from(dt.work_days.outerjoin(dt.workers, wd.worker == w.worker))
         .where(wd.work_day >= month_first.isoformat(), wd.work_day < month_next.isoformat())
         .group_by(wd.site, wd.work_day).order_by(wd.site, wd.work_day))
    yield from conn.execute(q).yield_per(20_000)


def all_structure_changes(conn: sa.Connection) -> dict[str, list[StructureChange]]:
    c = dt.structure_changes.c
    out: dict[str, list[StructureChange]] = {}
    for r in conn.execute(sa.select(dt.structure_changes).order_by(c.site, c.id)).yield_per(20_000):
        out.setdefault(r.site, []).append(StructureChange(
            site=r.site, at=parse_rfc3339(r.at), action=r.action, member=r.member, by=r.by_company,
            parent=r.parent, company=r.company, name=r.name, work_name=r.work_name,
            work_description=r.work_description))
    return out


def company_origins(conn: sa.Connection) -> dict[str, str]:
    c = dt.companies.c
    return {r.company: r.origin for r in conn.execute(sa.select(c.company, c.origin))}


def site_timezones(conn: sa.Connection) -> dict[str, str]:
    c = dt.sites.c
    return {r.site: r.timezone for r in conn.execute(sa.select(c.site, c.timezone))}
