"""Render every kiosk screen at every supported screen size into docs/screenshots/.

    uv run python tools/render_screenshots.py [--out docs/screenshots] [--sizes 800x480,...]

Runs offscreen (no display needed) on a throwaway data directory with the demo
roster and a manual clock at 07:42, drives real taps through the pipeline and
the real journal, and fails if any screen does not fit a size (its layout
would be cut off on that display). The PNGs are committed so a newcomer can
see the kiosk in docs/kiosk.md without running it.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from hardware.base import ReaderStatus, Tap
from kiosk.core import KioskCore
from kiosk.demo import CARDS, DEMO_SITE, UNKNOWN_CARD, demo_site
from kiosk.pipeline import Outcome, OutcomeKind
from kiosk.sources import CardHolder, SyncSummary
from kiosk.ui.model import KioskModel
from kiosk.ui.theme import SCREEN_SIZES
from kiosk.ui.window import KioskWindow
from shared.clock import ManualClock
from shared.device import load_or_create_identity
from shared.journal import JournalWriter
from shared.paths import DataDir
from shared.timefmt import JST

IDMS = list(CARDS)
GATE_CARD = "012E4CD2A1B30007"


class Scene:
    """A demo kiosk with a morning's taps in its journal."""

    def __init__(self, root: Path) -> None:
        self.clock = ManualClock(datetime(2026, 11, 20, 6, 55, tzinfo=JST))
        data = DataDir.resolve(root).ensure()
        identity, key = load_or_create_identity(data, site=DEMO_SITE)
        self.journal = JournalWriter.open(data.journal, identity, key, clock=self.clock)
        self.site = demo_site(unsent=0)
        self.core = KioskCore(root=data.root, journal=self.journal, site=self.site, clock=self.clock)
        self.core.set_pin("4821")
        self.model = KioskModel(self.core)
        self.window = KioskWindow(self.model)
        self.model.handle(ReaderStatus("connected", "sim", "ok", "カードリーダー接続", "reader connected",
                                       self.clock.boottime_us()))
        for idm in (IDMS[0], IDMS[1], IDMS[2], UNKNOWN_CARD):
            self.tap(idm, 240)
        self.clock.set_wall(datetime(2026, 11, 20, 7, 42, tzinfo=JST))
        self.site.sync_summary = SyncSummary(unsent=4, oldest_unsent_at=self.clock.wall() - timedelta(minutes=47))

    def tap(self, idm: str, after_s: float = 0) -> Outcome:
        self.clock.advance(after_s)
        out = self.model.handle(Tap(idm=idm, reader="sim", mono_us=self.clock.boottime_us()))
        assert out is not None
        return out

    def close(self) -> None:
        self.journal.close()


