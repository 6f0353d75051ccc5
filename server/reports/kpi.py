"""The three numbers that judge a site (CCUS model works): definitions as pure functions.

Per site and per company, per day and per month (docs/reports.md "KPIs"):

- **company registration rate (事業者登録率)** on a day: of the companies placed in
  the site structure by the end of that day (every tier, pending or approved,
  including name-only "CCUS未登録" placeholders), the share registered in CCUS
  (a 事業者ID whose record came from CCUS). For a company: over its branch
  (itself and every company below it).
- **worker registration rate (技能者登録率)** on a day: of the workers who worked
  that day (a work-history row of a known worker), the share registered in
  CCUS (record from CCUS). Rows of unbound cards are left out of both counts:
  the person is not known.
- **history accumulation (touch) rate (就業履歴蓄積率 / カードタッチ率)**: of the
  person-days worked (every work-history row: card, manual record at the kiosk,
  approved correction, unbound card), the share recorded by a card touch of a
  known worker (row source ``card``). A worked day with no touch — a forgotten
  card recorded by the manager, or a correction — counts in the denominator only.

A month's registration rates are the average of the daily rates over the days
the site worked (at least one row: the model works average "工事期間中"); the
month's touch rate is person-day weighted (sum of touched / sum of worked).
Pure: plain records in, numbers out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

TARGETS = {"company_registration": (0.90, 0.70), "worker_registration": (0.80, 0.60), "touch": (0.50, 0.30)}
"""(target, floor) per KPI: below the floor costs a point in public-works scoring."""
WORKER_BONUS = 0.90
"""Worker registration at or above this earns a second point."""
KPI_NAMES_JA = {"company_registration": "事業者登録率", "worker_registration": "技能者登録率",
                "touch": "就業履歴蓄積率（カードタッチ率）"}


@dataclass(frozen=True, slots=True)
class Member:
    """One place in the site structure."""

    key: int
    parent: int | None
    company: str | None
    """None for a name-only placeholder (CCUS未登録)."""
    ccus: bool
    """The company's record came from CCUS (registered)."""
    since: date
    """The day it was placed in the structure."""


@dataclass(frozen=True, slots=True)
class DayRow:
    """One work-history row, reduced to what the KPIs read."""

    day: date
    worker: str | None
    employer: str | None
    card: bool
    """Recorded by a card touch (row source ``card``)."""


@dataclass(frozen=True, slots=True)
class Ratio:
    num: int
    den: int

    @property
    def rate(self) -> float | None:
        return self.num / self.den if self.den else None


@dataclass(frozen=True, slots=True)
class Kpis:
    company_registration: float | None
    worker_registration: float | None
    touch: float | None
    companies: Ratio | None = None
    workers: Ratio | None = None
    touches: Ratio | None = None


def status(kpi: str, value: float | None) -> str:
    """``target`` (met), ``bonus`` (worker rate ≥ 90 %), ``ok`` (between floor and target), ``below_floor``."""
    if value is None:
        return ""
    target, floor = TARGETS[kpi]
    if kpi == "worker_registration" and value >= WORKER_BONUS:
        return "bonus"
    return "target" if value >= target else ("ok" if value >= floor else "below_floor")


def branch(members: Sequence[Member], company: str | None) -> list[Member]:
    """All members, or the company's own place(s) and everything below them."""
    if company is None:
        return list(members)
    children: dict[int | None, list[Member]] = defaultdict(list)
    for m in members:
        children[m.parent].append(m)
    out: list[Member] = []
    stack = [m for m in members if m.company == company]
    while stack:
        m = stack.pop()
        out.append(m)
        stack.extend(children[m.key])
    return out


@dataclass(frozen=True, slots=True)
class DayCounts:
    """What the rates of one day are made of (counted from rows here, or by the database: store.month_kpi_counts)."""

    day: date
    worked: int
    """Work-history rows (person-days worked)."""
    touched: int
    """Rows recorded by a card touch of a known worker."""
    workers: int
    """Distinct known workers who worked."""
    registered: int
    """Of those, registered in CCUS."""


def count_day(day: date, rows: Iterable[DayRow], registered: Mapping[str, bool], company: str | None = None
              ) -> DayCounts:
    mine = [r for r in rows if r.day == day and (company is None or r.employer == company)]
    known = {r.worker for r in mine if r.worker is not None}
    return DayCounts(day, len(mine), sum(1 for r in mine if r.card and r.worker is not None), len(known),
                     sum(1 for w in known if registered.get(w, False)))


def kpis_of(counts: DayCounts, members: Sequence[Member], company: str | None = None, *,
            mine: Sequence[Member] | None = None) -> Kpis:
    """The three rates of one day from its counts and the structure (the one place the rates are defined).

    ``mine``: ``branch(members, company)`` when the caller has it already (a month asks once, not daily)."""
    placed = [m for m in (branch(members, company) if mine is None else mine) if m.since <= counts.day]
    companies = Ratio(sum(1 for m in placed if m.company is not None and m.ccus), len(placed))
    workers = Ratio(counts.registered, counts.workers)
    touches = Ratio(counts.touched, counts.worked)
    return Kpis(companies.rate, workers.rate, touches.rate, companies, workers, touches)


def day_kpis(day: date, members: Sequence[Member], rows: Iterable[DayRow], registered: Mapping[str, bool],
             company: str | None = None) -> Kpis:
    """The three rates of one day, for the site (``company`` None) or one company."""
    return kpis_of(count_day(day, rows, registered, company), members, company)


def month_kpis(days: Sequence[date], members: Sequence[Member], rows: Sequence[DayRow],
               registered: Mapping[str, bool], company: str | None = None) -> tuple[Kpis, list[tuple[date, Kpis]]]:
    """The month's rates and the daily series (days the site worked only)."""
    by_day: dict[date, list[DayRow]] = defaultdict(list)
    for r in rows:
        by_day[r.day].append(r)
    counts = [count_day(d, by_day[d], registered, company) for d in days if by_day.get(d)]
    return month_from_counts(counts, members, company)


def month_from_counts(counts: Sequence[DayCounts], members: Sequence[Member], company: str | None = None
                      ) -> tuple[Kpis, list[tuple[date, Kpis]]]:
    """The month from the counts of the days the site worked (a day with no row of the site is not in ``counts``;
    for a company, a day the site worked and the company did not is, with zero counts)."""
    mine = branch(members, company)
    series = [(c.day, kpis_of(c, members, company, mine=mine)) for c in sorted(counts, key=lambda c: c.day)]

    def mean(values: list[float | None]) -> float | None:
        present = [v for v in values if v is not None]
        return sum(present) / len(present) if present else None

    touched = sum(k.touches.num for _, k in series if k.touches)
    worked = sum(k.touches.den for _, k in series if k.touches)
    month = Kpis(mean([k.company_registration for _, k in series]), mean([k.worker_registration for _, k in series]),
                 touched / worked if worked else None, touches=Ratio(touched, worked))
    return month, series
