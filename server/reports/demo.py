"""作業員名簿 fields for the demo site (``genba server seed-demo``): plausible, varied, deterministic.

Some health checks and credentials lapse within 30 days of the month's end or
have lapsed, and a few workers have had no new-entrant education, so every
daily list of the demo month has something to show.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import sqlalchemy as sa

from server.reports import store
from server.reports.details import Credential, Education, WorkerDetails
from server.store import domain_records as rec

_BY_TRADE = {
    "とび工": [("skill_training", "足場の組立て等作業主任者"), ("special_education", "フルハーネス型墜落制止用器具")],
    "鉄筋工": [("skill_training", "玉掛け"), ("special_education", "アーク溶接")],
    "型枠大工": [("skill_training", "型枠支保工の組立て等作業主任者"),
                 ("special_education", "丸のこ等取扱い作業従事者")],
    "電工": [("licence", "第二種電気工事士"), ("special_education", "低圧電気取扱い")],
    "配管工": [("skill_training", "ガス溶接"), ("special_education", "研削といしの取替え等")],
}
_RELATION = ("妻", "夫", "父", "母", "兄", "姉")


def seed_details(conn: sa.Connection, site: str, month: str, *, seed: int = 20261123) -> int:
    """Give every worker on ``site``'s roster 作業員名簿 fields and most of them new-entrant education."""
    rng = random.Random(seed)
    first = date.fromisoformat(month + "-01")
    end = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    entries = rec.roster_of(conn, site)
    for n, e in enumerate(entries):
        w = rec.get_worker(conn, e.worker)
        family = w.name.split(" ")[0]
        birth = date(1962 + rng.randrange(40), 1 + rng.randrange(12), 1 + rng.randrange(28))
        hire = date(max(birth.year + 18, 1990) + rng.randrange(12), 4, 1)
        # general check yearly: most recent, some lapse in the 30 days after month end, one lapsed already
        general = end - timedelta(days=rng.randrange(30, 300))
        if n % 11 == 3:
            general = end - timedelta(days=365 - 10)
        if n == 7:
            general = end - timedelta(days=400)
        special = end - timedelta(days=rng.randrange(20, 170)) if e.hazardous else None
        creds = [Credential(kind, name, hire + timedelta(days=rng.randrange(30, 900)))  # type: ignore[arg-type]
                 for kind, name in _BY_TRADE.get(e.trade_name or "", [])]
        if e.position == "職長":
            got = end - timedelta(days=5 * 365 - (15 if n % 2 else 200))
            creds.append(Credential("other", "職長・安全衛生責任者教育", got, got + timedelta(days=5 * 365)))
        store.put_details(conn, WorkerDetails(
            e.worker, birth, hire, f"{family} {'花子' if n % 2 else '一郎'}", _RELATION[n % len(_RELATION)],
            f"090-{1000 + n:04d}-{rng.randrange(10000):04d}", general, special, tuple(creds)))
        if n % 13 != 5:
            store.put_education(conn, Education(site, e.worker, e.valid_from))
    return len(entries)
