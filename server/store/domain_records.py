"""Persistence of the domain's records (registry, structure history, roster, bindings, corrections, users).

Thin: converts rows to and from :mod:`server.domain` records and runs the
pure checks *before* writing, inside the caller's transaction, so a refused
request changes nothing. Callers open the transaction
(:func:`server.store.engine.write_transaction`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa

from server.domain import structure as st
from server.domain.corrections import AuditStep, Correction
from server.domain.errors import Duplicate, Invalid, NotFound
from server.domain.reconcile import BindingTerms, RosterTerms
from server.domain.registry import CardBinding, Company, Site, Worker, check_new_binding
from server.domain.roster import RosterEntry, check_roster_entry
from server.store import domain_schema as t
from server.store.audit_log import queue_change, queue_key_change
from shared.timefmt import format_rfc3339, parse_rfc3339


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _ts(value: datetime | None) -> str | None:
    return format_rfc3339(value) if value is not None else None


def _dt(value: str | None) -> datetime | None:
    return parse_rfc3339(value) if value else None


# ---------------------------------------------------------------- companies

def add_company(conn: sa.Connection, c: Company) -> None:
    if conn.execute(sa.select(t.companies.c.company).where(t.companies.c.company == c.company)).first():
        raise Duplicate(f"company {c.company} already exists", company=c.company)
    conn.execute(t.companies.insert().values(
        company=c.company, name=c.name, licence_no=c.licence_no, corporate_no=c.corporate_no,
        insurance_ok=c.insurance_ok, origin=c.origin))
    queue_key_change(conn, t.companies.name, c.company)


def _company(row: Any) -> Company:
    return Company(company=row.company, name=row.name, licence_no=row.licence_no, corporate_no=row.corporate_no,
                   insurance_ok=row.insurance_ok, origin=row.origin)


def get_company(conn: sa.Connection, company: str) -> Company:
    row = conn.execute(sa.select(t.companies).where(t.companies.c.company == company)).first()
    if row is None:
        raise NotFound(f"company {company} is not registered", company=company)
    return _company(row)


def list_companies(conn: sa.Connection) -> list[Company]:
    return [_company(r) for r in conn.execute(sa.select(t.companies).order_by(t.companies.c.company))]


# ---------------------------------------------------------------- workers

def add_worker(conn: sa.Connection, w: Worker) -> None:
    get_company(conn, w.employer)
    if conn.execute(sa.select(t.workers.c.worker).where(t.workers.c.worker == w.worker)).first():
        raise Duplicate(f"worker {w.worker} already exists", worker=w.worker)
    conn.execute(t.workers.insert().values(
        worker=w.worker, name=w.name, furigana=w.furigana, employer=w.employer, trade_major=w.trade_major,
        trade_minor=w.trade_minor, trade_name=w.trade_name, level=w.level, health_insurance=w.health_insurance,
        pension=w.pension, employment_insurance=w.employment_insurance, retirement_fund=w.retirement_fund,
        qualifications=json.dumps(list(w.qualifications), ensure_ascii=False), origin=w.origin, language=w.language))
    queue_key_change(conn, t.workers.name, w.worker)


def _worker(row: Any) -> Worker:
    return Worker(worker=row.worker, name=row.name, furigana=row.furigana, employer=row.employer,
                  trade_major=row.trade_major, trade_minor=row.trade_minor, trade_name=row.trade_name, level=row.level,
                  health_insurance=row.health_insurance, pension=row.pension,
                  employment_insurance=row.employment_insurance, retirement_fund=row.retirement_fund,
                  qualifications=tuple(json.loads(row.qualifications)), origin=row.origin, language=row.language)


def get_worker(conn: sa.Connection, worker: str) -> Worker:
    row = conn.execute(sa.select(t.workers).where(t.workers.c.worker == worker)).first()
    if row is None:
        raise NotFound(f"worker {worker} is not registered", worker=worker)
    return _worker(row)


def list_workers(conn: sa.Connection, employer: str | None = None) -> list[Worker]:
    q = sa.select(t.workers).order_by(t.workers.c.worker)
    if employer is not None:
        q = q.where(t.workers.c.employer == employer)
    return [_worker(r) for r in conn.execute(q)]


def set_language(conn: sa.Connection, worker: str, language: str) -> Worker:
    """Change a worker's own language (checked by :class:`Worker`); the audit log is told, as for every record."""
    w = replace(get_worker(conn, worker), language=language)
    conn.execute(t.workers.update().where(t.workers.c.worker == worker).values(language=w.language))
    queue_key_change(conn, t.workers.name, worker)
    return w


