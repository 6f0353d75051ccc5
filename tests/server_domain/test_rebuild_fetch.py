"""Rebuild's fetch reads exactly the fields the stored JSON holds, on SQLite and PostgreSQL.

On PostgreSQL a card event's ``idm`` and ``direction`` are found in the stored bytes without a JSON parse
(``server.store.domain_reconcile._card_fields_pg``). Here every kind of event goes through real ingest —
taps, repeats, amends, binds, manual records whose free text spells ``"idm":"…"`` and ``"direction":"out"``
— and the columns the fetch gives are compared with the events parsed from their bytes; then a rebuild
equals the incremental rows.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from server.ingest import IngestService
from server.store import domain_reconcile as dr
from server.store.schema import events as raw_events
from shared.event import Event
from shared.timefmt import format_rfc3339
from tests.server_domain.factory import CARD1, CARD2, CARD3, SITE, W1, W2, jst
from tests.server_domain.test_store_reconcile import check_rebuild_equals_incremental, registry

TRICKY = '{"idm":"FFFFFFFFFFFFFFFF","direction":"out"} \\"idm\\":\\"0000000000000000\\" "direction":"in"'


def test_fetched_columns_equal_the_parsed_events(engine: sa.Engine, service: IngestService,
                                                 kiosks: Callable) -> None:  # type: ignore[type-arg]
    registry(engine)
    gate, office = kiosks("kiosk-gate", SITE), kiosks("kiosk-office", SITE)
    first = gate.tap(CARD1, "in", jst(2, 7, 50))
    gate.record(jst(2, 7, 51), kind="repeat", idm=CARD1, direction="in", ref=first)
    office.record(jst(2, 8, 0), kind="manual", worker=W2, direction="in", claimed_at=format_rfc3339(jst(2, 7, 0)),
                  reason=TRICKY)
    office.record(jst(2, 8, 1), kind="manual", worker=W1, direction="out",
                  claimed_at=format_rfc3339(jst(2, 7, 30)), reason="忘れ")
    office.record(jst(2, 9, 0), kind="bind", idm=CARD3, worker=W2)
    wrong = office.tap(CARD2, "in", jst(2, 17, 0))
    office.record(jst(2, 17, 1), kind="amend", ref=wrong, direction="out", reason=TRICKY)
    gate.tap(CARD3, "out", jst(2, 18, 0))
    while gate.pending() or office.pending():
        gate.ship(service, size=2, limit=1)
        office.ship(service, size=3, limit=1)

    with engine.connect() as conn:
        fetched = dr.parse_rows(conn.execute(dr._log_select(conn, "1 = 1", "device, epoch, seq")).all())
        ec = raw_events.c
        stored = conn.execute(sa.select(ec.data).order_by(ec.device, ec.epoch, ec.seq)).all()
    parsed = [Event.from_bytes(bytes(r.data)) for r in stored]
    assert {e.kind for e in parsed} == {"tap", "repeat", "manual", "bind", "amend"}
    assert len(fetched) == len(parsed) == 8
    for got, e in zip(fetched, parsed, strict=True):
        want = dr.LogEvent.of(e)
        assert got[:14] == want[:14], (got, want)
    check_rebuild_equals_incremental(engine)
