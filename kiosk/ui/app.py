"""Running the kiosk: the full-screen window, or headless (reader, journal and sound only).

``run_window`` and ``run_headless`` return the event loop's exit code;
:data:`~kiosk.ui.model.RESTART_EXIT_CODE` means the manager asked for a
restart and the caller (``genba kiosk``) opens everything again.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
import sys
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, QSocketNotifier, QTimer
from PySide6.QtWidgets import QApplication

from hardware.base import Reader
from kiosk.core import KioskCore
from kiosk.pipeline import Outcome, OutcomeKind
from kiosk.sdnotify import Notifier
from kiosk.ui.model import RESTART_EXIT_CODE, KioskModel
from kiosk.ui.tablet import start_qt_tablet
from kiosk.ui.window import KioskWindow
from kiosk.web import TabletOptions
from shared import hints
from shared.messages import t

log = logging.getLogger("genba.kiosk")


def _app(gui: bool) -> QCoreApplication:
    app = QCoreApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1]) if gui else QCoreApplication(sys.argv[:1])
    return app


class _SignalWatch:
    """SIGTERM/SIGINT (systemd stop, Ctrl-C) end the Qt event loop cleanly.

    Python runs signal handlers only between bytecodes of the main thread, which sits in Qt's C++ loop;
    ``signal.set_wakeup_fd`` makes the C-level handler write a byte to a socket that a QSocketNotifier
    watches, so the loop wakes up, Python runs the handler, and the handler quits the loop.
    """

    def __init__(self, app: QCoreApplication) -> None:
        self._read, self._write = socket.socketpair()
        self._read.setblocking(False)
        self._write.setblocking(False)
        self._old_fd = signal.set_wakeup_fd(self._write.fileno())
        self._notifier = QSocketNotifier(self._read.fileno(), QSocketNotifier.Type.Read)
        self._notifier.activated.connect(self._drain)
        # The handler may run before exec() has started (exit() would then be lost): a zero timer
        # delivers the exit from inside the running loop.
        self._old = {s: signal.signal(s, lambda *_: QTimer.singleShot(0, lambda: app.exit(0)))
                     for s in (signal.SIGTERM, signal.SIGINT)}

    def _drain(self) -> None:
        with contextlib.suppress(BlockingIOError):
            self._read.recv(64)

    def close(self) -> None:
        for sig, old in self._old.items():
            signal.signal(sig, old)
        signal.set_wakeup_fd(self._old_fd)
        self._notifier.setEnabled(False)
        self._read.close()
        self._write.close()


class Watchdog:
    """Feeds systemd's watchdog from a timer on the Qt event loop (see :mod:`kiosk.sdnotify`).

    The timer runs on the loop the screen runs on, never on a thread: if the loop hangs (a stuck
    redraw, a deadlock), the feeding stops and systemd restarts the kiosk. Feeds at a third of the
    watchdog interval, so one late feed is not yet a restart.
    """

    def __init__(self, notifier: Notifier | None = None, parent: QObject | None = None) -> None:
        self.notifier = notifier or Notifier()
        self.timer = QTimer(parent)
        self.timer.timeout.connect(self.notifier.watchdog)
        if self.notifier.watchdog_s is not None:
            self.timer.setInterval(max(50, int(self.notifier.watchdog_s * 1000 / 3)))

    def start(self, status: str) -> None:
        """The screen is up: tell systemd, and start feeding (from inside the running loop)."""
        self.notifier.ready(status)
        if self.notifier.watchdog_s is not None:
            self.notifier.watchdog()
            self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self.notifier.stopping()
        self.notifier.close()


def run_window(core: KioskCore, reader: Reader, *, fullscreen: bool = True,
               keys: dict[str, Callable[[], None]] | None = None, tablet: TabletOptions | None = None) -> int:
    app = _app(gui=True)
    model = KioskModel(core)
    web = start_qt_tablet(model, tablet) if tablet is not None else None
    window = KioskWindow(model)
    window.set_keys(keys or {})
    model.restart_requested.connect(lambda: app.exit(RESTART_EXIT_CODE))
    watch = _SignalWatch(app)
    dog = Watchdog(parent=app)
    if fullscreen:
        window.showFullScreen()
    else:
        window.resize(1024, 600)
        window.show()
    model.attach_reader(reader)

    def opened() -> None:
        log.info("kiosk window open (reader %s)", reader.path)
        dog.start(f"kiosk window open (reader {reader.path})")

    QTimer.singleShot(0, opened)  # from the loop: READY only once the loop really runs
    try:
        return app.exec()
    finally:
        dog.stop()
        if web is not None:
            web.stop()
        model.shutdown()
        watch.close()


def log_line(outcome: Outcome, lang: str | None = None) -> str:
    """One log line per tap for headless sites: what was recorded, or that nothing was."""
    kind = {
        OutcomeKind.RECORDED: t("記録", "recorded", lang),
        OutcomeKind.REPEAT: t("記録済み（重複）", "repeat (already recorded)", lang),
        OutcomeKind.UNKNOWN_CARD: t("未登録カード（記録済み・管理者へ）", "unknown card (recorded; see the manager)",
                                    lang),
        OutcomeKind.NOT_ON_ROSTER: t("名簿外（記録済み・登録を）", "not on the site roster (recorded; register)", lang),
        OutcomeKind.NOT_RECORDED: t("記録されていません", "NOT RECORDED", lang),
    }[outcome.kind]
    direction = {"in": t("入場", "entry", lang), "out": t("退場", "exit", lang), None: "-"}[outcome.direction]
    who = outcome.holder.name if outcome.holder is not None else "-"
    when = outcome.at.isoformat(timespec="seconds") if outcome.at is not None else "-"
    parts = [when, kind, direction, who, f"idm={outcome.idm or '-'}"]
    if outcome.seq is not None:
        parts.append(f"seq={outcome.seq}")
    if outcome.error_code:
        parts.append(f"error={outcome.error_code}: {outcome.error_message}")
    return " ".join(parts)


PROBLEM_LOG: dict[str, tuple[str, str]] = {
    "journal_write_failed": ("タッチが記録されていません（ディスク満杯または書き込み不可）。",
                             "Taps are NOT being recorded (disk full or not writable)."),
    "journal_lost": ("記録ファイルが失われました: タッチは記録されません。"
                     f"端末を登録し直してください: {hints.ENROLL}",
                     f"The journal was lost: taps are NOT recorded. Enroll this kiosk again: {hints.ENROLL}"),
    "clock_behind": ("時計が前回の記録より前の時刻です（戻された可能性）。"
                     "タッチは記録され、印が付きます。時計を合わせてください。",
                     "The clock reads earlier than the last record (set back?). Taps are recorded and marked; "
                     "set the clock right."),
    "no_site": ("この端末に現場が設定されていません。タッチは記録しています（現場は後で割り当てられます）。"
                f"設定: {hints.SITE_SETUP} または端末登録: {hints.ENROLL}",
                "No site is set on this kiosk. Taps are recorded (the site is attributed later). Set it with "
                f"{hints.SITE_SETUP}, or enroll the device: {hints.ENROLL}"),
    "state_unreadable": ("名簿（state.db）を読み込めません。", "The roster (state.db) cannot be read."),
    "roster_missing": ("名簿がまだありません: すべてのカードが未登録になります。",
                       "No roster yet: every card is unknown."),
    "sync_error": ("同期に失敗しています。記録は端末に保存されています。", "Sync is failing; records are kept here."),
    "app_outdated": ("この端末のソフトは、サーバーが求める版より古くなっています。記録は続きます。"
                     "管理者に更新を依頼してください。",
                     "This kiosk's software is older than the server requires; taps are still recorded. "
                     "Ask the administrator to update it."),
}


def run_headless(core: KioskCore, reader: Reader, *, echo: Callable[[str], None] | None = None,
                 tablet: TabletOptions | None = None) -> int:
    """Reader + journal + sound, no screen: one log line per tap and per reader status change."""
    app = _app(gui=False)
    model = KioskModel(core)
    say = echo or (lambda line: print(line, flush=True))
    web = start_qt_tablet(model, tablet) if tablet is not None else None
    if web is not None:
        say(t("タブレット画面: ", "Tablet view: ") + " ".join(web.urls()))
    if not model.sound.available:
        say(t("音声出力がありません: 無音で動作します。", "No audio output: running silent."))

    def on_outcome(outcome: Outcome) -> None:
        say(log_line(outcome))

    def on_status() -> None:
        problems = core.idle().problems
        if problems != getattr(on_status, "problems", None):
            on_status.problems = problems  # type: ignore[attr-defined]
            for code in problems:
                if code in PROBLEM_LOG:
                    say(t("要確認: ", "Attention: ") + t(*PROBLEM_LOG[code]))
        status = core.reader_status
        if status is not None and status is not getattr(on_status, "last", None):
            on_status.last = status  # type: ignore[attr-defined]
            say(t("カードリーダー: ", "Card reader: ") + status.message())

    model.outcome.connect(on_outcome)
    model.idle_changed.connect(on_status)
    model.reader_finished.connect(app.quit)
    model.restart_requested.connect(lambda: app.exit(RESTART_EXIT_CODE))
    watch = _SignalWatch(app)
    dog = Watchdog(parent=app)
    model.attach_reader(reader)
    QTimer.singleShot(0, lambda: dog.start(f"headless kiosk running (reader {reader.path})"))
    try:
        return app.exec()
    finally:
        dog.stop()
        if web is not None:
            web.stop()
        model.shutdown()
        watch.close()
