"""Manager mode: a tab per task, each a page module of its own.

Today's lists (:mod:`kiosk.ui.manager_today`); bind a card, amend a direction, a forgotten card
(:mod:`kiosk.ui.manager_records`); gate mode, sync, export, daylight, restart (:mod:`kiosk.ui.manager_settings`);
pairing tablets (:mod:`kiosk.ui.tablet`); the site's other gates — pairing and alarms
(:mod:`kiosk.ui.manager_siblings`). Every change is a new journal event through the model (never an edit).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from kiosk.ui.manager_common import ManagerPage, translate
from kiosk.ui.manager_records import AmendPage, BindPage, ManualPage
from kiosk.ui.manager_settings import SettingsPage
from kiosk.ui.manager_siblings import SiblingsPage
from kiosk.ui.manager_today import TodayPage
from kiosk.ui.model import KioskModel
from kiosk.ui.phrases import PhraseLabel
from kiosk.ui.tablet import TabletTab
from kiosk.ui.theme import Metrics, named


class ManagerScreen(QWidget):
    closed = Signal()

    def __init__(self, model: KioskModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.metrics = Metrics(800, 480)
        self.title = named(QLabel(), "title")
        self.close_button = QPushButton()
        self.close_button.clicked.connect(self.closed)
        self.message = named(PhraseLabel(), "chip")
        self.tabs = QTabWidget()
        self.tabs.setUsesScrollButtons(True)
        say = self._say
        self.today = TodayPage(model, say)
        self.bind = BindPage(model, say)
        self.amend = AmendPage(model, say)
        self.manual = ManualPage(model, say)
        self.settings = SettingsPage(model, say)
        self.pages: list[ManagerPage] = [self.today, self.bind, self.amend, self.manual, self.settings]
        for page in self.pages:
            self.tabs.addTab(page, "")
        self.tablet = TabletTab(model)
        self.tabs.addTab(self.tablet, "")
        self.siblings = SiblingsPage(model, say)
        self.pages.append(self.siblings)
        self.tabs.addTab(self.siblings, "")
        self.siblings.retitled.connect(lambda text: self.tabs.setTabText(self.tabs.indexOf(self.siblings), text))
        self._aliases()
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.close_button)
        col = QVBoxLayout(self)
        col.addLayout(top)
        col.addWidget(self.tabs, 1)
        col.addWidget(self.message)
        model.today_changed.connect(self._refresh_if_shown)
        model.language_changed.connect(lambda _l: self.retranslate())
        self.retranslate()

    def _aliases(self) -> None:
        """The pages' widgets by their long-standing names (tests, the screenshot tool, demos use them)."""
        t, b, a, m, s = self.today, self.bind, self.amend, self.manual, self.settings
        self.inside_list, self.left_list, self.unknown_list = t.inside_list, t.left_list, t.unknown_list
        self.inside_title, self.left_title, self.unknown_title = t.inside_title, t.left_title, t.unknown_title
        self.gate_title, self.gate_list = t.gate_title, t.gate_list
        self.bind_cards, self.bind_workers, self.bind_button = b.cards, b.workers, b.button
        self.recent, self.amend_in, self.amend_out = a.recent, a.to_in, a.to_out
        self.manual_workers, self.manual_time = m.workers, m.time
        self.manual_in, self.manual_out, self.manual_note = m.record_in, m.record_out, m.note
        self.mode_buttons, self.sync_button, self.export_button = s.mode_buttons, s.sync_button, s.export_button
        self.restart_button, self.theme_button, self.drives, self.health = (
            s.restart_button, s.theme_button, s.drives, s.health)
        self.runner = s.runner
        self.sync_now, self.export_usb = s.sync_now, s.export_usb
        self.flagged_today = t.flagged_today

    def set_metrics(self, metrics: Metrics) -> None:
        self.metrics = metrics
        for page in self.pages:
            page.set_metrics(metrics)

    def retranslate(self) -> None:
        self.title.setText(translate("Kiosk", "Manager mode"))
        self.close_button.setText(translate("Kiosk", "Close"))
        for i, name in enumerate([translate("Kiosk", "Today"), translate("Kiosk", "Bind card"),
                                  translate("Kiosk", "Amend"), translate("Kiosk", "Forgotten card"),
                                  translate("Kiosk", "Settings")]):
            self.tabs.setTabText(i, name)
        self.tabs.setTabText(self.tabs.indexOf(self.tablet), self.tablet.title())
        self.tabs.setTabText(self.tabs.indexOf(self.siblings), self.siblings.title())
        for page in self.pages:
            page.retranslate()
        self._refresh_if_shown()

    def open(self) -> None:
        self.message.setText(translate("Kiosk", "Changes are recorded as new records; nothing is edited."))
        self.manual.open()
        self.tabs.setCurrentIndex(0)
        self.refresh()

    def _refresh_if_shown(self) -> None:
        # Rebuilding every list on every tap is wasted work while the manager screen is closed;
        # open() refreshes it anyway.
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        for page in self.pages:
            page.refresh()

    def _say(self, text: str) -> None:
        self.message.setText(text)
