"""The kiosk window: idle, feedback, PIN and manager screens in one full-screen stack."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import QMainWindow, QStackedWidget, QWidget

from kiosk.pipeline import Outcome
from kiosk.ui.feedback import FeedbackScreen
from kiosk.ui.idle import IdleScreen
from kiosk.ui.language import LanguageScreen
from kiosk.ui.manager_screen import ManagerScreen
from kiosk.ui.model import KioskModel
from kiosk.ui.pin import PinScreen
from kiosk.ui.theme import Metrics, style_sheet

MANAGER_TIMEOUT_MS = 120_000
_ACTIVITY = (QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress, QEvent.Type.TouchBegin)


class KioskWindow(QMainWindow):
    def __init__(self, model: KioskModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setWindowTitle("Genba 現場")
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.idle = IdleScreen(model)
        self.feedback = FeedbackScreen()
        self.pin = PinScreen(model)
        self.manager = ManagerScreen(model)
        self.language = LanguageScreen(model)
        for screen in (self.idle, self.feedback, self.pin, self.manager, self.language):
            self.stack.addWidget(screen)
        self._return_to: QWidget = self.idle
        self.keys: dict[str, Callable[[], None]] = {}
        # Manager mode (and the PIN pad) close by themselves after a while untouched, so a manager who
        # walks away does not leave amend/bind open to the next person at the gate.
        self.idle_timeout = QTimer(self, singleShot=True, interval=MANAGER_TIMEOUT_MS)
        self.idle_timeout.timeout.connect(self.back_to_idle)
        self.stack.currentChanged.connect(self._screen_changed)
        app = QCoreApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.metrics: Metrics | None = None
        model.outcome.connect(self.show_outcome)
        self.feedback.done.connect(self._feedback_done)
        self.idle.manager_requested.connect(self.open_pin)
        self.idle.language_requested.connect(lambda: self.stack.setCurrentWidget(self.language))
        self.language.chosen.connect(lambda _lang: self.stack.setCurrentWidget(self.idle))
        model.theme_changed.connect(lambda theme: self.apply_metrics(
            Metrics(self.width(), self.height(), theme)))
        self.pin.cancelled.connect(lambda: self.stack.setCurrentWidget(self.idle))
        self.pin.unlocked.connect(self.open_manager)
        self.manager.closed.connect(lambda: self.stack.setCurrentWidget(self.idle))
        self.apply_metrics(Metrics(800, 480, model.theme))

    def _screen_changed(self, _index: int) -> None:
        current = self.stack.currentWidget()
        if current is self.pin or current is self.manager or current is self.language:
            self.idle_timeout.start()
        elif current is self.idle:
            self.idle_timeout.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.idle_timeout.isActive() and event.type() in _ACTIVITY:
            self.idle_timeout.start()  # any touch or key keeps manager mode open
        return False

    def back_to_idle(self) -> None:
        if self.stack.currentWidget() in (self.pin, self.manager, self.language):
            self.stack.setCurrentWidget(self.idle)

    def apply_metrics(self, metrics: Metrics) -> None:
        if metrics == self.metrics:
            return
        self.metrics = metrics
        self.setStyleSheet(style_sheet(metrics))
        self.idle.set_metrics(metrics)
        self.manager.set_metrics(metrics)
        self.feedback.set_metrics(metrics)
        self.language.set_metrics(metrics)

    def resizeEvent(self, event: QResizeEvent) -> None:
        size = event.size()
        self.apply_metrics(Metrics(size.width(), size.height(), self.model.theme))
        super().resizeEvent(event)

    def show_outcome(self, outcome: Outcome) -> None:
        current = self.stack.currentWidget()
        if current is not None and current is not self.feedback:
            self._return_to = current
        self.feedback.show_outcome(outcome, silent=not self.model.sound.available)
        self.stack.setCurrentWidget(self.feedback)

    def _feedback_done(self) -> None:
        self.model.feedback_done()
        self.stack.setCurrentWidget(self._return_to)
        self._return_to = self.idle

    def open_pin(self) -> None:
        if self.model.lang not in ("ja", "en"):
            self.model.back_to_japanese()  # manager mode speaks Japanese or English, not a worker's language
        self.pin.reset()
        self.stack.setCurrentWidget(self.pin)

    def open_manager(self) -> None:
        self.manager.open()
        self.stack.setCurrentWidget(self.manager)

    def set_keys(self, keys: dict[str, Callable[[], None]]) -> None:
        """Keyboard actions for demos (``genba kiosk --demo``): a key's text → what it does."""
        self.keys = keys

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.stack.currentWidget() is not self.idle:
            self.stack.setCurrentWidget(self.idle)
            return
        action = self.keys.get(event.text().lower())
        if action is not None and self.stack.currentWidget() is not self.pin:
            action()
            return
        super().keyPressEvent(event)