def screens(scene: Scene) -> list[tuple[str, Callable[[], None]]]:
    w, m = scene.window, scene.model
    settings = scene.site.site_settings

    def idle() -> None:
        w.stack.setCurrentWidget(w.idle)
        w.idle.refresh()

    def idle_problems(n: int) -> Callable[[], None]:
        """``n`` problems at once in the banner (the reader unplugged, no roster yet, an update needed), and
        records stuck unsent in the status lines."""
        def go() -> None:
            m.handle(ReaderStatus("disconnected", "usb", "unplugged", "カードリーダーが外れました",
                                  "The card reader was unplugged", scene.clock.boottime_us()))
            scene.site.sync_summary = SyncSummary(unsent=128, oldest_unsent_at=scene.clock.wall() - timedelta(days=2),
                                                  last_error="network")
            scene.site.site_settings = replace(settings, problems=("roster_missing", "app_outdated")[:n - 1],
                                               min_app_version="0.2.0")
            idle()
        return go

    def outdated() -> None:
        restore()
        scene.site.site_settings = replace(settings, problems=("app_outdated",), min_app_version="0.2.0")
        idle()

    def restore() -> None:
        scene.site.site_settings = settings
        m.handle(ReaderStatus("connected", "sim", "ok", "カードリーダー接続", "reader connected",
                              scene.clock.boottime_us()))
        scene.site.sync_summary = SyncSummary(unsent=4, oldest_unsent_at=scene.clock.wall() - timedelta(minutes=47))

    def show(outcome: Outcome) -> None:
        w.show_outcome(outcome)

    def entry() -> None:
        show(scene.tap(IDMS[3], 1))

    def exit_() -> None:
        first = scene.tap(IDMS[0], 0)
        if first.kind is not OutcomeKind.RECORDED or first.direction != "out":
            first = scene.tap(IDMS[0], 600)
        show(first)

    def english() -> None:
        m.use_english_for_next_tap()
        show(scene.tap(IDMS[1], 600))

    def back_to_ja() -> None:
        m.back_to_japanese()

    def gate_warning() -> None:
        # A worker the server's roster flags (no new-entrant education here): recorded, and told to see the
        # site manager; manager mode's today tab then lists him under 教育・資格の警告.
        scene.site.cards[GATE_CARD] = CardHolder("10000000000007", "伊藤 次郎", "鈴木鳶工業", "イトウ ジロウ", "とび工",
                                                 "作業員", gate=("education_missing",))
        show(scene.tap(GATE_CARD, 5))

    def not_recorded() -> None:
        show(Outcome(OutcomeKind.NOT_RECORDED, IDMS[2], CARDS[IDMS[2]], "out", error_code="journal_write_failed",
                     error_message="the tap was NOT recorded: database or disk is full"))

    def manager(tab: int) -> Callable[[], None]:
        def go() -> None:
            w.open_manager()
            w.manager.tabs.setCurrentIndex(tab)
            if tab == 1 and w.manager.bind_cards.count():
                w.manager.bind_cards.setCurrentRow(0)
        return go

    def pin() -> None:
        w.open_pin()
        w.pin.press("4")
        w.pin.press("8")

    def language_list() -> None:
        w.stack.setCurrentWidget(w.idle)
        w.idle.language_requested.emit()

    def in_language(lang: str) -> list[tuple[str, Callable[[], None]]]:
        def choose() -> None:
            w.stack.setCurrentWidget(w.idle)
            m.use_language_for_next_tap(lang)
            idle()

        def tap() -> None:
            show(scene.tap(IDMS[2], 600))

        return [(f"idle-{lang}", choose), (f"idle-problems-{lang}", idle_problems(3)), (f"_restore-{lang}", restore),
                (f"feedback-{lang}", tap), (f"_ja-{lang}", back_to_ja)]

    def worker_language() -> None:
        show(scene.tap(IDMS[5], 5))

    def theme(name: str) -> Callable[[], None]:
        def go() -> None:
            m.set_theme(name)
        return go

    def light_idle() -> None:
        m.feedback_done()
        idle()

    return [
        ("idle", idle),
        ("idle-problems", idle_problems(2)),
        ("idle-problems-3", idle_problems(3)),
        ("idle-outdated", outdated),
        ("_restore", restore),
        ("feedback-entry", entry),
        ("feedback-exit", exit_),
        ("feedback-repeat", lambda: show(scene.tap(IDMS[0], 5))),
        ("feedback-unknown-card", lambda: show(scene.tap(UNKNOWN_CARD, 600))),
        ("feedback-not-on-roster", lambda: show(scene.tap(IDMS[4], 5))),
        ("feedback-not-recorded", not_recorded),
        ("feedback-gate-warning", gate_warning),
        ("feedback-english", english),
        ("_ja", back_to_ja),
        ("language", language_list),
        *in_language("vi"), *in_language("zh_CN"), *in_language("id"), *in_language("tl"),
        ("feedback-worker-language", worker_language),
        ("_after-worker", back_to_ja),
        ("pin", pin),
        ("manager-today", manager(0)),
        ("manager-bind", manager(1)),
        ("manager-amend", manager(2)),
        ("manager-forgotten", manager(3)),
        ("manager-settings", manager(4)),
        ("_light", theme("light")),
        ("idle-light", light_idle),
        ("feedback-entry-light", lambda: show(scene.tap(IDMS[0], 600))),
        ("feedback-not-recorded-light", not_recorded),
        ("manager-forgotten-light", manager(3)),
        ("_dark", theme("dark")),
    ]


def save(image: QImage, path: Path) -> None:
    """A 256-colour PNG: a flat UI loses nothing visible and the committed files stay small."""
    flags = Qt.ImageConversionFlag.ThresholdDither | Qt.ImageConversionFlag.AvoidDither
    image.convertToFormat(QImage.Format.Format_Indexed8, flags).save(str(path), "PNG", 0)


def render(out: Path, sizes: list[tuple[int, int]]) -> list[str]:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    out.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    for width, height in sizes:
        with tempfile.TemporaryDirectory(prefix="genba-shots-") as tmp:
            scene = Scene(Path(tmp))
            try:
                scene.window.resize(width, height)
                scene.window.show()
                for name, action in screens(scene):
                    action()
                    if name.startswith("_"):
                        continue
                    scene.window.resize(width, height)
                    app.processEvents()
                    got = scene.window.size()
                    if (got.width(), got.height()) != (width, height):
                        problems.append(f"{name} does not fit {width}x{height} (needs {got.width()}x{got.height()})")
                    save(scene.window.grab().toImage(), out / f"{name}-{width}x{height}.png")
                scene.window.close()
            finally:
                scene.close()
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "docs" / "screenshots")
    parser.add_argument("--sizes", default=",".join(f"{w}x{h}" for w, h in SCREEN_SIZES))
    args = parser.parse_args()
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes.split(",")]
    problems = render(args.out, sizes)  # type: ignore[arg-type]
    for p in problems:
        print("DOES NOT FIT:", p, file=sys.stderr)
    print(f"rendered into {args.out}")
    return 1 if problems else 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # skip interpreter teardown: PySide6 6.12 can crash while garbage-collecting Qt objects
