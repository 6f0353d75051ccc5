"""Power cuts: what a writer reported as durable survives a cut at ANY instant, and the file is never damaged.

A SIGKILL keeps everything the kernel already holds; a power cut loses all that was never fsynced. The writers
here run on ``tests/faults/cutfs.py``, a FUSE filesystem that keeps file data in memory until fsync. At random
instants while a writer runs, the durable state (only fsynced data) is snapshotted atomically — one power cut
each — and checked against the acknowledgements the writer had printed before that instant:

- the kiosk's journal.db: every tap the kiosk showed as recorded is there; integrity_check ok; the journal
  verifies (chain and signatures); a kiosk restarted on it appends and still verifies;
- syncd's state.db: every receipt reported stored is there (acknowledged-through never goes back);
- the server's SQLite database: every batch acknowledged is held, with its receipt.

A negative control runs the same harness on a SQLite file with ``synchronous=OFF`` and must see losses: the
check can fail. ``GENBA_POWERCUT_CUTS`` sets the number of cuts per writer (default 1,000 for the journal,
300 for state.db and the server).
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import pytest

from shared.journal import EventDraft, JournalWriter, verify_journal
from tests.faults import writers

ROOT = Path(__file__).resolve().parents[2]
CUTS = int(os.environ.get("GENBA_POWERCUT_CUTS", "0"))

pytestmark = pytest.mark.slow


def _fuse_unavailable() -> str | None:
    if not Path("/dev/fuse").exists():
        return "no /dev/fuse on this machine"
    if shutil.which("fusermount3") is None:
        return "fusermount3 is not installed (Debian package fuse3)"
    try:
        import mfusepy  # noqa: F401
    except (ImportError, OSError) as exc:
        return f"mfusepy cannot load libfuse: {exc}"
    return None


class CutMount:
    def __init__(self, root: Path) -> None:
        self.backing, self.mount, self.snaps = root / "backing", root / "mount", root / "snaps"
        for d in (self.backing, self.mount, self.snaps):
            d.mkdir(parents=True)
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.faults.cutfs", str(self.backing),
                                      str(self.mount), str(self.snaps)], cwd=ROOT, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while not os.path.ismount(self.mount):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                pytest.skip(f"the FUSE filesystem could not be mounted here: {err[-300:]}")
            time.sleep(0.05)
        self.count = 0

    def snapshot(self) -> Path:
        """A power cut now: the durable state, copied while the writer carries on."""
        self.count += 1
        name = f"cut{self.count}"
        with open(self.mount / ".cutfs-control", "w") as fh:
            fh.write(f"snap {name}\n")
        return self.snaps / name

    def close(self) -> None:
        subprocess.run(["fusermount3", "-u", str(self.mount)], check=False, capture_output=True)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture
def cut_mount(tmp_path: Path) -> Iterator[CutMount]:
    reason = _fuse_unavailable()
    if reason:
        pytest.skip(reason)
    m = CutMount(tmp_path / "cut")
    yield m
    m.close()


def run_cuts(mount: CutMount, argv: list[str], cuts: int, check: Callable[[Path, int], None],
             *, restart_every: int = 40) -> int:
    """Run a writer under the cut filesystem; at random instants cut and check; return the cuts made.

    A thread reads the writer's acknowledgements as they come; at a cut, the newest one it has read was printed
    before the cut, so the snapshot must hold at least that much. The writer starts afresh every
    ``restart_every`` cuts, so that the checks stay quick whatever the number of cuts.
    """
    made = 0
    while made < cuts:
        work = mount.mount / f"run{made}"
        work.mkdir()
        proc = subprocess.Popen([sys.executable, "-m", "tests.faults.writers", argv[0], str(work), *argv[1:]],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        seen: dict[str, int | bool] = {"acked": 0, "done": False}

        def follow(out: IO[str], seen: dict[str, int | bool] = seen) -> None:
            for line in out:
                if line.strip() == "done":
                    seen["done"] = True
                elif line.startswith("ack "):
                    seen["acked"] = int(line.split()[1])

        reader = threading.Thread(target=follow, args=(proc.stdout,), daemon=True)
        reader.start()
        rng, quota, deadline = random.Random(made), min(restart_every, cuts - made), time.monotonic() + 60
        try:
            while quota > 0 and time.monotonic() < deadline:
                starting = not seen["acked"]  # cuts while the writer starts up are checked, but not counted
                time.sleep(rng.uniform(0.05, 0.1) if starting else rng.uniform(0, 0.02))
                acked = int(seen["acked"])  # mid-write, mid-fsync or between writes: the cut falls anywhere
                snap = mount.snapshot()
                try:
                    check(snap / work.name, acked)
                finally:
                    shutil.rmtree(snap)
                if not starting:
                    made, quota = made + 1, quota - 1
                if seen["done"]:
                    break
        finally:
            proc.kill()
            err = proc.communicate()[1]
            reader.join(timeout=10)
        assert seen["acked"], f"the writer acknowledged nothing: {err[-500:]}"
        shutil.rmtree(mount.mount / work.name, ignore_errors=True)
    return made


def integrity_ok(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()


def test_no_recorded_tap_is_lost_and_the_journal_verifies_after_any_power_cut(cut_mount: CutMount) -> None:
    checked: list[int] = []

    def check(run: Path, acked: int) -> None:
        db = run / "journal.db"
        if acked == 0 and not db.exists():
            return  # cut before the journal's creation was ever synced: nothing had been promised
        integrity_ok(db)
        report = verify_journal(db)
        assert report.events >= acked, f"a cut lost recorded taps: {report.events} held, {acked} recorded"
        checked.append(acked)
        if len(checked) % 50 == 1:  # the kiosk restarts on what the cut left and carries on
            writer = JournalWriter.open(db, writers.DEVICE, writers.DEVICE_KEY)
            try:
                writer.append(EventDraft(kind="tap", reader="sim", site=writers.SITE, idm="012E000000000001",
                                         direction="in"))
            finally:
                writer.close()
            assert verify_journal(db).events == report.events + 1

    made = run_cuts(cut_mount, ["journal"], CUTS or 1000, check)
    assert made >= (CUTS or 1000) and max(checked) > 20


def test_no_stored_receipt_is_lost_from_state_db_after_any_power_cut(cut_mount: CutMount, tmp_path: Path) -> None:
    from shared.state import StateReader

    src = tmp_path / "src"
    writers.make_source(src, 600)

    def check(run: Path, acked: int) -> None:
        db = run / "state.db"
        if acked == 0 and not db.exists():
            return
        integrity_ok(db)
        with StateReader(db) as state:
            held = state.acked_through(1)
            have = held.seq if held else 0
            assert have >= acked, f"a cut lost a stored receipt: acknowledged through {have}, reported {acked}"
            if have:
                assert state.latest_receipt_note(1) is not None

    assert run_cuts(cut_mount, ["state", str(src)], CUTS or 300, check) >= 1


def test_no_acknowledged_batch_is_lost_from_the_servers_sqlite_after_any_power_cut(cut_mount: CutMount,
                                                                                    tmp_path: Path) -> None:
    src = tmp_path / "src"
    writers.make_source(src, 3000)

    def check(run: Path, acked: int) -> None:
        db = run / "server.db"
        if acked == 0:
            return  # enrollment and migrations may or may not have been synced: nothing was acknowledged
        integrity_ok(db)
        conn = sqlite3.connect(db)
        try:
            events = conn.execute("SELECT count(*), coalesce(max(seq), 0) FROM events").fetchone()
            last = conn.execute("SELECT last_seq FROM chains").fetchone()[0]
            receipt = conn.execute("SELECT count(*) FROM receipts WHERE acked >= ?", (acked,)).fetchone()[0]
        finally:
            conn.close()
        assert events[0] == events[1] >= acked and last >= acked and receipt >= 1, (events, last, acked)

    assert run_cuts(cut_mount, ["server", str(src)], CUTS or 300, check) >= 1


def test_the_harness_sees_losses_when_durability_is_off(cut_mount: CutMount) -> None:
    """Negative control: with synchronous=OFF the cut filesystem does lose committed rows, and the check says so."""
    db = cut_mount.mount / "off.db"
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (x INTEGER)")
    conn.execute("PRAGMA synchronous=OFF")
    for i in range(30):
        conn.execute("INSERT INTO t VALUES (?)", (i,))
    snap = cut_mount.snapshot()
    conn.close()
    held = sqlite3.connect(snap / "off.db").execute("SELECT count(*) FROM t").fetchone()[0]
    assert held < 30, "the cut filesystem kept unsynced data: these tests would prove nothing"
