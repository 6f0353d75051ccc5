"""Writers for the power-cut tests, each a process of its own, writing into the cut filesystem and printing
``ack N`` after every write it may report as durable (what the product tells a person or a device):

    python -m tests.faults.writers journal DIR    the kiosk's journal: a tap is "recorded" when append returns
    python -m tests.faults.writers state DIR SRC  syncd's state.db: a receipt is "stored" when record returns
    python -m tests.faults.writers server DIR SRC the server's SQLite: a batch is acknowledged when ingest returns

SRC is a directory prepared outside the cut filesystem (a kiosk journal with its key, and for ``state`` the
server key that signs the receipts). They run until killed.
"""

from __future__ import annotations

import hashlib
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from shared.checkpoint import Receipt
from shared.clock import ManualClock
from shared.device import DeviceIdentity
from shared.journal import EventDraft, JournalReader, JournalWriter
from shared.keys import SigningKey

SITE = "90000000000001"
START = datetime(2026, 11, 2, 7, 30, tzinfo=UTC)
DEVICE = DeviceIdentity(device="cut-kiosk", epoch=1, site=SITE)
DEVICE_KEY = SigningKey(DEVICE.key_name(), hashlib.sha256(b"power cut test device key").digest())
SERVER_KEY = SigningKey("genba-server", hashlib.sha256(b"power cut test server key").digest())


def ack(n: int) -> None:
    sys.stdout.write(f"ack {n}\n")
    sys.stdout.flush()


def make_source(src: Path, events: int) -> None:
    """A journal of ``events`` taps outside the cut filesystem (for the state and server writers)."""
    src.mkdir(parents=True, exist_ok=True)
    clock = ManualClock(START)
    writer = JournalWriter.open(src / "journal.db", DEVICE, DEVICE_KEY, clock=clock)
    rng = random.Random(7)
    try:
        for i in range(events):
            clock.advance(rng.uniform(1, 30))
            writer.append(EventDraft(kind="tap", reader="sim", site=SITE, idm=f"012E{i:012X}", direction="in"))
    finally:
        writer.close()


def journal(target: Path) -> None:
    clock = ManualClock(START)
    writer = JournalWriter.open(target / "journal.db", DEVICE, DEVICE_KEY, clock=clock)
    rng = random.Random()
    while True:
        time.sleep(rng.uniform(0, 0.004))  # a busy gate, not a spinning loop: keeps the test's CPU down
        clock.advance(rng.uniform(0.5, 20))
        stored = writer.append(EventDraft(kind="tap", reader="sim", site=SITE,
                                          idm=f"012E{rng.randrange(16**12):012X}", direction="in"))
        ack(stored.seq)


def state(target: Path, src: Path) -> None:
    from shared.state import StateWriter

    reader = JournalReader(src / "journal.db")
    last = reader.last(1)[0]
    writer = StateWriter.open(target / "state.db")
    rng, acked = random.Random(), 0
    while acked < last:
        acked = min(last, acked + rng.randint(1, 5))
        head = reader.head_at(1, acked)
        assert head is not None
        note = Receipt(DEVICE.device, 1, acked, head, "2026-11-02T08:00:00.000Z").sign(SERVER_KEY)
        writer.record_receipt(note, server_keys=[SERVER_KEY.verifier], device=DEVICE.device, journal=reader)
        ack(acked)
    sys.stdout.write("done\n")
    sys.stdout.flush()


def server(target: Path, src: Path) -> None:
    from server.enrollment import create_code, enroll
    from server.ingest import IngestService
    from server.store.engine import make_engine, migrate

    engine = make_engine(f"sqlite:///{target / 'server.db'}")
    migrate(engine)
    now = START + timedelta(days=1)
    code, _ = create_code(engine, site=SITE, ttl=timedelta(minutes=10), now=now)
    enroll(engine, code=code, device=DEVICE.device, epoch=1, key=DEVICE_KEY.verifier, app="0.1.0", now=now)
    ingest = IngestService(engine, SERVER_KEY, ManualClock(now))
    reader = JournalReader(src / "journal.db")
    last = reader.last(1)[0]
    rng, acked = random.Random(), 0
    while acked < last:
        batch = reader.batch(1, acked + 1, rng.randint(1, 25))
        assert batch is not None
        acked = ingest.ingest(batch, via="test").acked
        ack(acked)
    sys.stdout.write("done\n")
    sys.stdout.flush()


if __name__ == "__main__":
    kind, where = sys.argv[1], Path(sys.argv[2])
    if kind == "journal":
        journal(where)
    elif kind == "state":
        state(where, Path(sys.argv[3]))
    elif kind == "server":
        server(where, Path(sys.argv[3]))
    else:
        raise SystemExit(f"unknown writer {kind}")
