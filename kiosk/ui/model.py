"""The Qt-side model: the kiosk core, the reader thread, sound and language, as signals for the widgets.

The reader's blocking ``events()`` runs in a plain thread; each event crosses
to the GUI thread through a queued signal, where the pipeline runs (the
journal connection belongs to one thread). Widgets never call the journal:
they call this model, and redraw when it signals.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal

from hardware.base import Reader, ReaderEvent, ReaderStatus, Tap
from kiosk.core import IdleStatus, KioskCore
from kiosk.direction import GateMode
from kiosk.pipeline import Outcome, OutcomeKind
from kiosk.settings import THEMES, save_settings
from kiosk.ui.i18n import Translations, for_worker
from kiosk.ui.i18n import translations as shared_translations
from kiosk.ui.sound import SoundPlayer
from shared.event import Direction
from shared.ids import parse_idm
from shared.journal import StoredEvent
from shared.kioskstatus import HEARTBEAT_S

log = logging.getLogger(__name__)

LANGUAGE_TIMEOUT_MS = 30_000
"""A language picked for a tap falls back to Japanese if no card comes within this time."""
ENGLISH_TIMEOUT_MS = LANGUAGE_TIMEOUT_MS
PRUNE_EVERY_MS = 3_600_000
RESTART_EXIT_CODE = 75
"""What the kiosk's event loop returns when the manager asked for a restart (``genba kiosk`` reopens)."""