def consents(conn: sa.Connection, worker: str) -> tuple[list[str], list[str]]:
    row = conn.execute(sa.select(t.workers.c.consent_worker, t.workers.c.consent_employer)
                       .where(t.workers.c.worker == worker)).first()
    if row is None:
        raise NotFound(f"worker {worker} is not registered", worker=worker)
    return json.loads(row.consent_worker), json.loads(row.consent_employer)


def set_consent(conn: sa.Connection, worker: str, *, by_worker: list[str] | None = None,
                by_employer: list[str] | None = None) -> None:
    values: dict[str, str] = {}
    if by_worker is not None:
        values["consent_worker"] = json.dumps(sorted(set(by_worker)))
    if by_employer is not None:
        values["consent_employer"] = json.dumps(sorted(set(by_employer)))
    conn.execute(t.workers.update().where(t.workers.c.worker == worker).values(**values))
    queue_key_change(conn, t.workers.name, worker)


def employers_of(conn: sa.Connection, workers: Iterable[str]) -> dict[str, str]:
    """worker → registry employer (reconciliation, every round: literal SQL, see :func:`driver_rows`)."""
    ids = list(workers)
    if not ids:
        return {}
    return {r[0]: r[1] for r in driver_rows(conn, f"SELECT worker, employer FROM {t.workers.name} WHERE 1 = 1", (),
                                            "worker", ids)}


# ---------------------------------------------------------------- sites and structure

def _site(row: Any) -> Site:
    return Site(site=row.site, name=row.name, prime=row.prime, address=row.address, order_type=row.order_type,
                accumulation_from=_d(row.accumulation_from), accumulation_to=_d(row.accumulation_to),
                manager=row.manager, day_boundary=time.fromisoformat(row.day_boundary), timezone=row.timezone,
                repeat_window_s=row.repeat_window_s, origin=row.origin)


def add_site(conn: sa.Connection, s: Site, *, at: datetime) -> None:
    """Register a site; its structure starts with the prime contractor (history step ``prime``)."""
    prime = get_company(conn, s.prime)
    if conn.execute(sa.select(t.sites.c.site).where(t.sites.c.site == s.site)).first():
        raise Duplicate(f"site {s.site} already exists", site=s.site)
    conn.execute(t.sites.insert().values(
        site=s.site, name=s.name, prime=s.prime, address=s.address, order_type=s.order_type,
        accumulation_from=s.accumulation_from.isoformat() if s.accumulation_from else None,
        accumulation_to=s.accumulation_to.isoformat() if s.accumulation_to else None, manager=s.manager,
        day_boundary=s.day_boundary.strftime("%H:%M"), timezone=s.timezone, repeat_window_s=s.repeat_window_s,
        origin=s.origin))
    queue_key_change(conn, t.sites.name, s.site)
    _, change = st.new_structure(s.site, s.prime, prime.name, at)
    record_change(conn, change)
    publish_site_config(conn, s)


def publish_site_config(conn: sa.Connection, s: Site) -> None:
    """Keep the sync server's device-config table (``site_config``) in step with the registry."""
    from server.store.schema import site_config

    values = {"name": s.name, "day_boundary": s.day_boundary.strftime("%H:%M"), "repeat_window_s": s.repeat_window_s,
              "timezone": s.timezone}
    if conn.execute(sa.select(site_config.c.site).where(site_config.c.site == s.site)).first():
        conn.execute(site_config.update().where(site_config.c.site == s.site).values(**values))
    else:
        conn.execute(site_config.insert().values(site=s.site, **values))


def get_site(conn: sa.Connection, site: str) -> Site:
    row = conn.execute(sa.select(t.sites).where(t.sites.c.site == site)).first()
    if row is None:
        raise NotFound(f"site {site} is not registered", site=site)
    return _site(row)


def find_site(conn: sa.Connection, site: str) -> Site | None:
    row = conn.execute(sa.select(t.sites).where(t.sites.c.site == site)).first()
    return _site(row) if row else None


def list_sites(conn: sa.Connection) -> list[Site]:
    return [_site(r) for r in conn.execute(sa.select(t.sites).order_by(t.sites.c.site))]


