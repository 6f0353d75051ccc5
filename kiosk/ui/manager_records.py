"""Manager mode's record tabs: bind an unknown card, amend a direction, a forgotten card.

Every change is a new journal event through the model (never an edit).
"""

from __future__ import annotations

from PySide6.QtCore import QTime
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidgetItem, QPushButton, QVBoxLayout

from kiosk.manager import latest_at
from kiosk.sources import CardHolder
from kiosk.ui import texts
from kiosk.ui.manager_common import ROLE, ManagerPage, make_list, selected, translate
from kiosk.ui.phrases import PhraseLabel
from kiosk.ui.theme import Metrics, named
from kiosk.ui.timepicker import TimePicker
from shared.errors import GenbaError
from shared.event import Direction


def worker_item(h: CardHolder) -> QListWidgetItem:
    item = QListWidgetItem(f"{h.name}（{h.employer}）" if h.employer else h.name)
    item.setData(ROLE, h.worker)
    return item


class BindPage(ManagerPage):
    """Bind a card the kiosk did not know to a roster worker."""

    def build(self) -> None:
        self.cards, self.workers = make_list(), make_list()
        self.cards_title, self.workers_title = QLabel(), QLabel()
        self.button = named(QPushButton(), "entry")
        self.button.clicked.connect(self.bind)
        lists = self.row()
        for title, lst in ((self.cards_title, self.cards), (self.workers_title, self.workers)):
            col = QVBoxLayout()
            col.addWidget(title)
            col.addWidget(lst, 1)
            lists.addLayout(col)
        outer = QVBoxLayout(self)
        outer.addLayout(lists, 1)
        outer.addWidget(self.button)

    def retranslate(self) -> None:
        self.cards_title.setText(translate("Kiosk", "Unknown cards today"))
        self.workers_title.setText(translate("Kiosk", "Roster workers"))
        self.button.setText(translate("Kiosk", "Bind the card to this worker"))

    def refresh(self) -> None:
        self.cards.clear()
        for p in self.model.core.today.unknown_cards():
            item = QListWidgetItem(f"{p.idm}  {texts.clock(p.last.at) if p.last else ''}")
            item.setData(ROLE, p.idm)
            self.cards.addItem(item)
        self.workers.clear()
        for h in self.model.core.site.roster():
            self.workers.addItem(worker_item(h))

    def bind(self) -> None:
        idm, worker = selected(self.cards), selected(self.workers)
        if idm is None or worker is None:
            self.say(translate("Kiosk", "Choose an unknown card and a worker first."))
            return
        try:
            stored = self.model.bind(str(idm), str(worker))
        except GenbaError as exc:
            self.failed(exc)
            return
        self.say(translate("Kiosk", "Card bound (record #%1).").replace("%1", str(stored.seq)))


class AmendPage(ManagerPage):
    """Correct the direction of one of today's entries or exits at this gate."""

    def build(self) -> None:
        self.recent = make_list()
        self.to_in = named(QPushButton(), "entry")
        self.to_out = named(QPushButton(), "exit")
        self.to_in.clicked.connect(lambda: self.amend("in"))
        self.to_out.clicked.connect(lambda: self.amend("out"))
        col = QVBoxLayout(self)
        col.addWidget(self.recent, 1)
        row = self.row()
        row.addWidget(self.to_in)
        row.addWidget(self.to_out)
        col.addLayout(row)

    def retranslate(self) -> None:
        self.to_in.setText(translate("Kiosk", "Correct to Entry"))
        self.to_out.setText(translate("Kiosk", "Correct to Exit"))

    def refresh(self) -> None:
        keep = selected(self.recent)
        self.recent.clear()
        for e in self.model.core.today.recent(30):
            holder = self.model.core.site.worker(e.worker) if e.worker else None
            who = holder.name if holder else (e.idm or e.worker or "")
            shown = e.amended_to or e.direction
            label = f"{texts.clock(e.at)}  {texts.direction(shown)}  {who}  #{e.seq}"
            if e.amended_to:
                label += "  " + translate("Kiosk", "(corrected)")
            item = QListWidgetItem(label)
            item.setData(ROLE, e.seq)
            self.recent.addItem(item)
            if e.seq == keep:
                self.recent.setCurrentItem(item)

    def amend(self, direction: Direction) -> None:
        seq = selected(self.recent)
        if seq is None:
            self.say(translate("Kiosk", "Choose a record to correct first."))
            return
        try:
            stored = self.model.amend(int(str(seq)), direction)
        except GenbaError as exc:
            self.failed(exc)
            return
        self.say(translate("Kiosk", "Corrected (record #%1).").replace("%1", str(stored.seq)))


class ManualPage(ManagerPage):
    """A forgotten card: the worker and the time, sent as a correction for approval."""

    def build(self) -> None:
        self.workers = make_list()
        self.note = named(PhraseLabel(), "note")
        self.time = TimePicker()
        self.record_in = named(QPushButton(), "entry")
        self.record_out = named(QPushButton(), "exit")
        self.record_in.clicked.connect(lambda: self.manual("in"))
        self.record_out.clicked.connect(lambda: self.manual("out"))
        col = QVBoxLayout(self)
        col.addWidget(self.workers, 1)
        col.addWidget(self.time)
        row = QHBoxLayout()  # two buttons fit side by side on every screen
        row.addWidget(self.record_in)
        row.addWidget(self.record_out)
        col.addLayout(row)
        col.addWidget(self.note)

    def set_metrics(self, metrics: Metrics) -> None:
        super().set_metrics(metrics)
        self.time.place(portrait=metrics.portrait)

    def retranslate(self) -> None:
        self.record_in.setText(translate("Kiosk", "Record Entry"))
        self.record_out.setText(translate("Kiosk", "Record Exit"))
        self.note.setText(translate(
            "Kiosk", "For a worker who forgot the card: choose the worker and the time. It is sent as a "
                     "correction that the prime contractor must approve."))
        self.time.retranslate()

    def open(self) -> None:
        now = self.model.core.now()
        self.time.setTime(QTime(now.hour, now.minute))

    def refresh(self) -> None:
        self.workers.clear()
        for h in self.model.core.site.roster():
            self.workers.addItem(worker_item(h))

    def manual(self, direction: Direction) -> None:
        worker = selected(self.workers)
        if worker is None:
            self.say(translate("Kiosk", "Choose the worker first."))
            return
        now = self.model.core.now()
        t = self.time.time()
        claimed = latest_at(now, t.hour(), t.minute())
        try:
            stored = self.model.manual(str(worker), direction, claimed)
        except GenbaError as exc:
            self.failed(exc)
            return
        self.say(translate("Kiosk", "Recorded for approval (record #%1).").replace("%1", str(stored.seq)))
