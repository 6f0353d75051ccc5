"""``genba syncd status`` never shows a negative age (issue 9 item 15), and the edge's files are private
(item 11, the edge part): data directories 0700, journal.db and state.db with their WAL and SHM 0600 —
they hold workers' names and card IDms. Real processes and files, with the usual umask 022.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from shared.clock import ManualClock, SystemClock
from shared.device import load_or_create_identity
from shared.journal import EventDraft, JournalWriter
from shared.paths import DataDir
from shared.state import StateWriter
from shared.timefmt import format_rfc3339

SITE = "12345678901234"
ROSTER = "技能者ID,氏名,カードIDm\n10000000000001,山田 太郎,0123456789ABCDEF\n"


def genba(data: Path, *args: str, lang: str = "ja") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GENBA_LANG": lang}
    return subprocess.run([sys.executable, "-m", "genba", "--data-dir", str(data), *args], capture_output=True,
                          text=True, env=env, timeout=60, preexec_fn=lambda: os.umask(0o022))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@contextmanager
def umask(value: int) -> Iterator[None]:
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


def test_status_says_the_clock_is_wrong_instead_of_a_negative_age(tmp_path: Path) -> None:
    data = DataDir.resolve(tmp_path / "data").ensure()
    identity, key = load_or_create_identity(data, site=SITE)
    future = SystemClock().wall() + timedelta(days=5, hours=15)  # written while the clock ran 5 days ahead
    writer = JournalWriter.open(data.journal, identity, key, clock=ManualClock(future))
    writer.append(EventDraft(kind="tap", reader="sim", site=SITE, idm="0123456789ABCDEF", direction="in"))
    writer.close()
    state = StateWriter.open(data.state)
    state.record_success(format_rfc3339(future))
    state.close()

    for lang, words in (("ja", "端末の時計が狂っています"), ("en", "this device's clock is wrong")):
        done = genba(data.root, "syncd", "status", lang=lang)
        assert done.returncode == 0, done.stderr
        assert done.stdout.count(words) == 2, done.stdout  # oldest unsent and last success
        assert "-5" not in done.stdout and "前" not in done.stdout.replace("名前", "")


def test_new_data_directory_journal_and_state_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    root = tmp_path / "new" / "genba"
    assert genba(root, "journal", "simulate", "--taps", "2", "--site", SITE).returncode == 0
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    assert genba(root, "roster", "import", str(roster)).returncode == 0, "roster import"
    assert mode(root) == 0o700 and mode(root / "keys") == 0o700
    assert mode(root / "journal.db") == 0o600 and mode(root / "state.db") == 0o600


def test_the_wal_and_shm_files_of_an_open_journal_and_state_are_private_too(tmp_path: Path) -> None:
    with umask(0o022):
        data = DataDir.resolve(tmp_path / "data").ensure()
        identity, key = load_or_create_identity(data, site=SITE)
        writer = JournalWriter.open(data.journal, identity, key, clock=ManualClock())
        state = StateWriter.open(data.state)
        try:
            writer.append(EventDraft(kind="tap", reader="sim", site=SITE, idm="0123456789ABCDEF", direction="in"))
            state.record_attempt()
            files = [Path(str(db) + suffix) for db in (data.journal, data.state) for suffix in ("", "-wal", "-shm")]
            assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
        finally:
            writer.close()
            state.close()