def candidate_sites(conn: sa.Connection, *, company: str | None = None, worker: str | None = None) -> list[str]:
    """Sites a company ever appeared in the structure of, or a worker on the roster of (a superset to check)."""
    found: set[str] = set()
    if company is not None:
        sc = t.structure_changes.c
        found |= {r.site for r in conn.execute(sa.select(sc.site).where(sc.company == company).distinct())}
        found |= {r.site for r in conn.execute(sa.select(t.sites.c.site).where(t.sites.c.prime == company))}
    if worker is not None:
        rc = t.roster.c
        found |= {r.site for r in conn.execute(sa.select(rc.site).where(rc.worker == worker).distinct())}
    return sorted(found)


def record_change(conn: sa.Connection, c: st.StructureChange) -> None:
    conn.execute(t.structure_changes.insert().values(
        site=c.site, at=format_rfc3339(c.at), action=c.action, member=c.member, by_company=c.by, parent=c.parent,
        company=c.company, name=c.name, work_name=c.work_name, work_description=c.work_description))


def structure_history(conn: sa.Connection, site: str) -> list[st.StructureChange]:
    q = sa.select(t.structure_changes).where(t.structure_changes.c.site == site).order_by(t.structure_changes.c.id)
    return [st.StructureChange(site=r.site, at=parse_rfc3339(r.at), action=r.action, member=r.member,
                               by=r.by_company, parent=r.parent, company=r.company, name=r.name,
                               work_name=r.work_name, work_description=r.work_description)
            for r in conn.execute(q)]


def load_structure(conn: sa.Connection, site: str) -> st.Structure:
    get_site(conn, site)
    return st.replay(structure_history(conn, site))


# ---------------------------------------------------------------- card bindings

def _binding(r: Any) -> CardBinding:
    return CardBinding(idm=r.idm, worker=r.worker, valid_from=date.fromisoformat(r.valid_from),
                       valid_to=_d(r.valid_to), id=r.id)


def add_binding(conn: sa.Connection, b: CardBinding) -> int:
    get_worker(conn, b.worker)
    check_new_binding(b, bindings_for(conn, [b.idm]))
    res = conn.execute(t.card_bindings.insert().values(
        idm=b.idm, worker=b.worker, valid_from=b.valid_from.isoformat(),
        valid_to=b.valid_to.isoformat() if b.valid_to else None))
    return int(res.inserted_primary_key[0])  # type: ignore[index]


def end_binding(conn: sa.Connection, binding_id: int, valid_to: date) -> CardBinding:
    row = conn.execute(sa.select(t.card_bindings).where(t.card_bindings.c.id == binding_id)).first()
    if row is None:
        raise NotFound(f"card binding {binding_id} does not exist", binding=binding_id)
    b = _binding(row)
    ended = CardBinding(b.idm, b.worker, b.valid_from, valid_to, id=b.id)
    conn.execute(t.card_bindings.update().where(t.card_bindings.c.id == binding_id)
                 .values(valid_to=valid_to.isoformat()))
    queue_change(conn, t.card_bindings.name, binding_id)
    return ended


def bindings_for(conn: sa.Connection, idms: Iterable[str] | None = None,
                 worker: str | None = None, workers: Iterable[str] | None = None) -> list[CardBinding]:
    """Card bindings, by id; only of ``idms`` / of ``worker`` / of ``workers`` when given.

    Many ``idms`` or ``workers`` are read in chunks of :data:`_IN_CHUNK` (one query each, never one per
    card or worker, and under SQLite's limit of host parameters).
    """
    q = sa.select(t.card_bindings).order_by(t.card_bindings.c.id)
    if worker is not None:
        q = q.where(t.card_bindings.c.worker == worker)
    keyed: list[tuple[sa.ColumnElement[Any], list[str]]] = []
    if idms is not None:
        keyed.append((t.card_bindings.c.idm, sorted(set(idms))))
    if workers is not None:
        keyed.append((t.card_bindings.c.worker, sorted(set(workers))))
    if not keyed:
        return [_binding(r) for r in conn.execute(q)]
    if len(keyed) == 2 or len(keyed[0][1]) <= _IN_CHUNK:
        for column, values in keyed:
            q = q.where(column.in_(values))
        return [_binding(r) for r in conn.execute(q)]
    column, values = keyed[0]
    found = [r for i in range(0, len(values), _IN_CHUNK)
             for r in conn.execute(q.where(column.in_(values[i:i + _IN_CHUNK])))]
    return [_binding(r) for r in sorted(found, key=lambda r: r.id)]


