"""`genba syncd status` in both languages, and the daemon's back-off and journal watch (real engine, no server)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from genba.cli import app
from shared.device import load_identity, save_identity
from shared.journal import JournalWriter
from shared.keys import SigningKey
from shared.paths import DataDir
from shared.state import StateReader, StateWriter
from syncd.client import SyncClient
from syncd.daemon import TRIGGER_FILE, Daemon, Intervals
from syncd.engine import SyncEngine
from syncd.errors import Unreachable
from syncd.timing import Backoff

from .conftest import tap

runner = CliRunner()
DEAD = "http://127.0.0.1:9"  # the discard port: nothing listens, connections are refused at once


def enrolled(data: DataDir, writer: JournalWriter) -> None:
    save_identity(data, writer.identity.with_changes(server_url=DEAD,
                                                     server_key=SigningKey.generate("genba-server").verifier.encode()))


def engine_without_server(data: DataDir, writer: JournalWriter) -> tuple[SyncEngine, Callable[[], None]]:
    """The enrolled device's engine, its server gone (nothing listens: every upload fails at once), holding
    state.db's writer lock as the daemon does for its whole life; and what closes it."""
    enrolled(data, writer)
    identity = load_identity(data)
    assert identity is not None
    state = StateWriter.open(data.state)
    client = SyncClient(DEAD, device=identity.device, epoch=identity.epoch, key=writer.key)
    engine = SyncEngine(data, identity, state, client)

    def close() -> None:
        engine.close()
        client.close()
        state.close()

    return engine, close


def test_status_words_in_japanese_and_english_and_json(data: DataDir, writer: JournalWriter) -> None:
    tap(writer, 4)
    enrolled(data, writer)
    failed = runner.invoke(app, ["--data-dir", str(data.root), "syncd", "--once"], env={"GENBA_LANG": "en"})
    assert failed.exit_code == 1 and "Cannot reach the server" in failed.output
    ja = runner.invoke(app, ["--data-dir", str(data.root), "syncd", "status"], env={"GENBA_LANG": "ja"})
    assert ja.exit_code == 0
    assert "未送信: 4 件" in ja.output and "サーバーに接続できません" in ja.output and "最も古い未送信" in ja.output
    en = runner.invoke(app, ["--data-dir", str(data.root), "syncd", "status"], env={"GENBA_LANG": "en"})
    assert "Unsent: 4 events" in en.output and "Cannot reach the server" in en.output
    assert "Last successful sync: never" in en.output
    obj = json.loads(runner.invoke(app, ["--data-dir", str(data.root), "syncd", "status", "--json"]).output)
    assert obj["unsent"] == 4 and obj["last_error"]["code"] == "unreachable"
    assert obj["last_error"]["ja"].startswith("サーバーに接続できません")
    assert obj["last_error"]["en"].startswith("Cannot reach the server")
    assert obj["epochs"] == [{"epoch": 1, "last_seq": 4, "acked": 0, "unsent": 4}]


def test_not_enrolled_says_what_to_do(data: DataDir, writer: JournalWriter) -> None:
    tap(writer, 1)
    result = runner.invoke(app, ["--data-dir", str(data.root), "syncd", "--once"], env={"GENBA_LANG": "ja"})
    assert result.exit_code == 1 and "genba device enroll" in result.output


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_daemon_backs_off_after_failure_and_watches_the_journal(data: DataDir, writer: JournalWriter,
                                                                tmp_path: Path) -> None:
    tap(writer, 2)
    engine, close = engine_without_server(data, writer)
    clock = FakeTime()
    daemon = Daemon(engine, intervals=Intervals(), backoff=Backoff(base_s=10, cap_s=10), monotonic=clock)
    try:
        daemon.job_upload()
        first = StateReader(data.state).sync_status(None)
        assert first.last_error is not None and first.last_error.code == Unreachable.code
        attempts = first.last_attempt
        clock.now += 1  # inside the back-off window (5–10 s): the next job skips without trying
        daemon.job_upload()
        assert StateReader(data.state).sync_status(None).last_attempt == attempts
        assert daemon.backoff.failures == 1, "skipped: no second attempt"
        clock.now += 20
        daemon.job_watch()  # nothing changed in the journal: no upload
        assert daemon.backoff.failures == 1
        tap(writer, 1)
        daemon.job_watch()  # the journal changed: wait for it to be quiet (more taps may follow)
        assert daemon.backoff.failures == 1
        clock.now += Intervals().quiet_s
        daemon.job_watch()  # quiet long enough: upload now (and fail again, recorded)
        assert daemon.backoff.failures == 2
        before = StateReader(data.state).sync_status(None).last_attempt
        clock.now += 1  # inside the new back-off window ...
        (data.root / TRIGGER_FILE).write_text("1")  # ... a person presses the kiosk's "sync now"
        daemon.job_watch()
        assert daemon.backoff.failures == 1, "a person's request resets the back-off and tries at once"
        assert StateReader(data.state).sync_status(None).last_attempt != before
    finally:
        close()


