"""Build the demo site of ``genba server seed-demo``: registry, structure, roster, two kiosks, a month of taps.

Everything goes through the same code as production: the registry and
structure through :mod:`server.store.domain_records` with the pure domain
checks, the kiosks through real signed journals, enrollment codes and the
normal ingest service (the reconciling worker is drained before the history is read).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from genba.cli.server_domain_seed import (
    COMPANIES,
    DEMO_SITE_ID,
    FAMILY,
    FAMILY_KANA,
    GIVEN,
    GIVEN_KANA,
    PENDING,
    PRIME_ID,
    TRADES,
    UNREGISTERED,
    JournalKiosk,
)
from server.context import ServerContext
from server.domain import corrections as corr
from server.domain import structure as st
from server.domain.registry import CardBinding, Company, Site, Worker, card_idm
from server.domain.roster import RosterEntry
from server.reports.demo import seed_details
from server.store import domain_records as rec
from server.store.domain_reconcile import history, recompute_day
from server.store.engine import write_transaction
from shared.timefmt import JST, format_rfc3339


@dataclass(frozen=True, slots=True)
class Seeded:
    site: str
    month: str
    workers: int
    events: int
    rows: int


def _month_days(month: str) -> list[date]:
    first = date.fromisoformat(month + "-01")
    nxt = (first + timedelta(days=32)).replace(day=1)
    return [first + timedelta(days=i) for i in range((nxt - first).days)]


def _registry(ctx: ServerContext, month: str, rng: random.Random) -> list[tuple[str, str, str, bool]]:
    """Companies, site, structure, workers, cards, roster. Returns (worker, idm, employer, night_team)."""
    first = date.fromisoformat(month + "-01")
    start = datetime.combine(first - timedelta(days=7), time(9, 0), tzinfo=JST)
    people: list[tuple[str, str, str, bool]] = []
    with write_transaction(ctx.engine) as conn:
        for cid, name, _, _ in COMPANIES:
            rec.add_company(conn, Company(cid, name, licence_no=f"国土交通大臣(特-5)第{cid[-5:]}号", origin="ccus"))
        rec.add_company(conn, Company(PENDING[0], PENDING[1], origin="ccus"))
        rec.add_site(conn, Site(DEMO_SITE_ID, "(仮称)現場一ビル新築工事", PRIME_ID, address="東京都港区虎ノ門4-2-12",
                                order_type="public_local", accumulation_from=first - timedelta(days=30),
                                accumulation_to=first + timedelta(days=400), manager="現場 一郎",
                                origin="ccus"), at=start)
        s = rec.load_structure(conn, DEMO_SITE_ID)
        members = {PRIME_ID: 1}
        at = start
        for cid, name, parent, _ in COMPANIES[1:]:
            assert parent is not None
            at += timedelta(hours=1)
            s, change = st.invite(s, parent=members[parent], by=parent, company=cid, name=name, at=at)
            rec.record_change(conn, change)
            members[cid] = change.member
            s, change = st.approve(s, member=change.member, by=cid, at=at + timedelta(minutes=30))
            rec.record_change(conn, change)
            s, change = st.set_work(s, member=members[cid], by=cid, work_name=f"{name[:2]}工事",
                                    work_description="躯体・設備工事の一部", at=at + timedelta(minutes=40))
            rec.record_change(conn, change)
        s, change = st.place_unregistered(s, parent=members[UNREGISTERED[1]], by=UNREGISTERED[1],
                                          name=UNREGISTERED[0], at=at + timedelta(hours=1))
        rec.record_change(conn, change)
        s, change = st.invite(s, parent=members[PENDING[2]], by=PENDING[2], company=PENDING[0], name=PENDING[1],
                              at=at + timedelta(hours=2))
        rec.record_change(conn, change)
        n = 0
        for cid, _, _, count in COMPANIES:
            for i in range(count):
                n += 1
                worker = f"5{n:013d}"
                f, g = rng.randrange(len(FAMILY)), rng.randrange(len(GIVEN))
                code, trade = TRADES[(n + i) % len(TRADES)]
                rec.add_worker(conn, Worker(worker, f"{FAMILY[f]} {GIVEN[g]}", f"{FAMILY_KANA[f]} {GIVEN_KANA[g]}",
                                            cid, trade_major=code[:2], trade_minor=code, trade_name=trade,
                                            level=1 + (n % 4), health_insurance=True, pension=True,
                                            employment_insurance=n % 9 != 0, retirement_fund=n % 5 != 0,
                                            origin="ccus"))
                idm = card_idm(f"012E{n:012X}")
                rec.add_binding(conn, CardBinding(idm, worker, first - timedelta(days=60)))
                if n == 60:
                    people.append((worker, idm, cid, False))
                    continue  # one worker never put on the roster: flagged not_on_roster
                position = "職長" if i == 0 else ("班長" if i == 1 else "作業員")
                rec.add_roster_entry(conn, RosterEntry(
                    DEMO_SITE_ID, worker, cid, first - timedelta(days=3),
                    trade_code=None if n in (17, 31) else code, trade_name=trade,
                    position=None if n == 45 else position, work_content=f"{trade}作業",
                    hazardous="粉じん作業" if code == "0401" else ""))
                people.append((worker, idm, cid, cid == "30000000000002" and i < 4))
    return people


def seed_demo(ctx: ServerContext, root: Path, month: str, *, seed: int = 20261122) -> Seeded:
    """Create the demo site and ingest a month of signed taps from two enrolled kiosks."""
    rng = random.Random(seed)
    people = _registry(ctx, month, rng)
    with write_transaction(ctx.engine) as conn:  # 作業員名簿 fields and new-entrant education (issue 12)
        seed_details(conn, DEMO_SITE_ID, month)
    days = _month_days(month)
    first_moment = datetime.combine(days[0] - timedelta(days=1), time(0, 0), tzinfo=JST)
    gate = JournalKiosk(root, "demo-kiosk-gate", DEMO_SITE_ID, first_moment)
    office = JournalKiosk(root, "demo-kiosk-office", DEMO_SITE_ID, first_moment)
    plan: list[tuple[datetime, JournalKiosk, dict[str, object]]] = []
    for day in days:
        if day.weekday() == 6:
            continue  # Sundays off (週休 is monitored from this same data)
        night = day.weekday() in (1, 3)
        for worker, idm, _, night_team in people:
            if rng.random() > 0.86:
                continue
            if night_team and night:
                t_in = datetime.combine(day, time(20, rng.randrange(0, 20)), tzinfo=JST)
                t_out = t_in + timedelta(hours=9, minutes=rng.randrange(0, 30))
            else:
                t_in = datetime.combine(day, time(7, 30), tzinfo=JST) + timedelta(minutes=rng.randrange(0, 45))
                t_out = datetime.combine(day, time(17, 0), tzinfo=JST) + timedelta(minutes=rng.randrange(0, 90))
            k_in = gate if rng.random() < 0.8 else office
            plan.append((t_in, k_in, {"kind": "tap", "idm": idm, "direction": "in"}))
            if rng.random() < 0.04:  # touched twice: the kiosk records a repeat
                plan.append((t_in + timedelta(seconds=15), k_in, {"kind": "repeat", "idm": idm, "direction": "in"}))
            if rng.random() < 0.03:
                continue  # forgot to touch out: entry without exit
            mistake = day.day == 6 and worker == people[5][0]  # touched "in" when leaving; amended below
            plan.append((t_out, office if rng.random() < 0.7 else gate,
                         {"kind": "tap", "idm": idm, "direction": "in" if mistake else "out", "mistake": mistake}))
        if day.day == 9:  # a visitor's card nobody is bound to
            plan.append((datetime.combine(day, time(10, 0), tzinfo=JST), gate,
                         {"kind": "tap", "idm": "0FFFFFFFFFFF0001", "direction": "in"}))
        if day.day == 12:  # a worker forgot the card; the site manager records it at the kiosk
            worker = people[3][0]
            plan.append((datetime.combine(day, time(9, 0), tzinfo=JST), office,
                         {"kind": "manual", "worker": worker, "direction": "in",
                          "claimed_at": format_rfc3339(datetime.combine(day, time(7, 55), tzinfo=JST)),
                          "reason": "カード忘れ"}))
    plan.sort(key=lambda p: (p[0], p[1].identity.device))
    last_tap: dict[tuple[str, str], int] = {}
    events = 0
    for moment, kiosk, draft in plan:
        if draft["kind"] == "repeat":
            draft = {**draft, "ref": last_tap[(kiosk.identity.device, str(draft["idm"]))]}
        mistake = bool(draft.pop("mistake", False))
        seq = kiosk.record(moment, **draft)
        if draft["kind"] == "tap":
            last_tap[(kiosk.identity.device, str(draft["idm"]))] = seq
        events += 1
        if mistake:  # the site manager corrects the direction at the kiosk (amend; the original stays)
            kiosk.record(moment, kind="amend", ref=seq, direction="out", reason="退場の押し間違い")
            events += 1
    for k in (gate, office):
        k.enroll(ctx.engine, ctx.now())
        k.ship(ctx.ingest, size=250)
        k.close()
    ctx.worker.drain()  # the history the demo prints is up to date (lag zero)
    with write_transaction(ctx.engine) as conn:  # the prime contractor approves the kiosk's manual record
        for c in rec.corrections_of(conn, site=DEMO_SITE_ID, status="requested"):
            done, step = corr.decide(c, approve=True, by=PRIME_ID, prime=PRIME_ID, at=ctx.now(), note="確認済み")
            rec.save_decision(conn, done, step)
            recompute_day(conn, DEMO_SITE_ID, done.work_day)
    with ctx.engine.connect() as conn:
        rows = len(history(conn, site=DEMO_SITE_ID, month=month))
    return Seeded(DEMO_SITE_ID, month, len(people), events, rows)