_IN_CHUNK = 5000


def driver_rows(conn: sa.Connection, sql: str, params: tuple[Any, ...], column: str | None = None,
                values: Iterable[str] | None = None, tail: str = "") -> list[Any]:
    """Rows of literal SQL as the driver's tuples, bypassing the SQL expression layer: reconciliation's reads run
    in every worker round, where building and compiling a statement cost more than SQLite running it.

    ``sql`` uses ``?`` placeholders (rewritten for psycopg); with ``column``, ``AND column IN (…)`` is added
    for ``values``, in chunks of :data:`_IN_CHUNK` (one query each); ``tail`` follows (``ORDER BY``).
    """
    pg = conn.dialect.name == "postgresql"
    if values is None:
        chunks: list[list[str]] = [[]]
    else:
        ids = sorted(set(values))
        chunks = [ids[i:i + _IN_CHUNK] for i in range(0, len(ids), _IN_CHUNK)]
    out: list[Any] = []
    for chunk in chunks:
        text = sql
        if column is not None:
            text += f" AND {column} IN ({', '.join('?' * len(chunk))})"
        text += tail
        if pg:
            text = text.replace("?", "%s")
        out += conn.exec_driver_sql(text, params + tuple(chunk)).all()
    return out


def binding_terms(conn: sa.Connection, idms: Iterable[str] | None = None,
                  workers: Iterable[str] | None = None) -> list[BindingTerms]:
    """:func:`bindings_for` as reconciliation reads it (rule 1): the bindings of ``idms`` or of ``workers`` (one of
    the two, or all), by id, as :class:`BindingTerms` — no checked :class:`CardBinding` per binding (a worker
    round over a 1,000-card batch reads a few thousand)."""
    values = idms if idms is not None else workers
    if values is not None and not (values := list(values)):
        return []
    column = None if values is None else ("idm" if idms is not None else "worker")
    rows = driver_rows(conn, f"SELECT id, idm, worker, valid_from, valid_to FROM {t.card_bindings.name} WHERE 1 = 1",
                       (), column, values, " ORDER BY id")
    rows.sort(key=lambda r: r[0])  # by id across chunks, as bindings_for
    fromiso = date.fromisoformat
    return [BindingTerms(r[1], r[2], fromiso(r[3]), fromiso(r[4]) if r[4] else None) for r in rows]


# ---------------------------------------------------------------- roster

def _entry(r: Any) -> RosterEntry:
    return RosterEntry(site=r.site, worker=r.worker, employer=r.employer, valid_from=date.fromisoformat(r.valid_from),
                       valid_to=_d(r.valid_to), trade_code=r.trade_code, trade_name=r.trade_name, position=r.position,
                       work_content=r.work_content, hazardous=r.hazardous,
                       health_checks=tuple(json.loads(r.health_checks)),
                       qualifications=tuple(json.loads(r.qualifications)), id=r.id)


def roster_of(conn: sa.Connection, site: str, worker: str | None = None,
              workers: Iterable[str] | None = None) -> list[RosterEntry]:
    """The site's roster entries by worker and start; only ``worker``'s / ``workers``' when given (the
    reconciling worker asks for the few workers a round recomputes, not a 1,000-worker site's whole roster)."""
    q = sa.select(t.roster).where(t.roster.c.site == site).order_by(t.roster.c.worker, t.roster.c.valid_from)
    if worker is not None:
        q = q.where(t.roster.c.worker == worker)
    if workers is None:
        return [_entry(r) for r in conn.execute(q)]
    ids = sorted(set(workers))
    return [_entry(r) for i in range(0, len(ids), _IN_CHUNK)
            for r in conn.execute(q.where(t.roster.c.worker.in_(ids[i:i + _IN_CHUNK])))]


def roster_terms(conn: sa.Connection, site: str, workers: Iterable[str] | None = None) -> list[RosterTerms]:
    """:func:`roster_of` as reconciliation reads it (rule 6), in the same order: :class:`RosterTerms`, without
    the entries' lists (JSON) and checks; only ``workers``' entries when given."""
    if workers is not None and not (workers := list(workers)):
        return []
    rows = driver_rows(conn, "SELECT site, worker, employer, valid_from, valid_to, trade_code, trade_name, position, "
                       f"work_content, hazardous FROM {t.roster.name} WHERE site = ?", (site,),
                       None if workers is None else "worker", workers, " ORDER BY worker, valid_from")
    fromiso = date.fromisoformat
    return [RosterTerms(r[0], r[1], r[2], fromiso(r[3]), fromiso(r[4]) if r[4] else None, r[5], r[6], r[7], r[8],
                        r[9]) for r in rows]


