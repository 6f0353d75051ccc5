"""What manager mode's pages share: glove-friendly lists, the selected row's value, and a page's way to speak.

Each tab of manager mode is a page module (``manager_today``, ``manager_records``, ``manager_settings``,
``manager_siblings``); :mod:`kiosk.ui.manager_screen` puts them together.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QBoxLayout, QListWidget, QScroller, QWidget

from kiosk.ui.model import KioskModel
from kiosk.ui.theme import GLOVE_PX, Metrics
from shared.errors import GenbaError
from shared.messages import explain

translate = QCoreApplication.translate
ROLE = Qt.ItemDataRole.UserRole


def make_list() -> QListWidget:
    w = QListWidget()
    w.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
    w.setWordWrap(True)  # names and companies are long: wrap rather than cut
    w.setMinimumSize(2 * GLOVE_PX, GLOVE_PX)  # lists scroll; let them shrink on a 480-px-high screen
    w.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    w.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # rows wrap; nothing to scroll sideways
    # Drag the list itself to scroll (a glove cannot aim at a scroll bar); a touch without a drag still selects.
    QScroller.grabGesture(w.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
    return w


def selected(lst: QListWidget) -> object | None:
    item = lst.currentItem()
    value: object | None = None if item is None else item.data(ROLE)
    return value


class ManagerPage(QWidget):
    """One tab of manager mode. ``say`` puts a line in the screen's message bar."""

    def __init__(self, model: KioskModel, say: Callable[[str], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.say = say
        self.rows: list[QBoxLayout] = []
        """Rows of buttons that stack vertically on a portrait screen."""
        self.build()

    def build(self) -> None:
        """Make the page's widgets and layout."""

    def row(self) -> QBoxLayout:
        row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.rows.append(row)
        return row

    def failed(self, exc: GenbaError) -> None:
        self.say(translate("Kiosk", "Not done: %1").replace("%1", explain(exc, self.model.lang)))

    def set_metrics(self, metrics: Metrics) -> None:
        direction = QBoxLayout.Direction.TopToBottom if metrics.portrait else QBoxLayout.Direction.LeftToRight
        for row in self.rows:
            row.setDirection(direction)

    def retranslate(self) -> None:
        """Set every word in the screen's language (called on a language change)."""

    def refresh(self) -> None:
        """Show the kiosk's current state."""
