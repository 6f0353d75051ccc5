"""Work history through the real ingest path, on SQLite and PostgreSQL: incremental == rebuild."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import sqlalchemy as sa

from server.domain import corrections as corr
from server.domain.registry import CardBinding, Company, Site, Worker
from server.domain.roster import RosterEntry
from server.domain.structure import approve, invite
from server.ingest import IngestService
from server.store import domain_records as rec
from server.store.domain_reconcile import all_rows, history, rebuild, recompute_card, recompute_day
from server.store.engine import write_transaction
from server.worker import ReconcileWorker
from shared.clock import ManualClock
from shared.timefmt import format_rfc3339
from tests.server_domain.factory import CARD1, CARD2, CARD3, PRIME, SITE, SUB1, W1, W2, jst


def registry(engine: sa.Engine) -> None:
    with write_transaction(engine) as conn:
        rec.add_company(conn, Company(PRIME, "基本建設(株)"))
        rec.add_company(conn, Company(SUB1, "アップ工務店(株)"))
        rec.add_site(conn, Site(SITE, "虎ノ門現場", PRIME), at=jst(1, 0))
        s = rec.load_structure(conn, SITE)
        s, change = invite(s, parent=1, by=PRIME, company=SUB1, name="アップ工務店(株)", at=jst(1, 1))
        rec.record_change(conn, change)
        s, change = approve(s, member=2, by=SUB1, at=jst(1, 2))
        rec.record_change(conn, change)
        for w in (W1, W2):
            rec.add_worker(conn, Worker(w, f"技能者{w[-2:]}", "ギノウシャ", SUB1))
        rec.add_binding(conn, CardBinding(CARD1, W1, date(2026, 1, 1)))
        rec.add_binding(conn, CardBinding(CARD2, W2, date(2026, 1, 1)))
        rec.add_roster_entry(conn, RosterEntry(SITE, W1, SUB1, date(2026, 11, 1), trade_code="0201", position="職長"))


def check_rebuild_equals_incremental(engine: sa.Engine) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        incremental = all_rows(conn)
    with write_transaction(engine) as conn:
        rebuild(conn)
    with engine.connect() as conn:
        rebuilt = all_rows(conn)
    assert rebuilt == incremental
    return rebuilt


def test_taps_from_two_kiosks_become_rows_and_rebuild_is_identical(
        engine: sa.Engine, service: IngestService, kiosks: Callable) -> None:  # type: ignore[type-arg]
    registry(engine)
    gate, office = kiosks("kiosk-gate", SITE), kiosks("kiosk-office", SITE)
    gate.tap(CARD1, "in", jst(2, 7, 50))
    office.tap(CARD1, "out", jst(2, 17, 0))
    office.tap(CARD2, "in", jst(2, 20, 0))
    gate.tap(CARD2, "out", jst(3, 5, 30))  # night shift: stays on the 2nd
    gate.tap(CARD3, "in", jst(3, 8, 0))  # a card nobody is bound to yet
    wrong = gate.tap(CARD1, "in", jst(3, 17, 5))  # should have been an exit
    gate.record(jst(3, 17, 6), kind="amend", ref=wrong, direction="out", reason="押し間違い")
    office.tap(CARD1, "in", jst(3, 8, 0))
    office.record(jst(4, 9, 0), kind="manual", worker=W2, direction="in", claimed_at=format_rfc3339(jst(4, 8, 0)),
                  reason="カード忘れ")
    # interleave small batches of the two kiosks, as two syncds would
    while gate.pending() or office.pending():
        gate.ship(service, size=2, limit=1)
        office.ship(service, size=1, limit=1)

    with engine.connect() as conn:
        rows = {(r["work_day"], r["worker"] or r["idm"]): r for r in history(conn, site=SITE, month="2026-11")}
    r = rows[("2026-11-02", W1)]
    assert (r["first_entry"], r["last_exit"], r["minutes_on_site"], r["flags"]) == (
        "2026-11-02T07:50:00.000+09:00", "2026-11-02T17:00:00.000+09:00", 550, [])
    assert (r["position"], r["devices"], r["valid_for_assessment"]) == ("職長", ["kiosk-gate", "kiosk-office"], True)
    night = rows[("2026-11-02", W2)]
    assert (night["last_exit"], night["flags"], night["employer"]) == (
        "2026-11-03T05:30:00.000+09:00", ["not_on_roster"], SUB1)
    amended = rows[("2026-11-03", W1)]
    assert (amended["last_exit"], amended["flags"]) == ("2026-11-03T17:05:00.000+09:00", ["amended"])
    assert rows[("2026-11-03", CARD3)]["flags"] == ["entry_without_exit", "unknown_card"]
    check_rebuild_equals_incremental(engine)

    # the manual event became a correction request; approval brings the day in
    with write_transaction(engine) as conn:
        [c] = rec.corrections_of(conn, site=SITE)
        assert (c.status, c.origin, c.work_day, c.requested_by) == ("requested", "manual", date(2026, 11, 4),
                                                                     "device:kiosk-office")
        done, step = corr.decide(c, approve=True, by=PRIME, prime=PRIME, at=jst(5, 9))
        rec.save_decision(conn, done, step)
        recompute_day(conn, SITE, c.work_day)
    # binding the unknown card re-attributes its past taps
    with write_transaction(engine) as conn:
        rec.add_binding(conn, CardBinding(CARD3, W1, date(2026, 11, 3)))
        recompute_card(conn, CARD3)
    rows2 = check_rebuild_equals_incremental(engine)
    with engine.connect() as conn:
        got = {(r["work_day"], r["worker"] or r["idm"]): r for r in history(conn, site=SITE)}
    assert ("2026-11-03", CARD3) not in got
    assert got[("2026-11-03", W1)]["taps"] == 3
    assert (got[("2026-11-04", W2)]["source"], got[("2026-11-04", W2)]["flags"]) == (
        "manual", ["entry_without_exit", "not_on_roster", "corrected"])
    with engine.connect() as conn:
        audit = rec.audit_of(conn, c.id)  # type: ignore[arg-type]
    assert [a.action for a in audit] == ["requested", "approved"]
    assert len(rows2) == 4  # W1 2nd+3rd (the re-attributed card merged in), W2 2nd (night) and 4th


def test_a_batch_sent_twice_changes_nothing(engine: sa.Engine, service: IngestService,
                                            kiosks: Callable) -> None:  # type: ignore[type-arg]
    registry(engine)
    k = kiosks("kiosk-gate", SITE)
    k.tap(CARD1, "in", jst(2, 8))
    k.tap(CARD1, "out", jst(2, 17))
    k.ship(service)
    with engine.connect() as conn:
        before = all_rows(conn)
    batch = k.reader.batch(1, 1, 10)
    assert batch is not None
    assert service.ingest(batch).outcome == "duplicate"
    with engine.connect() as conn:
        assert all_rows(conn) == before


def test_devices_pull_the_roster_and_config_from_the_registry(engine: sa.Engine) -> None:
    from datetime import UTC, datetime

    from server.store.domain_service import roster_provider, site_config_provider

    registry(engine)
    with write_transaction(engine) as conn:
        rec.add_roster_entry(conn, RosterEntry(SITE, W2, SUB1, date(2026, 11, 1), date(2026, 11, 20),
                                               trade_code="0301", trade_name="鉄筋工", position="作業員"))
    provide = roster_provider(lambda: datetime(2026, 11, 22, 3, 0, tzinfo=UTC))
    with engine.connect() as conn:
        snap = provide(conn, SITE).as_dict()
        config = site_config_provider(conn, SITE)
        earlier = roster_provider(lambda: datetime(2026, 11, 10, 3, 0, tzinfo=UTC))(conn, SITE).as_dict()
    on_roster = [(w["worker"], w["idms"], w["employer_name"], w["position"]) for w in snap["workers"] if w["on_roster"]]
    assert on_roster == [(W1, [CARD1], "アップ工務店(株)", "職長")]  # W2's entry ended on the 20th ...
    # ... but W2 still works for a company on the site and holds a card: the kiosk gets him, flagged, so a tap
    # shows his name and the missing registration instead of "unknown card". No trade or position: no entry.
    off = [w for w in snap["workers"] if not w["on_roster"]]
    assert [(w["worker"], w["position"], w["trade"]) for w in off] == [(W2, "", "")] and off[0]["idms"]
    assert [(w["worker"], w["on_roster"]) for w in earlier["workers"]] == [(W1, True), (W2, True)]
    assert earlier["version"] != snap["version"]
    assert (config.site, config.name, config.day_boundary, config.repeat_window_s) == (SITE, "虎ノ門現場", "04:00", 120)


def test_random_taps_in_small_batches_incremental_equals_rebuild(
        engine: sa.Engine, service: IngestService, kiosks: Callable) -> None:  # type: ignore[type-arg]
    """Repeats, amends, kiosk binds of an unknown card, night shifts — batch by batch, then rebuild."""
    import random
    from datetime import timedelta

    registry(engine)
    rng = random.Random(5)
    ks = [kiosks("kiosk-a", SITE), kiosks("kiosk-b", SITE)]
    moment = {k.identity.device: jst(1, 6) for k in ks}
    last: dict[str, int] = {}
    for _ in range(120):
        k = rng.choice(ks)
        dev = k.identity.device
        moment[dev] += timedelta(minutes=rng.choice([1, 7, 45, 180, 600]))
        card = rng.choice([CARD1, CARD2, CARD3])
        roll = rng.random()
        if roll < 0.08 and dev in last:
            k.record(moment[dev], kind="amend", ref=last[dev], direction=rng.choice(["in", "out"]), reason="fix")
        elif roll < 0.12:
            k.record(moment[dev], kind="bind", idm=CARD3, worker=rng.choice([W1, W2]))
        elif roll < 0.2 and dev in last:
            k.record(moment[dev], kind="repeat", idm=card, direction="in", ref=last[dev])
        else:
            last[dev] = k.tap(card, rng.choice(["in", "out"]), moment[dev])
    while any(k.pending() for k in ks):
        k = rng.choice([k for k in ks if k.pending()])
        k.ship(service, size=rng.randint(1, 4), limit=1)
    rows = check_rebuild_equals_incremental(engine)
    assert len(rows) > 10


def test_a_kiosk_manual_record_past_the_deadline_is_kept_as_refused(
        engine: sa.Engine, service: IngestService, kiosks: Callable,  # type: ignore[type-arg]
        server_clock: ManualClock) -> None:
    registry(engine)
    k = kiosks("kiosk-gate", SITE)
    late = jst(1, 9, 0, month=12)  # recorded on Dec 1st for a day in September: deadline was Oct 31st
    server_clock.set_wall(late + timedelta(hours=1))  # received after it was recorded (else: after_receipt)
    k.record(late, kind="manual", worker=W1, direction="in",
             claimed_at=format_rfc3339(jst(30, 8, 0, month=9)), reason="カード忘れ")
    k.record(late, kind="manual", worker=W1, direction="out",
             claimed_at=format_rfc3339(jst(30, 17, 0, month=11)), reason="カード忘れ")
    k.ship(service)
    k.ship(service)  # nothing more to send: no duplicate requests either
    with engine.connect() as conn:
        refused, accepted = rec.corrections_of(conn, site=SITE)
        steps = [a.action for a in rec.audit_of(conn, refused.id)]  # type: ignore[arg-type]
    assert (refused.status, refused.decision_note, steps) == ("rejected", "correction_past_deadline", ["refused"])
    assert (accepted.status, accepted.work_day, accepted.exit_at) == ("requested", date(2026, 11, 30),
                                                                      jst(30, 17, 0, month=11))
    check_rebuild_equals_incremental(engine)
    with engine.connect() as conn:
        assert len(rec.corrections_of(conn, site=SITE)) == 2  # rebuild re-derives nothing twice


def test_a_device_clock_jump_flags_the_row(engine: sa.Engine, service: IngestService,
                                           kiosks: Callable) -> None:  # type: ignore[type-arg]
    registry(engine)
    k = kiosks("kiosk-gate", SITE)
    k.tap(CARD1, "in", jst(2, 8, 0))
    k.clock.advance(600)
    k.clock.set_wall(jst(2, 17, 0))  # the wall clock jumps 8 h 50 min ahead; monotonic time says 10 minutes
    k.record(k.clock.wall(), kind="tap", idm=CARD1, direction="out")
    k.ship(service)
    with engine.connect() as conn:
        [row] = history(conn, site=SITE)
        flags = conn.execute(sa.text("SELECT time_flags FROM events ORDER BY seq")).scalars().all()
    assert "clock_jump" in flags[1]
    assert row["flags"] == ["clock_suspect"]  # the row stays, with the times as recorded, for a person to judge
    check_rebuild_equals_incremental(engine)


def test_concurrent_ingest_from_two_kiosks_gives_the_rebuild_result(
        engine: sa.Engine, service: IngestService, kiosks: Callable) -> None:  # type: ignore[type-arg]
    """Two syncds uploading at once: the hooks serialize per site (advisory lock / BEGIN IMMEDIATE)."""
    from concurrent.futures import ThreadPoolExecutor

    registry(engine)
    a, b = kiosks("kiosk-a", SITE), kiosks("kiosk-b", SITE)
    for day in range(2, 6):
        for k, card in ((a, CARD1), (a, CARD2), (b, CARD1), (b, CARD2)):
            k.tap(card, "in" if k is a else "out", jst(day, 8 if k is a else 17, 0 if card == CARD1 else 5))
    uploads = {k.identity.device: [k.reader.batch(1, seq, 1) for seq in range(1, k.pending() + 1)] for k in (a, b)}

    def send(device: str) -> int:
        return sum(service.ingest(batch).new_events for batch in uploads[device])  # type: ignore[arg-type]

    with ThreadPoolExecutor(max_workers=2) as pool:
        sent = list(pool.map(send, uploads))
    assert sent == [8, 8]
    rows = check_rebuild_equals_incremental(engine)
    assert len(rows) == 8  # two workers × four days, each merged from both kiosks


def test_a_failed_reconciliation_round_keeps_the_queue_and_the_next_round_heals_it(
        engine: sa.Engine, service: IngestService, worker: ReconcileWorker, kiosks: Callable,  # type: ignore[type-arg]
        monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import server.worker as worker_module

    registry(engine)
    k = kiosks("kiosk-gate", SITE)
    k.tap(CARD1, "in", jst(2, 8))
    real = worker_module.reconcile_logs
    monkeypatch.setattr(worker_module, "reconcile_logs", lambda *a: 1 / 0)  # e.g. the database was briefly away
    k.ship(service)
    with engine.connect() as conn:
        assert history(conn, site=SITE) == []  # raw event stored (receipt given), derived rows not yet
    assert worker.lag().pending == 1  # ... and the batch is still queued, not lost
    monkeypatch.setattr(worker_module, "reconcile_logs", real)
    k.tap(CARD1, "out", jst(2, 17))
    k.ship(service)
    assert worker.lag().pending == 0
    with engine.connect() as conn:
        [row] = history(conn, site=SITE)
    assert (row["taps"], row["flags"], row["minutes_on_site"]) == (2, [], 540)
    check_rebuild_equals_incremental(engine)


def test_a_card_bound_at_one_kiosk_is_in_every_gates_roster_pull(
        engine: sa.Engine, service: IngestService, kiosks: Callable) -> None:  # type: ignore[type-arg]
    """Gate A binds an unknown card; gate B's next roster pull carries it (and keeps carrying it after A's
    journal is pruned). The latest kiosk bind of a card wins; a registry binding of the card wins over both."""
    from datetime import UTC, datetime

    from server.store.domain_service import roster_provider

    registry(engine)
    with write_transaction(engine) as conn:
        rec.add_roster_entry(conn, RosterEntry(SITE, W2, SUB1, date(2026, 11, 1), trade_code="0301",
                                               trade_name="鉄筋工", position="作業員"))
    gate_a = kiosks("kiosk-gate-a", SITE)
    pull = roster_provider(lambda: datetime(2026, 11, 22, 3, 0, tzinfo=UTC))

    def cards() -> dict[str, list[str]]:
        with engine.connect() as conn:
            return {w["worker"]: w["idms"] for w in pull(conn, SITE).as_dict()["workers"] if w["on_roster"]}

    assert cards() == {W1: [CARD1], W2: [CARD2]}
    gate_a.record(jst(3, 8, 0), kind="bind", idm=CARD3, worker=W1)
    gate_a.ship(service, size=10)
    assert cards() == {W1: sorted([CARD1, CARD3]), W2: [CARD2]}
    gate_a.record(jst(4, 8, 0), kind="bind", idm=CARD3, worker=W2)  # rebound later: the latest wins
    gate_a.ship(service, size=10)
    assert cards() == {W1: [CARD1], W2: sorted([CARD2, CARD3])}
    with write_transaction(engine) as conn:
        rec.add_binding(conn, CardBinding(CARD3, W1, date(2026, 11, 5)))  # the registry decides
    assert cards() == {W1: sorted([CARD1, CARD3]), W2: [CARD2]}


def test_events_read_back_as_columns_are_the_parsed_events(engine: sa.Engine) -> None:
    """What rebuild and a worker without the hand-off read (the database extracts the JSON fields) is exactly
    what the parsed events give: every kind, a Japanese reason with escapes, corrected times and flags."""
    from server.domain.taps import LogEvent
    from server.store import schema as st
    from server.store.domain_reconcile import _log_select, parse_rows
    from shared.event import Event
    from tests.server_domain.factory import Kiosk

    k = Kiosk("kiosk-cols")
    k.tap(CARD1, "in", jst(2, 7, 30))
    k.repeat(CARD1, "in", jst(2, 7, 31), ref=1)
    k.amend(1, "out", jst(2, 7, 40))
    k.bind(CARD3, W2, jst(2, 7, 45))
    k.manual(W1, "out", jst(2, 17, 0), jst(2, 18, 0))
    k.add("manual", jst(2, 18, 5), worker=W2, direction="in", claimed_at=format_rfc3339(jst(2, 8, 0)),
          reason="カードを忘れた \"本人\" 申告\\n")
    k.add("amend", jst(2, 18, 6), ref=4, direction="in")  # an amend of a bind: refers to no tap
    flags = ["", "clock_jump", "uncorrected", "uncorrected,clock_backwards", "", "", ""]
    stamp = "2026-11-03T00:00:00.000Z"
    with write_transaction(engine) as conn:
        conn.execute(st.devices.insert().values(device=k.device, epoch=1, site=SITE, verifier_key="-", app="t",
                                                enrolled_at=stamp))
        conn.execute(st.chains.insert().values(device=k.device, epoch=1, last_seq=k.seq, head=b"\0" * 32,
                                               updated_at=stamp))
        conn.execute(st.events.insert(), [
            {"device": e.device, "epoch": 1, "seq": e.seq, "data": e.to_bytes(), "head": b"\0" * 32, "site": e.site,
             "kind": e.kind, "at": e.at, "boot": e.boot, "mono_us": e.mono_us,
             "server_at": format_rfc3339(jst(2, 7) + timedelta(minutes=e.seq)), "time_flags": f,
             "received_at": stamp} for e, f in zip(k.events, flags, strict=True)])
    with engine.connect() as conn:
        got = parse_rows(conn.execute(_log_select(conn, "device = :d", "seq"), {"d": k.device}).all())
    suspect = {"clock_jump", "clock_backwards"}
    expected = [LogEvent.of(Event.from_bytes(e.to_bytes()), (jst(2, 7) + timedelta(minutes=e.seq)).astimezone(),
                            bool(suspect & set(f.split(","))))
                for e, f in zip(k.events, flags, strict=True)]
    assert got == expected
    assert [x.reason for x in got][4:6] == ["card forgotten", "カードを忘れた \"本人\" 申告\\n"]
    assert got[6].ref == 4 and got[2].ref == 1 and got[1].ref is None