def roster_entries_of_worker(conn: sa.Connection, worker: str) -> list[RosterEntry]:
    q = sa.select(t.roster).where(t.roster.c.worker == worker).order_by(t.roster.c.site, t.roster.c.valid_from)
    return [_entry(r) for r in conn.execute(q)]


def add_roster_entry(conn: sa.Connection, e: RosterEntry) -> int:
    structure = load_structure(conn, e.site)
    worker = get_worker(conn, e.worker)
    if worker.employer != e.employer:
        raise Invalid(f"worker {e.worker} is employed by {worker.employer}, not {e.employer}",
                      message_ja="作業員名簿には所属事業者の技能者だけを登録できます。", worker=e.worker)
    check_roster_entry(e, structure, roster_of(conn, e.site, e.worker))
    res = conn.execute(t.roster.insert().values(
        site=e.site, worker=e.worker, employer=e.employer, valid_from=e.valid_from.isoformat(),
        valid_to=e.valid_to.isoformat() if e.valid_to else None, trade_code=e.trade_code, trade_name=e.trade_name,
        position=e.position, work_content=e.work_content, hazardous=e.hazardous,
        health_checks=json.dumps(list(e.health_checks), ensure_ascii=False),
        qualifications=json.dumps(list(e.qualifications), ensure_ascii=False)))
    return int(res.inserted_primary_key[0])  # type: ignore[index]


def get_roster_entry(conn: sa.Connection, entry_id: int) -> RosterEntry:
    row = conn.execute(sa.select(t.roster).where(t.roster.c.id == entry_id)).first()
    if row is None:
        raise NotFound(f"roster entry {entry_id} does not exist", entry=entry_id)
    return _entry(row)


def end_roster_entry(conn: sa.Connection, entry_id: int, valid_to: date) -> RosterEntry:
    e = get_roster_entry(conn, entry_id)
    ended = replace(e, valid_to=valid_to)  # validates: refuses an end before the start
    conn.execute(t.roster.update().where(t.roster.c.id == entry_id).values(valid_to=valid_to.isoformat()))
    queue_change(conn, t.roster.name, entry_id)
    return ended


# ---------------------------------------------------------------- corrections

def _correction(r: Any) -> Correction:
    src = (r.src_device, r.src_epoch, r.src_seq) if r.src_device else None
    return Correction(site=r.site, worker=r.worker, work_day=date.fromisoformat(r.work_day), entry_at=_dt(r.entry_at),
                      exit_at=_dt(r.exit_at), origin=r.origin, requested_by=r.requested_by,
                      requested_at=parse_rfc3339(r.requested_at), reason=r.reason, status=r.status,
                      decided_by=r.decided_by, decided_at=_dt(r.decided_at), decision_note=r.decision_note,
                      source_event=src, id=r.id)


def add_correction(conn: sa.Connection, c: Correction, step: AuditStep) -> int:
    src = c.source_event or (None, None, None)
    res = conn.execute(t.corrections.insert().values(
        site=c.site, worker=c.worker, work_day=c.work_day.isoformat(), entry_at=_ts(c.entry_at),
        exit_at=_ts(c.exit_at), origin=c.origin, requested_by=c.requested_by, requested_at=_ts(c.requested_at),
        reason=c.reason, status=c.status, decided_by=c.decided_by, decided_at=_ts(c.decided_at),
        decision_note=c.decision_note, src_device=src[0], src_epoch=src[1], src_seq=src[2]))
    cid = int(res.inserted_primary_key[0])  # type: ignore[index]
    add_audit(conn, cid, step)
    return cid


def add_audit(conn: sa.Connection, correction: int, step: AuditStep) -> None:
    conn.execute(t.correction_audit.insert().values(correction=correction, at=format_rfc3339(step.at),
                                                    action=step.action, by=step.by, note=step.note))


