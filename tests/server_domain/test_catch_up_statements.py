"""A worker round catches its device logs up in a constant number of statements, not three per log (P6: one-event
syncs from many devices, each round ~50 logs), with the same rows as a rebuild; on SQLite and PostgreSQL, through
the real ingest path — from the hand-off, and after a restart (nothing handed off: every event read back).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa

import server.store.domain_reconcile as dr
from server.ingest import IngestService
from server.store import domain_schema as t
from server.store.domain_reconcile import history
from server.worker import ReconcileWorker
from shared.clock import ManualClock
from shared.keys import SigningKey
from tests.server_domain.factory import CARD1, CARD2, SITE, jst
from tests.server_domain.test_store_reconcile import check_rebuild_equals_incremental, registry

CATCH_UP = re.compile(r'\b(dom_index_marks|FROM "?(events|device_sites|devices)"?)\b')
"""The statements catching device logs up: their index marks, their stored events, their site assignments."""


@contextmanager
def catch_up_statements(engine: sa.Engine) -> Iterator[list[str]]:
    """Every statement on the index marks or the raw events that SQLAlchemy hands the driver meanwhile."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if CATCH_UP.search(statement):
            seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def a_round(engine: sa.Engine, clock: ManualClock, kiosks: Callable, devices: int, first: int,  # type: ignore[type-arg]
            *, restart: bool, day: int = 2, made: dict[int, Any] | None = None) -> list[str]:
    """``devices`` kiosks each ship one tap (two for every third: a run of two batches); one worker round takes
    them all. With ``restart``, the worker that reconciles is a new one: nothing was handed off to it. Kiosks
    already in ``made`` go on with their logs."""
    made = {} if made is None else made
    worker = ReconcileWorker(engine, clock=clock)
    service = IngestService(engine, SigningKey.generate("test-server"), clock)
    service.listeners.append(worker.offer)
    for i in range(devices):
        k = made.get(first + i) or made.setdefault(first + i, kiosks(f"kiosk-{first + i}", SITE))
        k.tap(CARD1 if i % 2 else CARD2, "in", jst(day, 7, i))
        if i % 3 == 0:
            k.tap(CARD1 if i % 2 else CARD2, "out", jst(day, 17, i))
        k.ship(service, size=1)
    if restart:
        worker = ReconcileWorker(engine, clock=clock)
    with catch_up_statements(engine) as seen:
        assert worker.run_once() == devices + (devices + 2) // 3
    with engine.connect() as conn:
        assert history(conn, site=SITE)
    return seen


@pytest.mark.parametrize("restart", [False, True], ids=["handed-off", "restart"])
def test_a_round_catches_many_device_logs_up_in_as_many_statements_as_one(
        engine: sa.Engine, server_clock: ManualClock, kiosks: Callable,  # type: ignore[type-arg]
        restart: bool) -> None:
    registry(engine)
    few = a_round(engine, server_clock, kiosks, 2, 0, restart=restart)
    many = a_round(engine, server_clock, kiosks, 12, 100, restart=restart)
    assert len(few) == len(many) <= 4, many  # marks, assignments, events after the hand-off read; marks written
    check_rebuild_equals_incremental(engine)


def test_a_full_read_is_continued_for_every_log_it_did_not_finish(
        engine: sa.Engine, server_clock: ManualClock, kiosks: Callable,  # type: ignore[type-arg]
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Events read back a few rows at a time (``chunk``) across logs of different lengths: every one is indexed."""
    registry(engine)
    real = dr.catch_up_logs
    monkeypatch.setattr(dr, "catch_up_logs", lambda conn, logs, chunk=3: real(conn, logs, chunk=chunk))
    made: dict[int, Any] = {}
    for day in (2, 3):  # the second round reads each log from the event before its next
        a_round(engine, server_clock, kiosks, 7, 0, restart=True, day=day, made=made)
        with engine.connect() as conn:
            marks = {(r.device, r.epoch): r.last_seq for r in conn.execute(sa.select(t.index_marks))}
        assert marks == {(f"kiosk-{i}", 1): (day - 1) * (2 if i % 3 == 0 else 1) for i in range(7)}
    check_rebuild_equals_incremental(engine)
