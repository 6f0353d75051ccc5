"""Sibling gates exchange signed journals on the LAN (real sockets, real SQLite files, real signatures).

docs/syncd.md "Sibling gates": verified sibling events are stored apart from the journal; a forged, forked or
foreign batch is refused, nothing of it is stored, and an alarm is kept.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from shared.batch import Batch
from shared.canonical import canonical_bytes
from shared.event import Event
from shared.paths import DataDir
from shared.request_auth import sign_request
from shared.state import StateReader
from shared.state.siblings import (
    SiblingFeed,
    bindings,
    sibling_alarms,
    sibling_chain,
    sibling_event_count,
    sibling_peers,
)
from shared.timefmt import JST, local_when
from syncd.errors import PairExpired, PairLocked, PairRefused, SiblingForeign, SiblingForged, SiblingForked
from syncd.siblings import (
    PREFIX,
    Answer,
    SiblingConfig,
    SiblingExchange,
    SiblingServer,
    SiblingService,
    add_paired_key,
    load_config,
    pair_with,
    paired_keys,
    show_pair_code,
)
from tests.syncd.siblings_helpers import DAY_START, SITE, Gate, know_each_other, make_gate

A_CARD, B_CARD, C_CARD = "012E000000000001", "012E000000000002", "012E000000000003"


@pytest.fixture
def gates(tmp_path: Path) -> Iterator[tuple[Gate, Gate]]:
    a, b = make_gate(tmp_path, "a"), make_gate(tmp_path, "b")
    know_each_other(a, b)
    yield a, b
    a.close()
    b.close()


def _own_events(g: Gate) -> int:
    return int(g.journal.conn.execute("SELECT count(*) FROM events").fetchone()[0])


def test_a_gate_pulls_a_siblings_journal_verified_and_kept_apart(gates: tuple[Gate, Gate]) -> None:
    a, b = gates
    for idm in (A_CARD, B_CARD, C_CARD):
        a.tap(idm)
    b.tap(A_CARD, "out")
    report = b.connect(a).run_once()
    assert report.pulled == 3 and not report.errors and not report.refused
    assert _own_events(b) == 1  # nothing of A's entered B's own journal (never uploaded as B's)
    chain = sibling_chain(b.state, a.identity.device, 1)
    assert chain is not None and (chain.first_seq, chain.last_seq) == (1, 3)
    assert chain.head == a.journal.last(1)[1]
    # the other way round, and nothing twice
    assert a.connect(b).run_once().pulled == 1
    assert b.connect(a).run_once().pulled == 0
    a.tap(A_CARD, "out")
    assert b.connect(a).run_once().pulled == 1
    assert sibling_event_count(b.state) == 4
    peers = sibling_peers(b.state)
    assert [(p.address, p.device, p.events, p.last_error_code) for p in peers] == [
        (a.address, a.identity.device, 4, None)]
    # the kiosk's read-only feed gives them as events, the day's first time and then only new ones
    feed = SiblingFeed(b.data.state)
    got = feed.since(DAY_START)
    assert [(e.device, e.seq) for e in got] == [(a.identity.device, s) for s in (1, 2, 3, 4)]
    assert feed.since(DAY_START) == []
    a.tap(C_CARD, "out")
    b.connect(a).run_once()
    assert [e.seq for e in feed.since(DAY_START)] == [5]


def test_large_exchange_goes_in_batches(gates: tuple[Gate, Gate]) -> None:
    a, b = gates
    for i in range(250):
        a.tap(f"012E{i:012X}", step_s=1)
    assert b.connect(a, max_events=100).run_once().pulled == 250
    assert sibling_event_count(b.state) == 250


def test_batches_are_fetched_ahead_and_a_forged_one_midway_stops_the_pull(tmp_path: Path,
                                                                          gates: tuple[Gate, Gate]) -> None:
    """The next batch is fetched while one is verified; a forged batch in the middle of a pull is refused with
    an alarm, the batches before it are kept, nothing after it is stored, and the next pull resumes there."""
    a, b = gates
    for i in range(350):
        a.tap(f"012E{i:012X}", step_s=1)
    asked: list[str] = []

    class Tampering(SiblingService):
        def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Answer:
            asked.append(target)
            answer = super().handle(method, target, headers, body)
            if "from=201" in target and answer.status == 200:
                obj = json.loads(answer.body)
                obj["events"][5] = obj["events"][5].replace('"direction":"in"', '"direction":"out"')
                answer.body = canonical_bytes(obj)
            return answer

    service = Tampering(a.data, a.identity, a.key, a.keyring, site=lambda: SITE, clock=a.clock)
    server = SiblingServer(service, "127.0.0.1", 0).start()
    try:
        address = f"127.0.0.1:{server.port}"
        config = SiblingConfig(peers=(address,), port=0, mdns=False)
        ex = SiblingExchange(b.data, b.identity, b.key, b.state, config, b.keyring, clock=b.clock, max_events=100)
        try:
            report = ex.run_once()
        finally:
            ex.close()
        assert [e.code for e in report.refused] == ["sibling_forged"]
        chain = sibling_chain(b.state, a.identity.device, 1)
        assert chain is not None and chain.last_seq == 200
        assert [x.seq for x in sibling_alarms(b.state)] == [201]
        # the batch after the forged one may have been fetched ahead, but nothing of it was stored
        assert sum("from=201" in t for t in asked) == 1 and sibling_event_count(b.state) == 200
    finally:
        server.stop()
    # from the genuine server, the pull goes on where it stopped
    assert b.connect(a, max_events=100).run_once().pulled == 150
    assert sibling_event_count(b.state) == 350


def test_a_forged_batch_is_refused_and_kept_as_an_alarm(gates: tuple[Gate, Gate]) -> None:
    a, b = gates
    a.tap(A_CARD)
    a.tap(B_CARD)
    batch = a.journal.batch(1, 1)
    assert batch is not None
    obj = json.loads(batch.to_bytes())
    obj["events"][1] = obj["events"][1].replace(B_CARD, C_CARD)  # someone changed who came in
    forged = canonical_bytes(obj)
    ex = b.connect(a)
    with pytest.raises(SiblingForged):
        ex.accept(a.address, forged)
    assert sibling_event_count(b.state) == 0
    alarms = sibling_alarms(b.state)
    assert [(x.code, x.device, x.epoch) for x in alarms] == [("sibling_forged", a.identity.device, 1)]
    evidence = b.state._one("SELECT evidence FROM sibling_alarms")
    assert evidence is not None and bytes(evidence[0]) == forged  # type: ignore[arg-type]
    # signed by another key than the sibling's: refused the same way
    other = make_gate(b.data.root.parent, "stranger")
    try:
        other.tap(A_CARD)
        stranger_batch = other.journal.batch(1, 1)
        assert stranger_batch is not None
        wrong = Batch(a.identity.device, 1, 1, 1, stranger_batch.prev, stranger_batch.events,
                      stranger_batch.checkpoint)
        with pytest.raises(SiblingForged):
            ex.accept(a.address, wrong.to_bytes())
    finally:
        other.close()
    # not a batch at all, and an oversized body: refused, nothing stored
    with pytest.raises(SiblingForged):
        ex.accept(a.address, b'{"not": "a batch"}')
    with pytest.raises(SiblingForged):
        ex.accept(a.address, b"x" * (9 * 1024 * 1024))
    assert sibling_event_count(b.state) == 0
    # the genuine batch still goes in afterwards
    assert ex.accept(a.address, batch.to_bytes()) == 2
    # people see the alarm: genba syncd status (and --json), genba siblings list
    env = {**os.environ, "GENBA_LANG": "ja"}
    shown = subprocess.run([sys.executable, "-m", "genba", "--data-dir", str(b.data.root), "syncd", "status"],
                           capture_output=True, text=True, env=env, timeout=60)
    assert "警告: 隣のゲート" in shown.stdout and "sibling_forged" in shown.stdout, shown.stdout + shown.stderr
    shown = subprocess.run([sys.executable, "-m", "genba", "--data-dir", str(b.data.root), "siblings", "list",
                            "--json"], capture_output=True, text=True, env=env, timeout=60)
    listed = json.loads(shown.stdout)
    assert listed["alarms"][0]["code"] == "sibling_forged" and listed["chains"][0]["last"] == 2
    # in words, its time is the site's (Asia/Tokyo by default), not the stored text of whichever machine wrote it
    shown = subprocess.run([sys.executable, "-m", "genba", "--data-dir", str(b.data.root), "siblings", "list"],
                           capture_output=True, text=True, env={**env, "TZ": "UTC"}, timeout=60)
    at = listed["alarms"][0]["at"]
    assert f"  {local_when(at, JST)} sibling_forged " in shown.stdout and at not in shown.stdout, shown.stdout


def test_a_forked_sibling_is_refused_and_kept_as_an_alarm(tmp_path: Path, gates: tuple[Gate, Gate]) -> None:
    a, b = gates
    for idm in (A_CARD, B_CARD):
        a.tap(idm)
    assert b.connect(a).run_once().pulled == 2
    # a copy of gate A (same device key: restored from an old backup, or cloned) writes other events
    clone = make_gate(tmp_path, "clone", identity=a.identity, key=a.key)
    know_each_other(clone, b)
    try:
        for idm in (C_CARD, C_CARD, A_CARD):
            clone.tap(idm)
        report = b.connect(clone).run_once()
        assert report.pulled == 0 and [e.code for e in report.refused] == ["sibling_forked"]
        assert sibling_event_count(b.state) == 2
        alarm = sibling_alarms(b.state)[0]
        assert (alarm.code, alarm.device, alarm.peer) == ("sibling_forked", a.identity.device, clone.address)
        # the same seq with different bytes inside an overlapping batch is a fork too
        whole = clone.journal.batch(1, 1)
        assert whole is not None
        with pytest.raises(SiblingForked):
            b.exchange.accept(clone.address, whole.to_bytes())  # type: ignore[union-attr]
        # a copy that is BEHIND what B holds, with another event at its last seq: its head gives it away
        behind = make_gate(tmp_path, "behind", identity=a.identity, key=a.key)
        know_each_other(behind, b)
        try:
            behind.tap(C_CARD)
            report = b.connect(behind).run_once()
            assert [e.code for e in report.refused] == ["sibling_forked"]
        finally:
            behind.close()
        know_each_other(a, b)
        # the peer's error is shown, and the genuine gate still exchanges
        assert [p.last_error_code for p in sibling_peers(b.state) if p.address == clone.address] == ["sibling_forked"]
        a.tap(C_CARD)
        assert b.connect(a).run_once().pulled == 1
    finally:
        clone.close()


def test_events_of_another_site_are_refused(tmp_path: Path) -> None:
    a = make_gate(tmp_path, "a")
    b = make_gate(tmp_path, "b")
    know_each_other(a, b)
    try:
        from shared.journal import EventDraft

        a.journal.append(EventDraft(kind="tap", reader="sim", site="99999999999999", idm=A_CARD, direction="in"))
        b.state.set_site_config(__import__("shared.state", fromlist=["SiteConfig"]).SiteConfig(site="12345678901234"))
        report = b.connect(a).run_once()
        assert [type(e) for e in report.refused] == [SiblingForeign]
        assert sibling_event_count(b.state) == 0
        assert sibling_alarms(b.state)[0].code == "sibling_foreign"
    finally:
        a.close()
        b.close()


def test_the_journal_is_served_only_to_known_siblings(tmp_path: Path, gates: tuple[Gate, Gate]) -> None:
    a, b = gates
    a.tap(A_CARD)
    base = f"http://{a.address}"
    target = f"{PREFIX}/batch?epoch=1&from=1"
    # no signature (another host on the LAN): refused
    r = httpx.get(base + target)
    assert r.status_code == 401 and r.headers["X-Genba-Error"] == "unauthenticated"
    assert httpx.get(base + target, headers={"Authorization": "Genba-Device nonsense"}).status_code == 401
    # a device A does not know: refused
    stranger = make_gate(tmp_path, "stranger2")
    try:
        header = sign_request(stranger.key, device=stranger.identity.device, epoch=1, method="GET",
                              path_with_query=target, body=b"", now=stranger.clock.wall())
        r = httpx.get(base + target, headers={"Authorization": header})
        assert r.status_code == 403 and r.json()["code"] == "unknown_key"
    finally:
        stranger.close()
    # B's genuine request works once; the same signed request again is a replay
    header = sign_request(b.key, device=b.identity.device, epoch=1, method="GET", path_with_query=target, body=b"",
                          now=b.clock.wall())
    r = httpx.get(base + target, headers={"Authorization": header})
    assert r.status_code == 200 and Batch.from_bytes(r.content).last == 1
    r = httpx.get(base + target, headers={"Authorization": header})
    assert r.status_code == 401 and r.json()["code"] == "replayed"
    # a signature for another path does not open this one
    header = sign_request(b.key, device=b.identity.device, epoch=1, method="GET", path_with_query=f"{PREFIX}/chains",
                          body=b"", now=b.clock.wall())
    assert httpx.get(base + target, headers={"Authorization": header}).status_code == 401
    # malformed parameters: 400 with a code, nothing else happens
    for bad in ("epoch=x&from=1", "from=1", "epoch=1&from=1&from=2", "epoch=1&from=99999999999999999"):
        t = f"{PREFIX}/batch?{bad}"
        header = sign_request(b.key, device=b.identity.device, epoch=1, method="GET", path_with_query=t, body=b"",
                              now=b.clock.wall())
        r = httpx.get(base + t, headers={"Authorization": header})
        assert r.status_code == 400 and r.json()["code"] == "malformed", bad
    # beyond the end: nothing to send
    t = f"{PREFIX}/batch?epoch=1&from=2"
    header = sign_request(b.key, device=b.identity.device, epoch=1, method="GET", path_with_query=t, body=b"",
                          now=b.clock.wall())
    assert httpx.get(base + t, headers={"Authorization": header}).status_code == 204
    # the hello carries no personal data and needs no key
    hello = httpx.get(f"{base}{PREFIX}/hello").json()
    assert hello == {"format": "genba.sibling/1", "device": a.identity.device, "epoch": 1,
                     "site": "12345678901234"}
    assert httpx.get(f"{base}/anything").status_code == 404


def test_pairing_with_a_short_code_when_the_site_was_never_online(tmp_path: Path) -> None:
    a, b = make_gate(tmp_path, "a"), make_gate(tmp_path, "b")
    try:
        a.tap(A_CARD)
        assert b.connect(a).run_once().pulled == 0  # B's requests are refused: A does not know B yet
        assert [p.last_error_code for p in sibling_peers(b.state)] == ["sibling_refused"]
        code = show_pair_code(a.data, a.clock.wall())
        assert len(code) == 11 and code[5] == "-"
        # wrong codes are refused; after five A locks pairing until it shows a new code
        for _ in range(5):
            with pytest.raises(PairRefused):
                pair_with(b.data, b.identity, b.key, a.address, "AAAAA-AAAAA", site=None, now=b.clock.wall())
        with pytest.raises(PairLocked):
            pair_with(b.data, b.identity, b.key, a.address, code, site=None, now=b.clock.wall())
        assert paired_keys(a.data) == {} and paired_keys(b.data) == {}
        code = show_pair_code(a.data, a.clock.wall())
        reply = pair_with(b.data, b.identity, b.key, a.address, code.lower(), site=None, now=b.clock.wall())
        assert reply["device"] == a.identity.device
        assert set(paired_keys(a.data)) == {(b.identity.device, 1)}
        assert set(paired_keys(b.data)) == {(a.identity.device, 1)}
        # single use
        with pytest.raises(PairRefused):
            pair_with(b.data, b.identity, b.key, a.address, code, site=None, now=b.clock.wall())
        assert b.connect(a).run_once().pulled == 1
        assert a.connect(b).run_once().pulled == 0 and not a.exchange.run_once().errors  # type: ignore[union-attr]
        # an expired code
        code = show_pair_code(a.data, a.clock.wall())
        a.clock.advance(timedelta(minutes=11).total_seconds())
        with pytest.raises(PairExpired):  # said apart from a wrong code: show a new one
            pair_with(b.data, b.identity, b.key, a.address, code, site=None, now=b.clock.wall())
        # malformed and oversized pairing bodies: 4xx, nothing stored
        r = httpx.post(f"http://{a.address}{PREFIX}/pair", content=b'{"device": 1}')
        assert r.status_code == 400
        r = httpx.post(f"http://{a.address}{PREFIX}/pair", content=b"x" * 5000)
        assert r.status_code == 413
        assert set(paired_keys(a.data)) == {(b.identity.device, 1)}
    finally:
        a.close()
        b.close()


def test_bindings_of_every_gate_are_kept_in_state_db(gates: tuple[Gate, Gate]) -> None:
    a, b = gates
    a.tap(C_CARD, kind="bind", worker="10000000000001")
    b.tap(B_CARD, kind="bind", worker="10000000000002")
    b.connect(a).run_once()
    held = bindings(b.state)
    assert {k: (v.worker, v.device) for k, v in held.items()} == {
        C_CARD: ("10000000000001", a.identity.device), B_CARD: ("10000000000002", b.identity.device)}
    # a later bind of the same card wins, wherever it was made
    b.tap(C_CARD, kind="bind", worker="10000000000003")
    b.connect(a).run_once()
    assert bindings(b.state)[C_CARD].worker == "10000000000003"
    # the own journal is scanned incrementally: nothing changes when nothing was added
    before = b.state.meta("bindings_scanned")
    b.exchange.run_once()  # type: ignore[union-attr]
    assert b.state.meta("bindings_scanned") == before
    with StateReader(b.data.state) as reader:
        assert set(bindings(reader)) == {B_CARD, C_CARD}


def test_config_file_and_addresses(tmp_path: Path) -> None:
    data = DataDir(tmp_path).ensure()
    assert load_config(data).peers == ()
    (tmp_path / "siblings.toml").write_text('siblings = ["10.0.0.2:8781", "gate-b.local:8781"]\nport = 8790\n'
                                            "mdns = false\n")
    cfg = load_config(data, extra_peers=["10.0.0.3:8781", "10.0.0.2:8781"])
    assert cfg.peers == ("10.0.0.2:8781", "gate-b.local:8781", "10.0.0.3:8781")
    assert (cfg.port, cfg.mdns) == (8790, False)
    from shared.errors import FormatError

    for bad in ('siblings = ["nohost"]', 'siblings = "x:1"', "port = 70000", "colour = 1", "siblings = [",
                'siblings = ["a:0"]', 'siblings = ["a/b:80"]'):
        (tmp_path / "siblings.toml").write_text(bad)
        with pytest.raises(FormatError):
            load_config(data)
    with pytest.raises(FormatError):
        add_paired_key(data, device="not a device", epoch=1, key="k", site=None, at="now")


def test_feed_before_syncd_made_the_tables(tmp_path: Path) -> None:
    feed = SiblingFeed(tmp_path / "state.db")
    assert feed.since(DAY_START) == [] and feed.between(DAY_START, DAY_START + timedelta(days=1)) == []


def test_sibling_events_parse_back(gates: tuple[Gate, Gate]) -> None:
    a, b = gates
    stored = a.tap(A_CARD)
    b.connect(a).run_once()
    (got,) = SiblingFeed(b.data.state).since(DAY_START)
    assert got == Event.from_bytes(stored.data)


def test_old_sibling_events_are_pruned_and_the_exchange_goes_on(gates: tuple[Gate, Gate]) -> None:
    a, b = gates
    a.tap(A_CARD)
    a.tap(C_CARD, kind="bind", worker="10000000000001")
    assert b.connect(a).run_once().pulled == 2
    b.clock.advance(timedelta(days=36).total_seconds())
    a.clock.advance(timedelta(days=36).total_seconds())
    a.tap(B_CARD)
    report = b.exchange.run_once()  # type: ignore[union-attr]
    assert report.pulled == 1 and not report.errors and not report.refused
    assert sibling_event_count(b.state) == 1  # the two old ones are gone, the new one is there
    chain = sibling_chain(b.state, a.identity.device, 1)
    assert chain is not None and chain.last_seq == 3
    assert bindings(b.state)[C_CARD].worker == "10000000000001"  # the binding outlives its event
    assert b.exchange.run_once().pulled == 0  # type: ignore[union-attr]


def test_utc_keys_of_every_offset_and_precision_sort_as_the_moments_do() -> None:
    """utc_key converts a minute once and copies the seconds: the same key as a full conversion, for every
    offset, precision and Z; text it cannot take apart goes the full way (and is refused when not a time)."""
    import random
    from datetime import UTC, datetime, timezone

    from shared.errors import FormatError
    from shared.state.siblings import utc_key

    rng = random.Random(14)
    moments = []
    for _ in range(3000):
        offset = timedelta(minutes=rng.choice([0, 540, -330, 330, -600, 840, 345]))
        moment = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(400 * 86400),
                                                             microseconds=rng.randrange(10**6))
        text = moment.astimezone(timezone(offset)).isoformat(timespec=rng.choice(["seconds", "milliseconds",
                                                                                   "microseconds"]))
        if not offset and rng.random() < 0.5:
            text = text.replace("+00:00", "Z")
        shown = datetime.fromisoformat(text).astimezone(UTC)  # the moment as far as the text's precision goes
        moments.append((shown, text))
        full = shown.strftime("%Y-%m-%dT%H:%M:%S.") + f"{shown.microsecond:06d}Z"
        assert utc_key(text) == full, text
    assert sorted(moments, key=lambda m: utc_key(m[1])) == sorted(moments)
    assert utc_key("2026-11-30T07:00:00.5+09:00") == "2026-11-29T22:00:00.500000Z"
    with pytest.raises(FormatError):
        utc_key("2026-11-30T07:00:00.5 JST")
