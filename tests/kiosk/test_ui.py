"""The touch screen, driven end to end through the simulated reader under QT_QPA_PLATFORM=offscreen.

Card → SimulatedReader (its own thread) → queued signal → pipeline → real journal on disk → the
feedback screen. The screen is read back from the widgets, in Japanese unless the worker chose English.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from hardware.sim import SimulatedReader
from kiosk.direction import GateMode
from kiosk.manager import FREE_ATTEMPTS
from kiosk.pipeline import OutcomeKind
from kiosk.ui.model import KioskModel
from kiosk.ui.window import KioskWindow
from shared.journal import JournalReader
from tests.kiosk.conftest import SUZUKI_NOT_ON_ROSTER, UNKNOWN, YAMADA, Rig

WAIT_MS = 10_000
"""Upper bound for a signal; only reached when a test is failing (never a timing assertion)."""


@dataclass
class Screen:
    rig: Rig
    model: KioskModel
    window: KioskWindow
    reader: SimulatedReader
    qtbot: QtBot

    def tap(self, idm: str, *, after_s: float = 0.0):  # type: ignore[no-untyped-def]
        """Touch a card on the simulated reader and wait until the screen has the outcome."""
        if after_s:
            self.rig.clock.advance(after_s)
        with self.qtbot.waitSignal(self.model.outcome, timeout=WAIT_MS) as blocker:
            self.reader.tap(idm)
        return blocker.args[0]

    def kinds(self) -> list[str]:
        with JournalReader(self.rig.data.journal) as reader:
            return [s.event.kind for s in reader.tail(100)]

    def close_feedback(self) -> None:
        self.qtbot.mouseClick(self.window.feedback, Qt.MouseButton.LeftButton)


@pytest.fixture
def screen(rig: Rig, qtbot: QtBot) -> Iterator[Screen]:
    reader = SimulatedReader(clock=rig.clock)
    model = KioskModel(rig.core)
    window = KioskWindow(model)
    qtbot.addWidget(window)
    window.resize(800, 480)
    window.show()
    with qtbot.waitSignal(model.idle_changed, timeout=WAIT_MS):
        model.attach_reader(reader)
    yield Screen(rig, model, window, reader, qtbot)
    model.shutdown()
    model.back_to_japanese()


def test_idle_screen_shows_site_prompt_mode_people_reader_and_sync(screen: Screen) -> None:
    idle = screen.window.idle
    assert screen.window.stack.currentWidget() is idle
    assert idle.site.text() == "渋谷駅前再開発 A棟"
    assert idle.prompt.text() == "カードをタッチしてください"
    assert idle.clock.text() == "07:42" and "2026年11月20日" in idle.date.text()
    assert "自動" in idle.mode.text()
    assert idle.people.text.text() == "現在の在場者: 0 名"
    assert idle.reader.text.text() == "リーダー: 準備完了"
    assert "すべて送信済み" in idle.sync.text.text()
    assert idle.sound.isVisible() and "音声出力なし" in idle.sound.text.text()  # no audio device in CI


def test_entry_feedback_shows_name_employer_direction_time_only_after_the_commit(screen: Screen) -> None:
    out = screen.tap(YAMADA)
    assert out.kind is OutcomeKind.RECORDED
    fb = screen.window.feedback
    assert screen.window.stack.currentWidget() is fb
    assert fb.headline.text() == "入場  07:42"
    assert (fb.name.text(), fb.employer.text()) == ("山田 太郎", "山田建設株式会社")
    assert fb.detail.text().startswith("記録しました")
    assert fb.view is not None and fb.view.icon == "in"
    assert screen.kinds() == ["tap"]  # on disk before the screen said so
    assert screen.model.sound.played[-1] == "in"
    assert fb.sound_note.isVisible()  # silent, and it says so
    screen.close_feedback()
    assert screen.window.stack.currentWidget() is screen.window.idle
    assert screen.window.idle.people.text.text() == "現在の在場者: 1 名"


def test_repeat_tap_says_already_recorded_at_and_is_not_counted(screen: Screen) -> None:
    screen.tap(YAMADA)
    out = screen.tap(YAMADA, after_s=20)
    assert out.kind is OutcomeKind.REPEAT
    fb = screen.window.feedback
    assert fb.headline.text() == "記録済みです"
    assert "07:42 に入場を記録済みです" in fb.detail.text()
    assert screen.kinds() == ["tap", "repeat"]
    assert screen.rig.core.today.count_inside == 1


def test_unknown_card_is_recorded_and_sends_the_worker_to_the_manager(screen: Screen) -> None:
    screen.tap(UNKNOWN)
    fb = screen.window.feedback
    assert fb.headline.text() == "未登録のカード"
    assert "現場管理者に声をかけてください" in fb.detail.text()
    assert UNKNOWN in fb.tech.text()
    assert screen.kinds() == ["tap"] and screen.model.sound.played[-1] == "warn"


def test_worker_not_on_the_roster_gets_a_warning_naming_the_missing_registration(screen: Screen) -> None:
    screen.tap(SUZUKI_NOT_ON_ROSTER)
    fb = screen.window.feedback
    assert fb.headline.text() == "この現場の名簿にありません"
    assert "鈴木 一郎 さんはこの現場の作業員名簿（施工体制）に登録されていません" in fb.warning.text()
    assert "鈴木鳶工業 にこの現場への登録を依頼" in fb.warning.text()
    assert fb.warning.isVisible()


def test_disk_full_shows_not_recorded_and_what_to_do(screen: Screen) -> None:
    screen.tap(YAMADA)
    conn = screen.rig.journal.conn
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0]}")
    for i in range(40):
        out = screen.tap(UNKNOWN if i % 2 else YAMADA, after_s=600)
        if out.kind is OutcomeKind.NOT_RECORDED:
            break
    else:
        pytest.fail("the journal never filled up")
    fb = screen.window.feedback
    assert fb.headline.text() == "記録されていません"
    assert "紙の入退場簿に記入してください" in fb.detail.text()
    assert "full" in fb.tech.text()
    assert screen.model.sound.played[-1] == "error"
    screen.close_feedback()
    idle = screen.window.idle
    assert idle.problems.isVisible() and "タッチが記録されていません" in idle.problems.text()


def test_reader_unplugged_is_impossible_to_miss_and_clears_on_replug(screen: Screen) -> None:
    idle = screen.window.idle
    assert not idle.problems.isVisible()
    screen.qtbot.waitUntil(lambda: idle.reader.text.text() == "リーダー: 準備完了", timeout=WAIT_MS)
    screen.reader.unplug()
    screen.qtbot.waitUntil(lambda: idle.problems.isVisible(), timeout=WAIT_MS)
    assert "カードリーダーが接続されていません" in idle.problems.text()
    assert idle.reader.text.text().startswith("リーダー: 未接続")
    screen.reader.replug()
    screen.qtbot.waitUntil(lambda: not idle.problems.isVisible(), timeout=WAIT_MS)
    assert screen.tap(YAMADA).recorded


def test_force_buttons_set_the_next_direction_once(screen: Screen) -> None:
    idle = screen.window.idle
    screen.qtbot.mouseClick(idle.force_out, Qt.MouseButton.LeftButton)
    assert idle.forced.isVisible() and idle.forced.text() == "次のタッチ: 退場"
    assert screen.tap(YAMADA).direction == "out"
    screen.close_feedback()
    assert not idle.forced.isVisible()
    screen.qtbot.mouseClick(idle.force_in, Qt.MouseButton.LeftButton)
    screen.qtbot.mouseClick(idle.force_in, Qt.MouseButton.LeftButton)  # pressing again disarms
    assert not idle.forced.isVisible()


def test_english_is_chosen_per_tap_and_japanese_returns(screen: Screen) -> None:
    idle = screen.window.idle
    screen.qtbot.mouseClick(idle.english, Qt.MouseButton.LeftButton)
    assert screen.window.stack.currentWidget() is screen.window.language
    screen.qtbot.mouseClick(screen.window.language.buttons["en"], Qt.MouseButton.LeftButton)
    assert screen.window.stack.currentWidget() is idle
    assert idle.prompt.text() == "Please touch your card"
    screen.tap(YAMADA)
    fb = screen.window.feedback
    assert fb.headline.text() == "Entry  07:42"
    assert fb.detail.text() == "Recorded. Have a safe day."
    screen.close_feedback()
    assert idle.prompt.text() == "カードをタッチしてください"
    assert screen.tap(YAMADA, after_s=3600).direction == "out"
    assert fb.headline.text().startswith("退場")


def test_manager_pin_rate_limit_then_unlock(screen: Screen) -> None:
    screen.rig.core.set_pin("4821")
    w = screen.window
    screen.qtbot.mouseClick(w.idle.manager, Qt.MouseButton.LeftButton)
    assert w.stack.currentWidget() is w.pin
    for _ in range(FREE_ATTEMPTS):
        for key in "0000":
            screen.qtbot.mouseClick(w.pin.keys[key], Qt.MouseButton.LeftButton)
        screen.qtbot.mouseClick(w.pin.keys["ok"], Qt.MouseButton.LeftButton)
    assert "秒後に再入力できます" in w.pin.message.text()
    assert not w.pin.keys["1"].isEnabled()
    assert w.stack.currentWidget() is w.pin
    screen.rig.clock.advance(60)
    w.pin.retry_in = 1
    w.pin._tick()  # the countdown reached zero
    for key in "4821":
        w.pin.press(key)
    w.pin.press("ok")
    assert w.stack.currentWidget() is w.manager


def test_manager_pin_not_set_says_how_to_set_it(screen: Screen) -> None:
    w = screen.window
    w.open_pin()
    for key in "1234":
        w.pin.press(key)
    w.pin.press("ok")
    assert "genba kiosk set-pin" in w.pin.message.text()
    assert w.stack.currentWidget() is w.pin


def test_manager_binds_an_unknown_card_from_the_lists(screen: Screen) -> None:
    screen.tap(UNKNOWN)
    screen.close_feedback()
    m = screen.window.manager
    screen.window.open_manager()
    assert m.unknown_list.count() == 1
    m.bind_cards.setCurrentRow(0)
    names = [m.bind_workers.item(i).text() for i in range(m.bind_workers.count())]
    m.bind_workers.setCurrentRow(names.index("佐藤 花子（佐藤電設）"))
    screen.qtbot.mouseClick(m.bind_button, Qt.MouseButton.LeftButton)
    assert "カードを登録しました" in m.message.text()
    assert screen.kinds() == ["tap", "bind"]
    assert m.unknown_list.count() == 0 and m.inside_list.count() == 1


def test_manager_amends_a_direction_with_a_new_event(screen: Screen) -> None:
    screen.tap(YAMADA)
    screen.close_feedback()
    m = screen.window.manager
    screen.window.open_manager()
    m.recent.setCurrentRow(0)
    screen.qtbot.mouseClick(m.amend_out, Qt.MouseButton.LeftButton)
    assert "修正しました" in m.message.text()
    assert screen.kinds() == ["tap", "amend"]
    assert "（修正済み）" in m.recent.item(0).text()
    screen.qtbot.mouseClick(m.amend_out, Qt.MouseButton.LeftButton)
    assert "実行できませんでした" in m.message.text()  # already an exit: refused, nothing journaled
    assert screen.kinds() == ["tap", "amend"]


def test_manager_records_a_forgotten_card_and_switches_mode(screen: Screen) -> None:
    m = screen.window.manager
    screen.window.open_manager()
    screen.qtbot.mouseClick(m.manual_in, Qt.MouseButton.LeftButton)
    assert "先に技能者を選んでください" in m.message.text()
    m.manual_workers.setCurrentRow(0)
    screen.qtbot.mouseClick(m.manual_in, Qt.MouseButton.LeftButton)
    assert "承認待ちとして記録しました" in m.message.text()
    assert screen.kinds() == ["manual"]
    screen.qtbot.mouseClick(m.mode_buttons[GateMode.EXIT_ONLY], Qt.MouseButton.LeftButton)
    assert screen.rig.core.pipeline.mode is GateMode.EXIT_ONLY
    screen.qtbot.mouseClick(m.close_button, Qt.MouseButton.LeftButton)
    assert "退場専用" in screen.window.idle.mode.text()
    assert screen.tap(YAMADA).direction == "out"


def test_manager_restart_asks_the_runner_to_reopen(screen: Screen) -> None:
    screen.window.open_manager()
    with screen.qtbot.waitSignal(screen.model.restart_requested, timeout=WAIT_MS):
        screen.qtbot.mouseClick(screen.window.manager.restart_button, Qt.MouseButton.LeftButton)


def test_taps_during_manager_mode_show_feedback_then_return_to_it(screen: Screen) -> None:
    screen.window.open_manager()
    screen.tap(YAMADA)
    assert screen.window.stack.currentWidget() is screen.window.feedback
    screen.close_feedback()
    assert screen.window.stack.currentWidget() is screen.window.manager


@pytest.fixture
def usb_stick(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A real mounted file system under a private automount root, as a USB stick appears in /media."""
    root = tmp_path / "media"
    stick = root / "STICK"
    stick.mkdir(parents=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(stick)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a file system here (needs root)")
    monkeypatch.setenv("GENBA_USB_ROOTS", str(root))
    try:
        yield stick
    finally:
        subprocess.run(["umount", "-l", str(stick)], check=False)


def wait_for_process(screen: Screen) -> str:
    m = screen.window.manager
    screen.qtbot.waitUntil(lambda: m.runner.process is None, timeout=60_000)
    return m.message.text()


def test_export_to_usb_runs_genba_export_onto_the_stick(screen: Screen, usb_stick: Path) -> None:
    screen.tap(YAMADA)
    screen.close_feedback()
    screen.window.open_manager()
    screen.qtbot.mouseClick(screen.window.manager.export_button, Qt.MouseButton.LeftButton)
    message = wait_for_process(screen)
    assert message.startswith("完了: USBに書き出し"), message
    files = list((usb_stick / "genba-export").glob("*.batch"))
    assert len(files) == 1 and files[0].stat().st_size > 0


def test_export_without_a_usb_stick_says_insert_one(screen: Screen, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GENBA_USB_ROOTS", str(tmp_path / "nothing-mounted-here"))
    screen.window.open_manager()
    screen.window.manager.export_usb()
    assert "USBメモリが見つかりません" in screen.window.manager.message.text()
    assert screen.window.manager.runner.process is None


def test_sync_now_runs_genba_syncd_once_and_shows_its_reason(screen: Screen) -> None:
    screen.window.open_manager()
    screen.qtbot.mouseClick(screen.window.manager.sync_button, Qt.MouseButton.LeftButton)
    message = wait_for_process(screen)
    # This test device was never enrolled: syncd exits non-zero and its one-line reason is shown.
    assert message.startswith("失敗: 今すぐ同期。") and len(message) > len("失敗: 今すぐ同期。") + 10, message


def test_a_card_on_nfcpys_udp_reader_goes_through_the_whole_pipeline(rig: Rig, qtbot: QtBot) -> None:
    """Once through the real nfcpy backend: its udp driver talking to an emulated FeliCa card."""
    from hardware import open_reader
    from hardware.emulated import FelicaCardPeer

    with FelicaCardPeer() as peer:
        reader = open_reader(peer.path, poll_interval=0.05)
        model = KioskModel(rig.core)
        window = KioskWindow(model)
        qtbot.addWidget(window)
        window.resize(1024, 600)
        window.show()
        try:
            with qtbot.waitSignal(model.outcome, timeout=30_000) as blocker:
                model.attach_reader(reader)
                peer.present(YAMADA)
            out = blocker.args[0]
            assert (out.kind, out.direction, out.idm) == (OutcomeKind.RECORDED, "in", YAMADA)
            assert window.feedback.headline.text() == "入場  07:42"
            with JournalReader(rig.data.journal) as journal:
                [stored] = journal.tail(5)
            assert stored.event.reader == peer.path and stored.event.idm == YAMADA
        finally:
            model.shutdown()


def test_demo_keys_tap_cards_on_the_simulated_reader(screen: Screen) -> None:
    from kiosk.demo import demo_keys

    keys, legend = demo_keys(screen.reader)
    screen.window.set_keys(keys)
    assert legend[0].startswith("1: ")
    with screen.qtbot.waitSignal(screen.model.outcome, timeout=WAIT_MS) as blocker:
        screen.qtbot.keyClick(screen.window, "9")
    assert blocker.args[0].kind is OutcomeKind.UNKNOWN_CARD


class WatchingJournal:
    """The real journal writer, watched: what did the screen show while append() was running?"""

    def __init__(self, screen: Screen) -> None:
        self.screen, self.inner = screen, screen.rig.journal
        self.shown_during_append: list[object] = []

    def append(self, draft):  # type: ignore[no-untyped-def]
        self.shown_during_append.append(self.screen.window.stack.currentWidget())
        return self.inner.append(draft)


def test_the_screen_changes_only_after_append_returned(screen: Screen) -> None:
    watch = WatchingJournal(screen)
    screen.rig.core.pipeline.journal = watch
    out = screen.tap(YAMADA)
    assert out.kind is OutcomeKind.RECORDED
    assert watch.shown_during_append == [screen.window.idle]  # still idle while the commit ran
    assert screen.window.stack.currentWidget() is screen.window.feedback


def test_an_unexpected_error_still_gives_the_worker_a_not_recorded_screen(screen: Screen) -> None:
    class Broken:
        def lookup(self, idm: str) -> None:
            raise RuntimeError("a bug")

        def __getattr__(self, name: str) -> object:
            return getattr(screen.rig.site, name)

    screen.rig.core.pipeline.site = Broken()  # type: ignore[assignment]
    out = screen.tap(YAMADA)
    assert (out.kind, out.error_code) == (OutcomeKind.NOT_RECORDED, "internal_error")
    assert screen.window.feedback.headline.text() == "記録されていません"
    assert screen.kinds() == []


def test_a_reader_that_stops_is_shown_as_not_connected(screen: Screen) -> None:
    with screen.qtbot.waitSignal(screen.model.reader_finished, timeout=WAIT_MS):
        screen.reader.finish()
    idle = screen.window.idle
    assert idle.problems.isVisible() and "カードリーダーが接続されていません" in idle.problems.text()
    assert "停止しました" in idle.reader.text.text()


def test_manager_mode_closes_itself_when_left_untouched(screen: Screen) -> None:
    w = screen.window
    w.idle_timeout.setInterval(200)
    w.open_manager()
    assert w.idle_timeout.isActive()
    screen.qtbot.waitUntil(lambda: w.stack.currentWidget() is w.idle, timeout=WAIT_MS)
    assert not w.idle_timeout.isActive()
