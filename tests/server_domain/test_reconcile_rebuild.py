"""Rebuild's set-based pass (one streamed fetch, ranges of a log, taps kept in memory) equals the incremental path.

The same random ingest as tests/server_domain/test_store_reconcile.py, on SQLite and PostgreSQL, with the
rebuild's range and memory limits made tiny so that every branch runs: a log split over many fetches and
ranges, an amend of a tap stored in an earlier range (its site's taps are read back), and more taps than
rebuild keeps in memory (every site's taps are read back).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa

from server.ingest import IngestService
from server.store import domain_reconcile as dr
from server.store import domain_schema as t
from server.store.engine import write_transaction
from tests.server_domain.factory import CARD1, CARD2, CARD3, SITE, W1, W2, jst
from tests.server_domain.test_store_reconcile import check_rebuild_equals_incremental, registry


def _ingest(service: IngestService, kiosks: Callable, seed: int) -> int:  # type: ignore[type-arg]
    rng = random.Random(seed)
    ks = [kiosks("kiosk-a", SITE), kiosks("kiosk-b", SITE)]
    moment = {k.identity.device: jst(1, 6) for k in ks}
    taps: dict[str, list[int]] = {}
    amends_far = 0
    for _ in range(90):
        k = rng.choice(ks)
        dev = k.identity.device
        moment[dev] += timedelta(minutes=rng.choice([1, 7, 45, 180, 600]))
        roll = rng.random()
        if roll < 0.12 and len(taps.get(dev, [])) > 4:
            ref = taps[dev][rng.randrange(len(taps[dev]) - 3)]  # a tap several events back
            k.record(moment[dev], kind="amend", ref=ref, direction=rng.choice(["in", "out"]), reason="fix")
            amends_far += 1
        elif roll < 0.16:
            k.record(moment[dev], kind="bind", idm=CARD3, worker=rng.choice([W1, W2]))
        else:
            taps.setdefault(dev, []).append(
                k.tap(rng.choice([CARD1, CARD2, CARD3]), rng.choice(["in", "out"]), moment[dev]))
    while any(k.pending() for k in ks):
        k = rng.choice([k for k in ks if k.pending()])
        k.ship(service, size=rng.randint(1, 5), limit=1)
    return amends_far


@pytest.mark.parametrize(("fetch", "keep"), [(3, dr.REBUILD_KEEP), (4, 5), (dr.REBUILD_FETCH, dr.REBUILD_KEEP)])
def test_rebuild_in_ranges_equals_incremental(engine: sa.Engine, service: IngestService, kiosks: Callable,
                                              monkeypatch: pytest.MonkeyPatch, fetch: int, keep: int) -> None:  # type: ignore[type-arg]
    registry(engine)
    assert _ingest(service, kiosks, seed=11) > 3
    monkeypatch.setattr(dr, "REBUILD_FETCH", fetch)
    monkeypatch.setattr(dr, "REBUILD_KEEP", keep)
    rows = check_rebuild_equals_incremental(engine)
    assert len(rows) > 5
    assert any("amended" in str(r) for r in rows)
    with engine.connect() as conn:
        marks = {(r.device, r.last_seq) for r in conn.execute(sa.select(t.index_marks))}
        amended = conn.execute(sa.select(sa.func.count()).select_from(t.taps).where(
            t.taps.c.direction != t.taps.c.orig_direction)).scalar_one()
    assert {d for d, _ in marks} == {"kiosk-a", "kiosk-b"}
    assert amended > 0
    # a second rebuild over the first changes nothing
    with write_transaction(engine) as conn:
        dr.rebuild(conn)
    with engine.connect() as conn:
        assert dr.all_rows(conn) == rows


def test_bindings_of_many_cards_or_workers_are_read_in_chunks(engine: sa.Engine,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker asks for every card of the touched workers at once (never one query per worker)."""
    from server.store import domain_records as rec

    registry(engine)
    with engine.connect() as conn:
        everything = rec.bindings_for(conn)
        by_cards = rec.bindings_for(conn, [CARD1, CARD2, CARD3])
        by_workers = rec.bindings_for(conn, workers=[W1, W2])
        monkeypatch.setattr(rec, "_IN_CHUNK", 1)
        assert rec.bindings_for(conn, [CARD2, CARD1, CARD3]) == by_cards == everything
        assert rec.bindings_for(conn, workers=[W2, W1]) == by_workers == everything
        assert [b.worker for b in rec.bindings_for(conn, workers=[W2])] == [W2]
        assert rec.bindings_for(conn, [CARD1], workers=[W2]) == []
        assert rec.bindings_for(conn, workers=[]) == []