class KioskModel(QObject):
    outcome = Signal(object)
    """An :class:`Outcome` for every tap."""
    idle_changed = Signal()
    """Clock, counts, reader, sync or mode changed: redraw the idle screen."""
    language_changed = Signal(str)
    today_changed = Signal()
    theme_changed = Signal(str)
    restart_requested = Signal()
    reader_finished = Signal()
    _reader_event = Signal(object)

    def __init__(self, core: KioskCore, *, sound: SoundPlayer | None = None,
                 translations: Translations | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.core = core
        self.sound = sound or SoundPlayer(self)
        self.translations = translations or shared_translations()
        self.translations.use("ja")
        self.chosen_for_next_tap: str | None = None
        """The language a worker picked on the idle screen for their next tap."""
        self.worker_language: str | None = None
        """The language of the worker whose result is on screen (from the roster), until the feedback closes."""
        self.last_outcome: Outcome | None = None
        self._reader: Reader | None = None
        self._thread: threading.Thread | None = None
        self._reader_event.connect(self._on_reader_event)
        self._tick = QTimer(self)
        self._tick.timeout.connect(self.idle_changed)
        self._tick.start(1000)
        self._english_timer = QTimer(self, singleShot=True, interval=LANGUAGE_TIMEOUT_MS)
        self._english_timer.timeout.connect(self.back_to_japanese)
        self._prune = QTimer(self, interval=PRUNE_EVERY_MS)
        self._prune.timeout.connect(self.core.prune)
        self._prune.start()
        self._heartbeat = QTimer(self, interval=HEARTBEAT_S * 1000)  # kiosk-status.json for syncd's report
        self._heartbeat.timeout.connect(self.core.publish_status)
        self._heartbeat.start()
        self.core.publish_status()

    # -- reader --------------------------------------------------------------------------------
    def attach_reader(self, reader: Reader) -> None:
        """Start reading in a background thread; events are handled on the GUI thread."""
        self._reader = reader

        def pump() -> None:
            try:
                for event in reader.events():
                    self._reader_event.emit(event)
            except Exception:  # a backend must not raise, but if it does the screen must say so
                log.exception("card reader stopped with an error")
            self._reader_event.emit(None)

        self._thread = threading.Thread(target=pump, name="kiosk-reader", daemon=True)
        self._thread.start()

    def stop_reader(self) -> None:
        if self._reader is not None:
            self._reader.close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def shutdown(self) -> None:
        """Stop the reader and every timer (before the journal is closed)."""
        self.stop_reader()
        for timer in (self._tick, self._english_timer, self._prune, self._heartbeat):
            timer.stop()

    def _on_reader_event(self, event: ReaderEvent | None) -> None:
        if event is None:
            # The reader's event stream ended (closed, end of a simulator script, or a backend bug):
            # no more taps will come, and the screen must say so rather than look ready.
            path = self._reader.path if self._reader is not None else "reader"
            self.core.on_event(ReaderStatus(
                "disconnected", path, "stopped", "カードリーダーが停止しました。キオスクを再起動してください。",
                "The card reader stopped. Restart the kiosk.", self.core.clock.boottime_us()))
            self.idle_changed.emit()
            self.reader_finished.emit()
            return
        self.handle(event)

    def handle(self, event: ReaderEvent) -> Outcome | None:
        """Run one reader event through the core (also used directly by tests and the benchmark)."""
        try:
            outcome = self.core.on_event(event)
        except Exception as exc:  # a bug must never leave a worker with no reaction at all
            log.exception("unexpected error while handling %r", event)
            if not isinstance(event, Tap):
                return None
            outcome = Outcome(OutcomeKind.NOT_RECORDED, event.idm, error_code="internal_error",
                              error_message=f"{type(exc).__name__}: {exc}")
        if outcome is not None:
            self.last_outcome = outcome
            self._speak_to(outcome)
            self.sound.play(outcome)
            self.outcome.emit(outcome)
            self.today_changed.emit()
        self.idle_changed.emit()
        return outcome

    # -- state for screens -------------------------------------------------------------------------
    def idle(self) -> IdleStatus:
        return self.core.idle()

    @property
    def lang(self) -> str:
        return self.translations.lang

    # -- worker actions --------------------------------------------------------------------------
    def force_next(self, direction: Direction | None) -> None:
        self.core.force_next(direction)
        self.idle_changed.emit()

    @property
    def english_for_next_tap(self) -> bool:
        """A language other than Japanese was picked for the next tap."""
        return self.chosen_for_next_tap is not None

    def use_language_for_next_tap(self, lang: str) -> None:
        if lang == "ja":
            self.back_to_japanese()
            return
        self.chosen_for_next_tap = lang
        self._set_language(lang)
        self._english_timer.start()

    def use_english_for_next_tap(self) -> None:
        self.use_language_for_next_tap("en")

    def _speak_to(self, outcome: Outcome) -> None:
        """Show this result in the worker's own language when the roster names one (a language picked on the
        screen for this tap wins; a card without a roster language gets Japanese)."""
        if self.chosen_for_next_tap is not None:
            return
        holder = outcome.holder
        lang = for_worker(holder.language) if holder is not None else None
        if lang is not None:
            self.worker_language = lang
            self._set_language(lang)
        elif self.worker_language is not None:
            self.worker_language = None
            self._set_language("ja")

    def feedback_done(self) -> None:
        """The feedback screen closed: a per-tap language (picked or the worker's own) ends here."""
        if self.chosen_for_next_tap is not None or self.worker_language is not None:
            self.back_to_japanese()

    def back_to_japanese(self) -> None:
        self.chosen_for_next_tap = None
        self.worker_language = None
        self._english_timer.stop()
        self._set_language("ja")

    def _set_language(self, lang: str) -> None:
        if lang != self.translations.lang:
            self.translations.use(lang)
            self.language_changed.emit(lang)

    # -- manager actions -------------------------------------------------------------------------
    def unlock(self, pin: str) -> None:
        self.core.unlock(pin)

    def set_mode(self, mode: GateMode) -> None:
        self.core.set_mode(mode)
        self.idle_changed.emit()

    def bind(self, idm: str, worker: str) -> StoredEvent:
        """Bind a card picked on the manager screen (a Qt widget's text: parsed here, the input boundary)."""
        stored = self.core.bind(parse_idm(idm), worker)
        self.today_changed.emit()
        return stored

    def amend(self, ref: int, direction: Direction) -> StoredEvent:
        stored = self.core.amend(ref, direction)
        self.today_changed.emit()
        self.idle_changed.emit()
        return stored

    def manual(self, worker: str, direction: Direction, claimed_at: datetime) -> StoredEvent:
        stored = self.core.manual(worker, direction, claimed_at)
        self.today_changed.emit()
        self.idle_changed.emit()
        return stored

    @property
    def theme(self) -> str:
        return self.core.settings.theme

    def set_theme(self, theme: str) -> None:
        """Dark, or the high-contrast light theme for daylight; kept in kiosk.json."""
        if theme not in THEMES:
            raise ValueError(f"unknown theme {theme!r}")
        self.core.settings = self.core.settings.with_changes(theme=theme)
        if self.core.root is not None:
            save_settings(self.core.root, self.core.settings)
        self.theme_changed.emit(theme)

    def request_restart(self) -> None:
        self.restart_requested.emit()
