"""An on-screen keypad for gloved hands: big keys in a grid, for a pairing code or a gate's address.

The kiosk has no keyboard. A pairing code uses 32 characters (``A``–``Z`` without ``I`` and ``O``, ``2``–``9``:
nothing that reads as another character); an address uses digits, ``.`` and ``:``. The keypad shows only the
keys the field being typed can take, so each key stays large.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QPushButton, QSizePolicy, QWidget

from kiosk.ui.theme import GLOVE_PX, MIN_TOUCH_PX, Metrics

CODE_KEYS = [*"ABCDEFGHJKLMNPQRSTUVWXYZ23456789"]
"""The characters of a sibling pairing code (``syncd.siblings.PAIR_CODE_CHARS``)."""
ADDRESS_KEYS = [*"1234567890", ".", ":"]
BACKSPACE = "⌫"


class Keypad(QWidget):
    """A grid of keys; :attr:`pressed` carries the key's text (:data:`BACKSPACE` to delete one)."""

    pressed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(4)
        self.buttons: dict[str, QPushButton] = {}
        self.keys: list[str] = []
        self.columns = 11
        self.set_metrics(Metrics(800, 480))

    def set_metrics(self, metrics: Metrics) -> None:
        # The keys share the width (11 to a row on a 7" landscape screen are ~70 px wide each) and are a glove
        # tall; this sheet is the keypad's own, so it wins over the window's wider minimum for buttons.
        self.setStyleSheet(f"QPushButton {{ min-width: {MIN_TOUCH_PX}px; min-height: {max(GLOVE_PX, metrics.px(60))}px;"
                           f" padding: 0; font-size: {metrics.px(28)}px; }}")

    def show_keys(self, keys: list[str], columns: int) -> None:
        """Lay out ``keys`` (and a backspace key) ``columns`` to a row."""
        if keys == self.keys and columns == self.columns:
            return
        self.keys, self.columns = keys, columns
        for b in self.buttons.values():
            self.grid.removeWidget(b)
            b.hide()  # gone from the screen now, not at the next turn of the event loop
            b.deleteLater()
        self.buttons = {}
        for i, key in enumerate([*keys, BACKSPACE]):
            b = QPushButton(key)
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            b.clicked.connect(lambda _=False, k=key: self.pressed.emit(k))
            self.buttons[key] = b
            self.grid.addWidget(b, i // columns, i % columns)
