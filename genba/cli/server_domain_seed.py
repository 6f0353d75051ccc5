"""Journal-backed demo kiosks and the demo site of ``genba server seed-demo``.

A :class:`JournalKiosk` is a real edge journal (``shared.journal``) on a
manual clock: every tap is a signed, chained event, shipped to the server in
signed batches through the NORMAL ingest path (:class:`server.ingest.IngestService`),
exactly as syncd would. Tests and benchmarks use it too.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from server.enrollment import create_code, enroll
from server.ingest import IngestService
from shared.clock import ManualClock
from shared.device import DeviceIdentity
from shared.journal import EventDraft, JournalReader, JournalWriter
from shared.keys import SigningKey
from shared.paths import DataDir


class JournalKiosk:
    """One simulated kiosk: its own data directory, key, journal and clock."""

    def __init__(self, root: Path, device: str, site: str, start: datetime) -> None:
        self.site = site
        self.clock = ManualClock(start)
        self.data = DataDir.resolve(root / device).ensure()
        self.identity = DeviceIdentity(device=device, epoch=1, site=site)
        self.key = SigningKey.generate(self.identity.key_name())
        self.writer = JournalWriter.open(self.data.journal, self.identity, self.key, clock=self.clock)
        self.reader = JournalReader(self.data.journal)
        self.acked = 0

    def close(self) -> None:
        self.writer.close()
        self.reader.close()

    def enroll(self, engine: sa.Engine, now: datetime) -> None:
        code, _ = create_code(engine, site=self.site, ttl=timedelta(minutes=10), now=now)
        enroll(engine, code=code, device=self.identity.device, epoch=1, key=self.key.verifier, app="0.1.0", now=now)

    def move_to(self, moment: datetime) -> None:
        delta = (moment - self.clock.wall()).total_seconds()
        if delta < 0:
            raise ValueError("a kiosk's clock only moves forward here; use set_wall for a reset clock")
        self.clock.advance(delta)

    def record(self, moment: datetime, **draft: object) -> int:
        self.move_to(moment)
        stored = self.writer.append(EventDraft(reader="sim", site=self.site, **draft))  # type: ignore[arg-type]
        return stored.seq

    def tap(self, idm: str, direction: str, moment: datetime) -> int:
        return self.record(moment, kind="tap", idm=idm, direction=direction)

    def pending(self) -> int:
        return self.reader.last(1)[0] - self.acked

    def ship(self, service: IngestService, *, size: int = 500, limit: int | None = None) -> int:
        """Upload unsent events in signed batches of ``size`` (at most ``limit`` batches); return batches sent."""
        sent = 0
        while limit is None or sent < limit:
            batch = self.reader.batch(1, self.acked + 1, size)
            if batch is None:
                break
            service.ingest(batch, via="demo")
            self.acked = batch.last
            sent += 1
        return sent
