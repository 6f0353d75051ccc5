"""The PIN pad in front of manager mode: big keys, dots for digits, and the rate limit made visible."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from kiosk.errors import PinError, PinLocked, PinNotSet, WrongPin
from kiosk.manager import MAX_PIN_DIGITS
from kiosk.ui.model import KioskModel
from kiosk.ui.theme import named

translate = QCoreApplication.translate


class PinScreen(QWidget):
    unlocked = Signal()
    cancelled = Signal()

    def __init__(self, model: KioskModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.entered = ""
        self.title = named(QLabel(), "title")
        self.display = named(QLabel(), "pinshow")
        self.display.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message = named(QLabel(), "detail")
        self.message.setWordWrap(True)
        self.keys: dict[str, QPushButton] = {}
        grid = QGridLayout()
        for i, key in enumerate(["1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "ok"]):
            button = QPushButton(key)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)  # big keys
            button.clicked.connect(lambda _=False, k=key: self.press(k))
            self.keys[key] = button
            grid.addWidget(button, i // 3, i % 3)
        self.cancel = QPushButton()
        self.cancel.clicked.connect(self._cancel)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.cancel)
        for label in (self.display, self.message):
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        col = QVBoxLayout(self)
        col.addLayout(top)
        col.addWidget(self.display)
        col.addWidget(self.message)
        col.addLayout(grid, 1)
        self._countdown = QTimer(self, interval=1000)
        self._countdown.timeout.connect(self._tick)
        self.retry_in = 0
        model.language_changed.connect(lambda _l: self.retranslate())
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(translate("Kiosk", "Manager mode: enter the PIN"))
        self.keys["clear"].setText(translate("Kiosk", "Clear"))
        self.keys["ok"].setText(translate("Kiosk", "OK"))
        self.cancel.setText(translate("Kiosk", "Cancel"))
        self._show()

    def reset(self) -> None:
        self.entered = ""
        if self.retry_in <= 0:
            self.message.setText(translate("Kiosk", "Enter the manager PIN."))
        self._show()

    def _show(self) -> None:
        self.display.setText("●" * len(self.entered) or " ")
        locked = self.retry_in > 0
        for button in self.keys.values():
            button.setEnabled(not locked)

    def press(self, key: str) -> None:
        if key == "clear":
            self.entered = ""
        elif key == "ok":
            self._submit()
            return
        elif len(self.entered) < MAX_PIN_DIGITS:
            self.entered += key
        self._show()

    def _submit(self) -> None:
        pin, self.entered = self.entered, ""
        try:
            self.model.unlock(pin)
        except PinNotSet:
            self.message.setText(translate("Kiosk", "No manager PIN is set. On the device run: genba kiosk set-pin"))
        except PinLocked as exc:
            self.retry_in = exc.retry_in_s
            self._countdown.start()
            self._tick(advance=False)
        except WrongPin as exc:
            self.message.setText(translate("Kiosk", "Wrong PIN. %1 tries left before the pad locks.")
                                 .replace("%1", str(exc.attempts_left)))
        except PinError as exc:
            self.message.setText(exc.message)
        else:
            self.message.setText("")
            self.unlocked.emit()
        self._show()

    def _tick(self, advance: bool = True) -> None:
        if advance:
            self.retry_in -= 1
        if self.retry_in <= 0:
            self._countdown.stop()
            self.retry_in = 0
            self.message.setText(translate("Kiosk", "Enter the manager PIN."))
        else:
            self.message.setText(translate("Kiosk", "Too many wrong PINs. Try again in %1 s.")
                                 .replace("%1", str(self.retry_in)))
        self._show()

    def _cancel(self) -> None:
        self.entered = ""
        self.cancelled.emit()
