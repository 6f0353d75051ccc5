"""``genba kiosk`` as a site runs it: a real process, a real data directory, a scripted simulated reader."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from shared.device import load_or_create_identity
from shared.journal import JournalWriter, verify_journal
from shared.paths import DataDir
from tests.kiosk.conftest import DEADLINE_S, UNKNOWN, YAMADA, genba


def events(site_data: DataDir) -> list[tuple[str, str | None]]:
    """The journal's (kind, idm) rows, read-only; empty while the kiosk has not created it yet."""
    try:
        conn = sqlite3.connect(f"file:{site_data.journal}?mode=ro", uri=True)
        try:
            return [(r[0], r[1]) for r in conn.execute(
                "SELECT json_extract(data, '$.kind'), json_extract(data, '$.idm') FROM events ORDER BY seq")]
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return []


def test_headless_kiosk_logs_every_tap_and_reader_change(site_data: DataDir, tmp_path: Path) -> None:
    script = tmp_path / "morning.txt"
    script.write_text(f"{YAMADA}\ntap {UNKNOWN}\n{YAMADA}\nunplug\nreplug\n")
    done = genba(site_data.root, "kiosk", "--headless", "--reader", f"sim:{script}")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    taps = [ln for ln in lines if "idm=" in ln]
    assert len(taps) == 3
    assert " 記録 入場 山田 太郎 " in taps[0] and "seq=1" in taps[0]
    assert "未登録カード（記録済み・管理者へ）" in taps[1]
    assert "記録済み（重複）" in taps[2]
    assert any("カードリーダーが外れました" in ln for ln in lines)
    assert "音声出力がありません" in done.stdout  # no sound card here: it says so
    assert events(site_data) == [("tap", YAMADA), ("tap", UNKNOWN), ("repeat", YAMADA)]
    assert verify_journal(site_data.journal).events == 3


def test_kiosk_refuses_to_start_while_another_writer_holds_the_journal(site_data: DataDir, tmp_path: Path) -> None:
    identity, key = load_or_create_identity(site_data)
    script = tmp_path / "one.txt"
    script.write_text(f"{YAMADA}\n")
    writer = JournalWriter.open(site_data.journal, identity, key)
    try:
        done = genba(site_data.root, "kiosk", "--headless", "--reader", f"sim:{script}")
    finally:
        writer.close()
    assert done.returncode == 1
    assert "別のプログラムが記録ファイルを使用中です" in done.stderr
    assert events(site_data) == []


def test_bad_reader_path_is_a_clear_error(site_data: DataDir) -> None:
    done = genba(site_data.root, "kiosk", "--headless", "--reader", "floppy:0")
    assert done.returncode == 1 and done.stderr.startswith("エラー")
    assert events(site_data) == []


def test_set_pin_stores_a_hash_and_refuses_weak_pins(site_data: DataDir) -> None:
    assert genba(site_data.root, "kiosk", "set-pin", "--pin-stdin", stdin="48213\n").returncode == 0
    text = (site_data.root / "kiosk.json").read_text()
    assert "48213" not in text and '"hash"' in text
    weak = genba(site_data.root, "kiosk", "set-pin", "--pin-stdin", stdin="12\n")
    assert weak.returncode == 1 and "PIN" in weak.stderr
    assert (site_data.root / "kiosk.json").read_text() == text


def test_full_screen_kiosk_records_a_tap_and_stops_cleanly_on_sigterm(site_data: DataDir, tmp_path: Path) -> None:
    script = tmp_path / "one.txt"
    script.write_text(f"{YAMADA}\n")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen([sys.executable, "-m", "genba", "--data-dir", str(site_data.root), "kiosk",
                             "--reader", f"sim:{script}"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline and proc.poll() is None:
            if events(site_data):
                break
            time.sleep(0.1)
        assert events(site_data) == [("tap", YAMADA)]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=DEADLINE_S) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_kiosk_on_a_read_only_file_system_refuses_to_start_with_a_clear_reason(site_data: DataDir,
                                                                              tmp_path: Path) -> None:
    view = tmp_path / "ro-view"
    view.mkdir()
    if subprocess.run(["mount", "--bind", str(site_data.root), str(view)], capture_output=True).returncode != 0:
        pytest.skip("cannot bind-mount here (needs root)")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(view)], check=True, capture_output=True)
        script = tmp_path / "one.txt"
        script.write_text(f"{YAMADA}\n")
        done = genba(view, "kiosk", "--headless", "--reader", f"sim:{script}")
        assert done.returncode == 1
        assert "書き込めません" in done.stderr or "記録" in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
    finally:
        subprocess.run(["umount", "-l", str(view)], check=False)
    assert events(site_data) == []


def test_demo_sets_up_a_demo_site_in_its_data_directory(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen([sys.executable, "-m", "genba", "--data-dir", str(root), "kiosk", "--demo"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        err = ""
        for line in proc.stderr:  # the window is up (and SIGTERM handled) once it logs so
            err += line
            if "kiosk window open" in line:
                break
        proc.send_signal(signal.SIGTERM)
        out, rest = proc.communicate(timeout=DEADLINE_S)
        err += rest
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "デモの管理者PIN: 0000" in out and "1: 山田 太郎" in out
    from shared.state import StateReader

    with StateReader(root / "state.db") as state:
        assert state.roster_size() == 5 and state.site_config().name == "渋谷駅前再開発 A棟"
        nam = state.worker("10000000000006")
        assert nam is not None and nam.language == "vi", "the demo roster carries a worker's own language"


def test_a_journal_that_is_not_a_database_is_a_clear_error(site_data: DataDir) -> None:
    site_data.journal.write_bytes(b"this is not a database" * 100)
    done = genba(site_data.root, "kiosk", "--headless", "--reader", "sim")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "記録ファイル（journal.db）が壊れています" in done.stderr
    assert site_data.journal.read_bytes() == b"this is not a database" * 100  # left as it was
