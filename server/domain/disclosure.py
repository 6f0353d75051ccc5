"""Who may see and change what: roles and the disclosure rules (開示設定) of DOMAIN.md.

Principals:

- ``admin``: the back-office administrator: manages the registry and users,
  reads everything; never approves on behalf of a company (an approval is the
  approving company's own act);
- ``prime``: a prime contractor's user (元請); with ``site`` set, a site
  manager (現場管理者) limited to that one site;
- ``company``: a subcontractor company's user (下請 / 所属事業者);
- ``worker``: one worker (技能者), for their own data.

``prime`` and ``company`` users are both *company* users: what they may do on
a site follows from where their company sits on that site, not from the label
(a prime on one site is often a subcontractor on another).

Reading, as the seed's table says:

- an employer sees its own workers fully (every site);
- a prime contractor sees, on its own sites, every row of work history and,
  for workers on the site's roster, roster-level data (作業員名簿 fields) only;
- an upper subcontractor sees the same, limited to its own branch below it;
- a worker sees their own record and history;
- other companies see only the fields both the worker and the employer agreed
  to disclose (initially none: 一括非開示) — and nobody else sees anything.

Pure: every function takes plain records and answers; the API enforces.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from server.domain.errors import Forbidden, Invalid
from server.domain.registry import Site, Worker, checked_id
from server.domain.roster import RosterEntry
from server.domain.structure import Structure

Role = Literal["admin", "prime", "company", "worker"]
ROLES: tuple[str, ...] = ("admin", "prime", "company", "worker")

ROSTER_FIELDS: tuple[str, ...] = (
    "worker", "name", "furigana", "employer", "trade_major", "trade_minor", "trade_name",
    "health_insurance", "pension", "employment_insurance", "retirement_fund", "qualifications",
)
"""作業員名簿-level fields a prime or upper contractor may read for workers on its active sites."""
DISCLOSABLE: tuple[str, ...] = ("level", "qualifications", "health_insurance", "pension", "employment_insurance",
                                "retirement_fund", "trade_major", "trade_minor", "trade_name")
"""Fields a worker and employer may both consent to disclose to any company (部分開示)."""


@dataclass(frozen=True, slots=True)
class Principal:
    role: Role
    user: str
    company: str | None = None
    worker: str | None = None
    site: str | None = None
    """For a site manager: the one site this user acts on."""

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise Invalid(f"role must be one of {', '.join(ROLES)}", field="role")
        if self.role in ("prime", "company") and self.company is None:
            raise Invalid("a company user needs its company id", field="company")
        if self.role == "worker" and self.worker is None:
            raise Invalid("a worker user needs its worker id", field="worker")
        for value, what in ((self.company, "company"), (self.worker, "worker"), (self.site, "site")):
            if value is not None:
                checked_id(value, what)

    @property
    def is_company(self) -> bool:
        return self.role in ("prime", "company")


def _site_ok(p: Principal, site: str) -> bool:
    return p.site is None or p.site == site


def is_prime_of(p: Principal, site: Site) -> bool:
    return p.is_company and p.company == site.prime and _site_ok(p, site.site)


def on_structure(p: Principal, site: Site, structure: Structure) -> bool:
    return p.is_company and _site_ok(p, site.site) and p.company in structure.registered_companies()


def may_view_site(p: Principal, site: Site, structure: Structure, roster: Iterable[RosterEntry]) -> bool:
    """Site details and structure: admin, registered companies on it, workers on its roster."""
    if p.role == "admin" or is_prime_of(p, site) or on_structure(p, site, structure):
        return True
    return p.role == "worker" and any(e.worker == p.worker for e in roster)


def visible_employers(p: Principal, site: Site, structure: Structure) -> set[str] | None:
    """Whose workers' history on ``site`` ``p`` may read: None = all, else the set of employers."""
    if p.role == "admin" or is_prime_of(p, site):
        return None
    if p.is_company and _site_ok(p, site.site) and p.company is not None:
        return structure.branch_companies(p.company) if p.company in structure.registered_companies() else {p.company}
    return set()


def may_read_row(p: Principal, row_worker: str | None, row_employer: str | None,
                 scope: set[str] | None) -> bool:
    """One history row, given the ``scope`` from :func:`visible_employers`."""
    if scope is None:
        return True
    if p.role == "worker":
        return row_worker is not None and row_worker == p.worker
    return row_employer is not None and row_employer in scope


def worker_view(p: Principal, worker: Worker, *, active_rosters: Iterable[tuple[Site, Structure, RosterEntry]],
                worker_consent: Iterable[str] = (), employer_consent: Iterable[str] = (),
                proxies: Iterable[str] = ()) -> dict[str, Any] | None:
    """The fields of ``worker`` that ``p`` may read, or None for nothing at all.

    ``active_rosters``: the worker's roster entries valid today, with their sites and structures;
    ``proxies``: companies the employer agreed may register for it (代理手続) — seed 003: they may then
    read the worker's record to register it.
    """
    full = {
        "worker": worker.worker, "name": worker.name, "furigana": worker.furigana, "employer": worker.employer,
        "trade_major": worker.trade_major, "trade_minor": worker.trade_minor, "trade_name": worker.trade_name,
        "level": worker.level, "health_insurance": worker.health_insurance, "pension": worker.pension,
        "employment_insurance": worker.employment_insurance, "retirement_fund": worker.retirement_fund,
        "qualifications": list(worker.qualifications), "origin": worker.origin, "language": worker.language,
    }
    if p.role == "admin" or (p.is_company and p.company == worker.employer) or p.worker == worker.worker:
        return full
    if p.is_company and p.company in set(proxies):
        return full
    consented = set(worker_consent) & set(employer_consent) & set(DISCLOSABLE)
    fields: set[str] = set()
    if p.is_company and p.company is not None:
        for site, structure, entry in active_rosters:
            if is_prime_of(p, site) or (
                _site_ok(p, site.site) and entry.employer in structure.branch_companies(p.company)
            ):
                fields |= set(ROSTER_FIELDS)
        if consented:
            fields |= consented | {"worker", "name"}
    if not fields:
        return None
    return {k: v for k, v in full.items() if k in fields}


def require(allowed: bool, what: str, what_ja: str) -> None:
    if not allowed:
        raise Forbidden(f"not allowed: {what}", message_ja=f"権限がありません: {what_ja}")


def may_manage_roster(p: Principal, site: Site, employer: str, structure: Structure | None = None,
                      proxies: Iterable[str] = ()) -> bool:
    """Roster entries: the employer itself, the admin, or — 代理手続 — a company *above* the employer on
    this site's structure that the employer has agreed may register for it (``proxies``)."""
    if p.role == "admin" or (p.is_company and p.company == employer and _site_ok(p, site.site)):
        return True
    if not (p.is_company and p.company is not None and _site_ok(p, site.site) and structure is not None):
        return False
    above = employer in structure.branch_companies(p.company) and employer != p.company
    return above and p.company in set(proxies)


def may_request_correction(p: Principal, worker: Worker) -> bool:
    """The worker themself or their employer (seed 003, 参考資料5)."""
    return (p.role == "worker" and p.worker == worker.worker) or (p.is_company and p.company == worker.employer)


def active_on(entry: RosterEntry, today: date) -> bool:
    return entry.covers(today)
