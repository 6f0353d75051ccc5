"""What a worker round reads: only the recomputed workers' roster entries, never the site's whole roster
(in a 1,000-worker site that read was most of a one-tap round), with the same rows as a rebuild.

On SQLite and PostgreSQL, through the real ingest path.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from server.domain.reconcile import BindingTerms, RosterTerms
from server.domain.registry import CardBinding
from server.domain.roster import RosterEntry
from server.ingest import IngestService
from server.store import domain_records as rec
from server.store.engine import write_transaction
from tests.server_domain.factory import CARD1, CARD2, SITE, SUB1, W1, W2, jst
from tests.server_domain.test_store_reconcile import check_rebuild_equals_incremental, registry


def test_a_round_reads_the_roster_of_the_workers_it_recomputes_only(
        engine: sa.Engine, service: IngestService, kiosks: Callable,  # type: ignore[type-arg]
        monkeypatch: pytest.MonkeyPatch) -> None:
    registry(engine)  # W1 on the roster (complete); W2 not yet
    with write_transaction(engine) as conn:
        rec.add_roster_entry(conn, RosterEntry(SITE, W2, SUB1, date(2026, 11, 1), trade_code="0201"))  # no position
    asked: list[Any] = []
    real = rec.roster_terms

    def spying(conn: sa.Connection, site: str, workers: Any = None) -> Any:
        asked.append(None if workers is None else sorted(workers))
        return real(conn, site, workers)

    monkeypatch.setattr(rec, "roster_terms", spying)
    gate = kiosks("kiosk-gate", SITE)
    gate.tap(CARD1, "in", jst(2, 7, 50))
    gate.ship(service, size=1, limit=1)
    gate.tap(CARD2, "in", jst(2, 8, 0))
    gate.tap(CARD2, "out", jst(2, 17, 0))
    gate.ship(service, size=2, limit=1)
    assert asked == [[W1], [W2]]
    rows = {r[2]: r for r in check_rebuild_equals_incremental(engine)}
    assert asked[-1] is None  # rebuild reads the whole roster once per site
    assert "roster_incomplete" in str(rows[W2]) and "not_on_roster" not in str(rows[W1])


def _terms(e: RosterEntry) -> RosterTerms:
    return RosterTerms(e.site, e.worker, e.employer, e.valid_from, e.valid_to, e.trade_code, e.trade_name,
                       e.position, e.work_content, e.hazardous)


def test_roster_and_bindings_read_as_terms_are_the_checked_records_in_the_same_order(
        engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """What reconciliation reads (terms, in chunks) is what the registry holds, in the order it is read."""
    registry(engine)
    with write_transaction(engine) as conn:
        rec.add_roster_entry(conn, RosterEntry(SITE, W2, SUB1, date(2026, 11, 1), date(2026, 11, 9),
                                               trade_code="0201", position="職長", work_content="型枠",
                                               hazardous="石綿", health_checks=("じん肺",)))
        rec.add_roster_entry(conn, RosterEntry(SITE, W2, SUB1, date(2026, 11, 10), trade_name="鳶"))
        [second] = [b for b in rec.bindings_for(conn, [CARD2])]
        assert second.id is not None
        rec.end_binding(conn, second.id, date(2026, 11, 5))
        rec.add_binding(conn, CardBinding(CARD2, W1, date(2026, 11, 6)))
    with engine.connect() as conn:
        everything = rec.roster_of(conn, SITE)
        bindings = rec.bindings_for(conn)
        for chunk in (1, 5000):
            monkeypatch.setattr(rec, "_IN_CHUNK", chunk)
            assert rec.roster_terms(conn, SITE) == [_terms(e) for e in everything]
            assert rec.roster_terms(conn, SITE, [W2, W1, W1]) == [_terms(e) for e in everything]
            assert [e.worker for e in rec.roster_terms(conn, SITE, [W2])] == [W2, W2]
            assert rec.roster_terms(conn, SITE, []) == []
            for idms in ([CARD2, CARD1], [CARD2]):
                assert rec.binding_terms(conn, idms) == [
                    BindingTerms(b.idm, b.worker, b.valid_from, b.valid_to) for b in rec.bindings_for(conn, idms)]
            assert rec.binding_terms(conn, workers=[W1]) == [
                BindingTerms(b.idm, b.worker, b.valid_from, b.valid_to) for b in bindings if b.worker == W1]
            assert len(rec.binding_terms(conn)) == len(bindings) == 3


@pytest.mark.parametrize("many", [0, 500])
def test_a_round_reads_its_cards_taps_by_card_or_by_time_with_the_same_rows(
        engine: sa.Engine, service: IngestService, kiosks: Callable,  # type: ignore[type-arg]
        monkeypatch: pytest.MonkeyPatch, many: int) -> None:
    """Few cards: through (site, idm, at); many (here: any, with the limit at 0): one time range of the site."""
    from server.store import domain_reconcile as dr

    monkeypatch.setattr(dr, "_MANY_CARDS", many)
    registry(engine)
    gate, office = kiosks("kiosk-gate", SITE), kiosks("kiosk-office", SITE)
    for day in (2, 3):
        gate.tap(CARD1, "in", jst(day, 7, 50))
        office.tap(CARD1, "out", jst(day, 17, 0))
        office.tap(CARD2, "in", jst(day, 22, 5))  # a night shift: out the next morning
        gate.tap(CARD2, "out", jst(day + 1, 6, 30))
        gate.ship(service, size=1, limit=2)
        office.ship(service, size=1, limit=2)
    rows = check_rebuild_equals_incremental(engine)
    assert len(rows) == 4 and all("entry_without_exit" not in str(r) for r in rows)
