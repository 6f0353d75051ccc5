"""The audit log's bytes for a fixed input, pinned: what the sequencer writes must not change when it is made faster.

Fixed rows (events of two chains with ordinary and awkward values — non-ASCII, quotes, backslashes, control
characters, the largest safe integers —, device-site assignments, a registry record) are written straight into a
fresh database and sequenced in two runs with a fixed server key and stamp. Every stored entry, subtree and
checkpoint is hashed into one digest, and one event's entry is pinned byte for byte. The digests were taken
from the sequencer as it was before the bulk rewrite (issue 10), so equality is proven, not assumed. The log
then verifies, and an edited row is still named.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import sqlalchemy as sa

from server.audit import service
from server.security.schema import device_sites
from server.store import audit_log as store
from server.store import audit_schema as a
from server.store import domain_schema as d
from server.store import schema as s
from server.store.engine import make_engine, migrate, write_transaction
from shared.errors import FormatError
from shared.keys import SigningKey

KEY = SigningKey(name="pinned-server", seed=bytes(range(32)))
STAMP = "2026-11-30T12:00:00Z"
DEVICES = (("kiosk-a", 1), ("kiosk-b", 3))
AWKWARD = ["plain", "漢字とかな", 'quote " and \\ backslash', "tab\tnew\nline\x01\x1f", "\u2028 \U0001f600"]


def _event(device: str, epoch: int, seq: int) -> dict[str, object]:
    odd = AWKWARD[seq % len(AWKWARD)]
    return {
        "device": device, "epoch": epoch, "seq": seq,
        "data": f'{{"device":"{device}","seq":{seq}}}'.encode() + bytes([seq % 256]),
        "head": hashlib.sha256(f"{device}:{epoch}:{seq}".encode()).digest(),
        "site": "12345678901234", "kind": "in" if seq % 2 else "out",
        "at": f"2026-11-30T08:{seq % 60:02d}:00+09:00", "boot": odd if seq % 7 == 3 else "boot-0001",
        "mono_us": 2**53 - 1 if seq == 11 else (1 - 2**53 if seq == 12 else seq * 1_000_003),
        "server_at": f"2026-11-29T23:{seq % 60:02d}:00.123456Z",
        "time_flags": odd if seq % 3 == 0 else "", "received_at": "2026-11-30T00:00:01Z",
    }


def _rows(first: int, last: int) -> list[dict[str, object]]:
    return [_event(dev, ep, seq) for dev, ep in DEVICES for seq in range(first, last + 1)]


def _fill(engine: sa.Engine, first: int, last: int) -> None:
    with write_transaction(engine) as conn:
        if first == 1:
            for dev, ep in DEVICES:
                conn.execute(s.devices.insert().values(device=dev, epoch=ep, site="12345678901234",
                                                       verifier_key="x", app="0.1.0", enrolled_at=STAMP))
                conn.execute(s.chains.insert().values(device=dev, epoch=ep, last_seq=0, head=bytes(32),
                                                      updated_at=STAMP))
                conn.execute(device_sites.insert().values(device=dev, epoch=ep, from_seq=1, site="12345678901234",
                                                          assigned_at=STAMP, assigned_by="enrollment"))
            conn.execute(d.companies.insert().values(company="C0000000000001", name="株式会社 \"見本\"",
                                                     origin="manual"))
            store.queue_key_change(conn, "dom_companies", "C0000000000001")
        conn.execute(s.events.insert(), _rows(first, last))
        for dev, ep in DEVICES:
            conn.execute(s.chains.update().where(s.chains.c.device == dev, s.chains.c.epoch == ep)
                         .values(last_seq=last))


def _digest(conn: sa.Connection) -> str:
    h = hashlib.sha256()
    for r in conn.execute(sa.select(a.leaves).order_by(a.leaves.c.idx)):
        data = b"-" if r.data is None else bytes(r.data)
        h.update(repr((int(r.idx), r.tbl, r.row_key, data, bytes(r.leaf), r.logged_at)).encode())
    for r in conn.execute(sa.select(a.nodes).order_by(a.nodes.c.level, a.nodes.c.idx)):
        h.update(repr((int(r.level), int(r.idx), bytes(r.hash))).encode())
    for r in conn.execute(sa.select(a.checkpoints).order_by(a.checkpoints.c.size)):
        h.update(repr((int(r.size), r.note, r.signed_at)).encode())
    return h.hexdigest()


PINNED_DIGEST = "471e7f4543300862a9142b59d0b09d08351ed013c59dfbde87f060b86f4d28f5"
PINNED_SIZE = 83  # 80 events, 2 device-site assignments, 1 registry record
PINNED_ENTRIES = {  # kiosk-b's entries for these seqs, byte for byte
    3: (b'{"at":"2026-11-30T08:03:00+09:00","boot":"tab\\tnew\\nline\\u0001\\u001f","device":"kiosk-b"'
         b',"epoch":3,"event_leaf":"95949aeaa9b5b638a9a7d5d2f032c5fe6ecaa1129b04c7e0153bab74f6ddeb90"'
         b',"head":"cbe5ef4801fc4fbb169fc2057ca217c78878ed91e5edbca7bfebabab16ed34b2","kind":"in"'
         b',"mono_us":3000009,"received_at":"2026-11-30T00:00:01Z","seq":3'
         b',"server_at":"2026-11-29T23:03:00.123456Z","site":"12345678901234"'
         b',"time_flags":"tab\\tnew\\nline\\u0001\\u001f","type":"event"}'),
    11: (b'{"at":"2026-11-30T08:11:00+09:00","boot":"boot-0001","device":"kiosk-b","epoch":3'
         b',"event_leaf":"71c47a1e7f165369de58f04af230d5ef28a4735a0af0c6ce61d1d67e32a62194"'
         b',"head":"9e789e11812e9cde38ad99cf5d186c624cabd840d2edcae539c0e519247c6c4d","kind":"in"'
         b',"mono_us":9007199254740991,"received_at":"2026-11-30T00:00:01Z","seq":11'
         b',"server_at":"2026-11-29T23:11:00.123456Z","site":"12345678901234","time_flags":""'
         b',"type":"event"}'),
    12: (b'{"at":"2026-11-30T08:12:00+09:00","boot":"boot-0001","device":"kiosk-b","epoch":3'
         b',"event_leaf":"392ecac217d400f7f90c407ebca81aea7ed98bb6f0b7b6716803353711696484"'
         b',"head":"05ec33bca2f4f5bcf65e971839084264757b4c8553f1907d341962cf829746b6","kind":"out"'
         b',"mono_us":-9007199254740991,"received_at":"2026-11-30T00:00:01Z","seq":12'
         b',"server_at":"2026-11-29T23:12:00.123456Z","site":"12345678901234"'
         b',"time_flags":"quote \\" and \\\\ backslash","type":"event"}'),
    24: (b'{"at":"2026-11-30T08:24:00+09:00","boot":"\xe2\x80\xa8 \xf0\x9f\x98\x80","device":"kiosk-b"'
         b',"epoch":3,"event_leaf":"49650ba3f45fe9c5efceb59180e4c3be7446998ee891271cbfa6c86f08140542"'
         b',"head":"c096297970c7558f8b705ee0c9baa000d5672b13720bca02a34a529467559ee2","kind":"out"'
         b',"mono_us":24000072,"received_at":"2026-11-30T00:00:01Z","seq":24'
         b',"server_at":"2026-11-29T23:24:00.123456Z","site":"12345678901234"'
         b',"time_flags":"\xe2\x80\xa8 \xf0\x9f\x98\x80","type":"event"}'),
}


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_the_sequencer_writes_the_pinned_entries(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    url = (f"sqlite:///{tmp_path / 'server.db'}" if backend == "sqlite"
           else request.getfixturevalue("pg_cluster").create_schema())
    engine = make_engine(url)
    try:
        migrate(engine)
        _fill(engine, 1, 20)
        assert service.sequence(engine, KEY, STAMP) is not None
        _fill(engine, 21, 40)  # a second run extends the tree from its stored right edge
        assert service.sequence(engine, KEY, "2026-11-30T12:00:05Z") is not None
        with engine.connect() as conn:
            assert store.size(conn) == PINNED_SIZE
            for seq, entry in PINNED_ENTRIES.items():
                found = service.event_inclusion(conn, "kiosk-b", 3, seq)
                assert found is not None and found.entry == entry
            assert _digest(conn) == PINNED_DIGEST
            report = service.verify_on(conn, [KEY.verifier])
            assert report.ok and report.pending == 0, report.findings
        with engine.connect() as conn:  # an edit by hand, rolled back: still named
            conn.execute(s.events.update().where(s.events.c.device == "kiosk-b", s.events.c.seq == 12)
                         .values(time_flags="edited"))
            found_codes = [f.line() for f in service.verify_on(conn, [KEY.verifier]).findings]
            assert found_codes == ["row_changed: events kiosk-b:3:12: differs from its last logged state (entry 31)"]
            conn.rollback()
    finally:
        engine.dispose()


def test_an_integer_past_the_safe_range_still_stops_the_sequencer_with_the_same_error(tmp_path: Path) -> None:
    """Ingest never stores one (events are parsed within ±2^53), but a row written by hand must not be logged
    in a form the canonical encoder would refuse."""
    engine = make_engine(f"sqlite:///{tmp_path / 'server.db'}")
    try:
        migrate(engine)
        _fill(engine, 1, 2)
        with write_transaction(engine) as conn:
            conn.execute(s.events.update().where(s.events.c.device == "kiosk-a", s.events.c.seq == 2)
                         .values(mono_us=2**53))
        with pytest.raises(FormatError, match="exceeds safe integer domain"):
            service.sequence(engine, KEY, STAMP)
        with engine.connect() as conn:
            assert store.size(conn) == 0  # nothing partial
    finally:
        engine.dispose()


def test_the_batched_entries_are_the_general_ones_row_by_row() -> None:
    """The sequencer's batch builder (strings a chain repeats escaped once) against the definition, per row,
    including rows it must hand to the general way (a memoryview, a non-ASCII device)."""
    rows = [tuple(r[c] for c in store.EVENT_COLUMNS) for r in _rows(1, 30)]
    rows.append(("kiosk-a", 1, 31, memoryview(b"{}"), bytes(32), "12345678901234", "in", "x", "b", 1, "y", "", "z"))
    rows.append(("キオスク", 1, 32, b"{}", bytes(32), "12345678901234", "in", "x", "b", 1, "y", "", "z"))
    want = [service.event_entry_of(dict(zip(store.EVENT_COLUMNS, r, strict=True))) for r in rows]
    assert service.event_entries(rows) == want
    assert [service.event_entry_tuple(r) for r in rows] == want


def _entries_and_nodes(engine: sa.Engine) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        leaves = [(int(r.idx), r.tbl, r.row_key, r.data, bytes(r.leaf))
                  for r in conn.execute(sa.select(a.leaves).order_by(a.leaves.c.idx))]
        nodes = [(int(r.level), int(r.idx), bytes(r.hash))
                 for r in conn.execute(sa.select(a.nodes).order_by(a.nodes.c.level, a.nodes.c.idx))]
    return [*leaves, *nodes]


def test_a_run_cut_at_its_limit_goes_on_where_it_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``MAX_PER_RUN`` entries per transaction: a chain cut in the middle (and the next chain) continue in the
    next step, giving the same entries and subtrees as one uncut run."""
    whole, cut = (make_engine(f"sqlite:///{tmp_path / name}.db") for name in ("whole", "cut"))
    try:
        for engine in (whole, cut):
            migrate(engine)
            _fill(engine, 1, 20)
        assert service.sequence(whole, KEY, STAMP) is not None
        monkeypatch.setattr(service, "MAX_PER_RUN", 7)
        assert service.sequence(cut, KEY, STAMP) is not None
        assert _entries_and_nodes(cut) == _entries_and_nodes(whole)
        with cut.connect() as conn:
            assert [n for n, _ in store.all_checkpoints(conn)] == [7, 14, 21, 28, 35, 43]  # events capped at 7 a step
            assert service.verify_on(conn, [KEY.verifier]).ok
    finally:
        whole.dispose()
        cut.dispose()
