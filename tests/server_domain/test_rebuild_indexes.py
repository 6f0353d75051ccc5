"""Rebuild drops the derived tables' secondary indexes while it writes and builds them again (and, on PostgreSQL,
empties the tables with TRUNCATE): afterwards the schema is exactly the migrations' again, and a rebuild that
fails half-way (in the main thread or in the thread that builds the taps' indexes beside reconciliation) leaves the
indexes and the previous rows as they were (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from server.ingest import IngestService
from server.store import domain_reconcile as dr
from server.store import domain_schema as t
from server.store.domain_schema import metadata
from server.store.engine import write_transaction
from tests.server_domain.factory import CARD1, CARD2, SITE, jst
from tests.server_domain.test_store_reconcile import registry


def _drift(engine: sa.Engine) -> list[Any]:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return [d for d in compare_metadata(ctx, metadata)
                if not (d[0] == "remove_table" and not d[1].name.startswith("dom_"))
                and not (d[0] == "remove_index" and not d[1].table.name.startswith("dom_"))]


def _indexes(engine: sa.Engine) -> dict[str, list[str | None]]:
    inspector = sa.inspect(engine)
    return {table.name: sorted(i["name"] for i in inspector.get_indexes(table.name))
            for table in (t.taps, t.work_days)}


def _shipped(engine: sa.Engine, service: IngestService, kiosks: Callable,  # type: ignore[type-arg]
             taps: list[tuple[str, str, int, int]]) -> tuple[dict[str, list[str | None]], list[Any]]:
    """One gate's taps (card, direction, hour, minute on the 2nd) ingested and reconciled; the derived tables'
    indexes and rows as they are then."""
    registry(engine)
    gate = kiosks("kiosk-gate", SITE)
    for card, direction, hour, minute in taps:
        gate.tap(card, direction, jst(2, hour, minute))
    gate.ship(service)
    with engine.connect() as conn:
        return _indexes(engine), dr.all_rows(conn)


def test_rebuild_leaves_the_schema_as_migrated_and_a_failed_one_changes_nothing(
        engine: sa.Engine, service: IngestService, kiosks: Callable,  # type: ignore[type-arg]
        monkeypatch: pytest.MonkeyPatch) -> None:
    indexes, before = _shipped(engine, service, kiosks,
                               [(CARD1, "in", 7, 50), (CARD2, "in", 8, 0), (CARD1, "out", 17, 0)])
    assert all(len(names) >= 2 for names in indexes.values()), indexes
    assert len(before) == 2

    with write_transaction(engine) as conn:
        assert dr.rebuild(conn) == {"events": 3, "rows": 2, "sites": 1}
    assert _indexes(engine) == indexes
    assert _drift(engine) == []
    with engine.connect() as conn:
        assert dr.all_rows(conn) == before

    def broken(*args: object, **kwargs: object) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(dr, "_reconcile_site", broken)
    with pytest.raises(RuntimeError, match="disk full"), write_transaction(engine) as conn:
        dr.rebuild(conn)
    assert _indexes(engine) == indexes
    assert _drift(engine) == []
    with engine.connect() as conn:
        assert dr.all_rows(conn) == before
        assert conn.execute(sa.select(sa.func.count()).select_from(t.taps)).scalar_one() == 3


def test_a_failure_building_the_taps_indexes_beside_reconciliation_changes_nothing(
        engine: sa.Engine, service: IngestService, kiosks: Callable,  # type: ignore[type-arg]
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The taps' indexes are built in a thread while the first site is reconciled; its error is the rebuild's."""
    indexes, before = _shipped(engine, service, kiosks, [(CARD1, "in", 7, 50), (CARD1, "out", 17, 0)])
    assert len(before) == 1
    threads: list[str] = []
    real = dr._create_indexes

    def failing(conn: sa.Connection, built: Any) -> None:
        if built and built[0].table is t.taps:
            import threading

            threads.append(threading.current_thread().name)
            raise RuntimeError("no space left for the index")
        real(conn, built)

    monkeypatch.setattr(dr, "_create_indexes", failing)
    with pytest.raises(RuntimeError, match="no space left"), write_transaction(engine) as conn:
        dr.rebuild(conn)
    assert threads == ["genba-rebuild-indexes"]
    assert _indexes(engine) == indexes
    assert _drift(engine) == []
    with engine.connect() as conn:
        assert dr.all_rows(conn) == before
