"""The back office's decisions on a gate's corrections come back to the gate and show on its tablet.

A forgotten-card record (``manual``) journaled at the gate is uploaded; the server holds a decision on it; the
next pull stores it in state.db and the tablet's corrections list says 承認済 / 却下. In process: the real
server app (SQLite) behind httpx's ASGI transport, the real SyncEngine."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from kiosk.web.siteday import SiteDay
from server.store import domain_schema as ds
from shared.journal import EventDraft
from shared.state import StateReader
from shared.state.corrections import correction_states
from shared.timefmt import format_rfc3339
from tests.e2e.harness import SITE, enrolled_device, running_site


def test_approved_and_rejected_corrections_reach_the_gate(tmp_path: Path) -> None:
    with running_site(tmp_path) as site, enrolled_device(tmp_path, site) as dev:
        dev.tap(2)
        claimed = format_rfc3339(dev.clock.wall() - timedelta(hours=2))
        ok = dev.writer.append(EventDraft(kind="manual", reader="kiosk", site=SITE, worker="10000000000001",
                                          direction="in", claimed_at=claimed, reason="カード忘れ"))
        no = dev.writer.append(EventDraft(kind="manual", reader="kiosk", site=SITE, worker="10000000000002",
                                          direction="in", claimed_at=claimed, reason="カード忘れ"))
        with dev.syncd(site.transport) as engine:
            assert engine.run_once().ok
            with StateReader(dev.data.state) as reader:
                assert correction_states(reader) == {}
            # the back office decides (the console's correction queue writes these rows)
            db = sa.create_engine(site.database_url)
            with db.begin() as conn:
                for stored, status, note in ((ok, "approved", ""), (no, "rejected", "入場記録あり")):
                    conn.execute(ds.corrections.insert().values(
                        site=SITE, worker=stored.event.worker, work_day=claimed[:10], entry_at=claimed,
                        origin="manual", requested_by=f"device:{dev.writer.identity.device}",
                        requested_at=stored.event.at, reason="カード忘れ", status=status, decided_by="10000000000009",
                        decided_at=format_rfc3339(dev.clock.wall()), decision_note=note,
                        src_device=dev.writer.identity.device, src_epoch=1, src_seq=stored.seq))
            db.dispose()
            assert engine.run_once().ok
            assert engine.run_once().ok  # unchanged: 304, nothing rewritten
        with StateReader(dev.data.state) as reader:
            states = correction_states(reader)
        assert {k: (v.status, v.note) for k, v in states.items()} == {
            (1, ok.seq): ("approved", ""), (1, no.seq): ("rejected", "入場記録あり")}
        day = SiteDay(dev.data, lambda: dev.clock.wall())
        try:
            shown = {c.seq: (c.sent, c.status, c.note) for c in day.snapshot(corrections=True).corrections}
        finally:
            day.close()
        assert shown == {ok.seq: (True, "approved", ""), no.seq: (True, "rejected", "入場記録あり")}
