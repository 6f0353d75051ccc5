"""The language list a worker opens from the idle screen: one big button per language, each named in
itself (a worker who reads no Japanese must still find their own). The choice holds for the next tap."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from kiosk.ui.i18n import LANGUAGES, NATIVE_NAMES
from kiosk.ui.model import KioskModel
from kiosk.ui.theme import Metrics, named

PROMPT = "言語を選んでください · Choose your language · Chọn ngôn ngữ · 选择语言 · Pilih bahasa · Pumili ng wika"
"""In every language at once, because the worker has not chosen yet."""


class LanguageScreen(QWidget):
    chosen = Signal(str)

    def __init__(self, model: KioskModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.title = named(QLabel(PROMPT), "title")
        self.title.setWordWrap(True)
        self.buttons: dict[str, QPushButton] = {}
        self.grid = QGridLayout()
        for lang in LANGUAGES:
            button = named(QPushButton(NATIVE_NAMES[lang]), "glove")
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            button.clicked.connect(lambda _=False, chosen=lang: self._choose(chosen))
            self.buttons[lang] = button
        col = QVBoxLayout(self)
        col.addWidget(self.title)
        col.addLayout(self.grid, 1)
        self.set_metrics(Metrics(800, 480))

    def set_metrics(self, metrics: Metrics) -> None:
        while self.grid.count():
            self.grid.takeAt(0)
        cols = 2 if metrics.portrait else 3
        for i, lang in enumerate(LANGUAGES):
            self.grid.addWidget(self.buttons[lang], i // cols, i % cols)

    def _choose(self, lang: str) -> None:
        self.model.use_language_for_next_tap(lang)
        self.chosen.emit(lang)