def test_a_journal_still_being_created_is_not_ready_rather_than_an_error(data: DataDir) -> None:
    from shared.device import load_or_create_identity

    identity, key = load_or_create_identity(data)
    identity = identity.with_changes(server_url=DEAD, server_key=SigningKey.generate("genba-server").verifier.encode())
    data.journal.write_bytes(b"")  # the kiosk has just created the file, not its tables
    state = StateWriter.open(data.state)
    client = SyncClient(DEAD, device=identity.device, epoch=identity.epoch, key=key)
    engine = SyncEngine(data, identity, state, client)
    try:
        assert engine.journal() is None
        assert engine.upload().acknowledged == 0
    finally:
        engine.close()
        client.close()
        state.close()


def test_once_while_the_daemon_runs_asks_the_daemon_and_reports_its_result(data: DataDir,
                                                                           writer: JournalWriter) -> None:
    import threading

    tap(writer, 2)
    engine, close = engine_without_server(data, writer)
    daemon = Daemon(engine, intervals=Intervals(watch_s=0.1), backoff=Backoff(base_s=300, cap_s=300))
    thread = threading.Thread(target=daemon.run, daemon=True)
    thread.start()
    try:
        # the daemon's first cycle failed (nothing listens) and it is now backing off for minutes;
        # `--once` must not fight it for state.db but ask it, and say what happened
        result = runner.invoke(app, ["--data-dir", str(data.root), "syncd", "--once", "--wait", "30"],
                               env={"GENBA_LANG": "en"})
        assert result.exit_code == 1, result.output
        assert "asked it to sync now" in result.output
        assert "Sync failed" in result.output
        assert (data.root / TRIGGER_FILE).exists()
    finally:
        daemon.stop()
        thread.join(10)
        close()


def test_a_burst_of_taps_is_one_upload_a_moment_later_and_a_steady_stream_still_flows(
        data: DataDir, writer: JournalWriter) -> None:
    tap(writer, 1)
    engine, close = engine_without_server(data, writer)
    clock = FakeTime()
    iv = Intervals()
    daemon = Daemon(engine, intervals=iv, backoff=Backoff(base_s=0, cap_s=0), monotonic=clock)
    uploads: list[float] = []
    real = engine.run_once

    def recording(**kw: bool) -> object:
        uploads.append(clock.now)
        return real(**kw)

    engine.run_once = recording  # type: ignore[method-assign]
    try:
        for _ in range(8):  # eight workers through the gate, a tap every 0.3 s
            tap(writer, 1)
            clock.now += 0.3
            daemon.job_watch()
        assert uploads == []  # still tapping: nothing sent yet
        clock.now += iv.quiet_s
        daemon.job_watch()
        assert len(uploads) == 1  # the burst went as one upload, quiet_s after its last tap
        daemon.job_watch()
        assert len(uploads) == 1  # nothing new: nothing sent
        uploads.clear()
        for _ in range(100):  # a steady stream that is never quiet for quiet_s: one tap a second for 100 s
            tap(writer, 1)
            clock.now += 1.0
            daemon.job_watch()
        assert 9 <= len(uploads) <= 11  # every max_delay_s (10 s), not 100 uploads and not none
    finally:
        close()


def test_a_stop_asked_before_the_jobs_start_is_not_lost(data: DataDir, writer: JournalWriter) -> None:
    """SIGTERM during the daemon's first cycle (or a caller's stop() that overtakes run()) found no scheduler
    running and did nothing; the daemon then started its jobs and ran on, ignoring the stop."""
    import threading

    tap(writer, 1)
    engine, close = engine_without_server(data, writer)
    daemon = Daemon(engine, intervals=Intervals(watch_s=0.1))
    try:
        daemon.stop()  # before run(): nothing is running yet
        thread = threading.Thread(target=daemon.run, daemon=True)
        thread.start()
        thread.join(60)
        assert not thread.is_alive() and daemon.stopped.is_set() and not daemon.scheduler.running
        assert StateReader(data.state).sync_status(None).last_attempt is not None  # its first cycle still ran
    finally:
        daemon.stop()
        close()
