"""A time picker for gloved hands: the time in large type between big −/+ buttons for hours, ten minutes and
minutes (a QTimeEdit's ▲▼ arrows are a few millimetres wide and need a fingertip)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, QTime, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QSizePolicy, QWidget

from kiosk.ui.theme import named

translate = QCoreApplication.translate
STEPS = (-60, -10, -1, 1, 10, 60)
"""Minutes per button, left to right (hours at the ends)."""


class TimePicker(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.minutes = 0
        """Minutes after midnight, 0–1439 (wraps around)."""
        self.display = named(QLabel(), "timeshow")
        self.display.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.display.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.buttons: dict[int, QPushButton] = {}
        for step in STEPS:
            button = named(QPushButton(), "step")
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setAutoRepeat(True)  # hold to keep stepping
            button.clicked.connect(lambda _=False, s=step: self.step(s))
            self.buttons[step] = button
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.place(portrait=False)
        self.retranslate()
        self._show()

    def place(self, *, portrait: bool) -> None:
        """One row on landscape screens; on portrait ones the time above the back and forward buttons."""
        while self.grid.count():
            self.grid.takeAt(0)
        if portrait:
            self.grid.addWidget(self.display, 0, 0, 1, 3)
            for i, step in enumerate(STEPS):
                self.grid.addWidget(self.buttons[step], 1 + i // 3, i % 3)
        else:
            for i, step in enumerate(STEPS[:3]):
                self.grid.addWidget(self.buttons[step], 0, i)
            self.grid.addWidget(self.display, 0, 3)
            for i, step in enumerate(STEPS[3:]):
                self.grid.addWidget(self.buttons[step], 0, 4 + i)

    def retranslate(self) -> None:
        words = {60: translate("Kiosk", "%1 h"), 10: translate("Kiosk", "%1 min"), 1: translate("Kiosk", "%1 min")}
        for step, button in self.buttons.items():
            amount = abs(step) // 60 if abs(step) == 60 else abs(step)
            sign = "+" if step > 0 else "−"
            button.setText(sign + words[abs(step)].replace("%1", str(amount)))

    def setTime(self, value: QTime) -> None:  # QTimeEdit's names, so callers need not care which it is
        self.minutes = value.hour() * 60 + value.minute()
        self._show()

    def time(self) -> QTime:
        return QTime(self.minutes // 60, self.minutes % 60)

    def step(self, minutes: int) -> None:
        self.minutes = (self.minutes + minutes) % (24 * 60)
        self._show()
        self.changed.emit()

    def _show(self) -> None:
        self.display.setText(f"{self.minutes // 60:02d}:{self.minutes % 60:02d}")
