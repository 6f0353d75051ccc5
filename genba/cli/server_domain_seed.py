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


# ---------------------------------------------------------------- the demo site

DEMO_SITE_ID = "90000000000001"
"""The same site id as the kiosk demo (``genba journal simulate``), so the two demos meet."""
PRIME_ID = "10000000000001"
COMPANIES: tuple[tuple[str, str, str | None, int], ...] = (
    # (company id, name, parent company id (None = prime), workers)
    (PRIME_ID, "現場一建設(株)", None, 6),
    ("20000000000001", "鉄筋二郎工業(株)", PRIME_ID, 16),
    ("20000000000002", "設備三郎(株)", PRIME_ID, 14),
    ("30000000000001", "型枠四郎(有)", "20000000000001", 12),
    ("30000000000002", "電工五郎(株)", "20000000000002", 12),
)
UNREGISTERED = ("(個人)塗装六郎", "20000000000002")
"""A subcontractor not registered in CCUS: placed by name only (CCUS未登録) under 設備三郎."""
PENDING = ("40000000000001", "足場七郎(株)", "30000000000001")
"""An invitation the invited company has not approved yet (未承認)."""
TRADES = (("0201", "とび工"), ("0301", "鉄筋工"), ("0401", "型枠大工"), ("0501", "電工"), ("0601", "配管工"))
FAMILY = ("佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田")
FAMILY_KANA = ("サトウ", "スズキ", "タカハシ", "タナカ", "イトウ", "ワタナベ", "ヤマモト", "ナカムラ", "コバヤシ",
               "カトウ", "ヨシダ", "ヤマダ")
GIVEN = ("太郎", "次郎", "健", "誠", "翔", "大輔", "拓也", "直樹", "亮", "勇気")
GIVEN_KANA = ("タロウ", "ジロウ", "ケン", "マコト", "ショウ", "ダイスケ", "タクヤ", "ナオキ", "リョウ", "ユウキ")