def save_decision(conn: sa.Connection, c: Correction, step: AuditStep) -> None:
    assert c.id is not None
    conn.execute(t.corrections.update().where(t.corrections.c.id == c.id).values(
        status=c.status, decided_by=c.decided_by, decided_at=_ts(c.decided_at), decision_note=c.decision_note))
    add_audit(conn, c.id, step)


def get_correction(conn: sa.Connection, cid: int) -> Correction:
    row = conn.execute(sa.select(t.corrections).where(t.corrections.c.id == cid)).first()
    if row is None:
        raise NotFound(f"correction {cid} does not exist", correction=cid)
    return _correction(row)


def corrections_of(conn: sa.Connection, *, site: str | None = None, worker: str | None = None,
                   status: str | None = None, days: Iterable[date] | None = None) -> list[Correction]:
    q = sa.select(t.corrections).order_by(t.corrections.c.id)
    if site is not None:
        q = q.where(t.corrections.c.site == site)
    if worker is not None:
        q = q.where(t.corrections.c.worker == worker)
    if status is not None:
        q = q.where(t.corrections.c.status == status)
    if days is not None:
        q = q.where(t.corrections.c.work_day.in_(sorted(d.isoformat() for d in days)))
    return [_correction(r) for r in conn.execute(q)]


_CORRECTION_COLUMNS = ", ".join(c.name for c in t.corrections.columns)


def approved_corrections(conn: sa.Connection, site: str, days: Iterable[date] | None = None) -> list[Correction]:
    """:func:`corrections_of` ``(site=…, status="approved", days=…)`` for reconciliation (every worker round; mostly
    none): literal SQL, see :func:`driver_rows`."""
    rows = driver_rows(conn, f"SELECT {_CORRECTION_COLUMNS} FROM {t.corrections.name} WHERE site = ? AND status = ?",
                       (site, "approved"), None if days is None else "work_day",
                       None if days is None else [d.isoformat() for d in days], " ORDER BY id")
    rows.sort(key=lambda r: r.id)  # by id across chunks
    return [_correction(r) for r in rows]


def site_rules(conn: sa.Connection, site: str) -> tuple[str, str, int] | None:
    """The registry's (day boundary, time zone, repeat window in s) of ``site``, None if it is not registered
    (reconciliation reads this in every worker round: literal SQL, see :func:`driver_rows`)."""
    rows = driver_rows(conn, f"SELECT day_boundary, timezone, repeat_window_s FROM {t.sites.name} WHERE site = ?",
                       (site,))
    return (rows[0][0], rows[0][1], int(rows[0][2])) if rows else None


def audit_of(conn: sa.Connection, cid: int) -> list[AuditStep]:
    q = sa.select(t.correction_audit).where(t.correction_audit.c.correction == cid).order_by(t.correction_audit.c.id)
    return [AuditStep(r.correction, parse_rfc3339(r.at), r.action, r.by, r.note) for r in conn.execute(q)]


def source_exists(conn: sa.Connection, key: tuple[str, int, int]) -> bool:
    c = t.corrections.c
    return conn.execute(sa.select(c.id).where(c.src_device == key[0], c.src_epoch == key[1],
                                              c.src_seq == key[2])).first() is not None


# ---------------------------------------------------------------- proxy agreements (代理手続)

def proxies_of(conn: sa.Connection, employer: str) -> list[str]:
    """Companies the employer agreed may register its workers' roster entries."""
    pc = t.proxies.c
    return [r.proxy for r in conn.execute(sa.select(pc.proxy).where(pc.employer == employer).order_by(pc.proxy))]


def grant_proxy(conn: sa.Connection, employer: str, proxy: str, at: datetime) -> None:
    get_company(conn, employer)
    get_company(conn, proxy)
    if employer == proxy:
        raise Invalid("a company does not need a proxy agreement with itself")
    if proxy not in proxies_of(conn, employer):
        conn.execute(t.proxies.insert().values(employer=employer, proxy=proxy, granted_at=format_rfc3339(at)))
        queue_key_change(conn, t.proxies.name, employer, proxy)


def revoke_proxy(conn: sa.Connection, employer: str, proxy: str) -> None:
    pc = t.proxies.c
    if conn.execute(t.proxies.delete().where(pc.employer == employer, pc.proxy == proxy)).rowcount == 0:
        raise NotFound(f"company {proxy} has no proxy agreement with {employer}", employer=employer, proxy=proxy)
    queue_key_change(conn, t.proxies.name, employer, proxy)
