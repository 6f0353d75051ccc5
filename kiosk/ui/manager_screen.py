"""Manager mode: today's list, bind an unknown card, amend a direction, a forgotten card, mode, sync, export.

Every change is a new journal event through the model (never an edit). Sync
and export run the documented ``genba`` commands as child processes
(:mod:`kiosk.ui.runner`) so the screen never freezes on a slow network or disk.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScroller,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk import commands
from kiosk.direction import GateMode
from kiosk.manager import latest_at
from kiosk.sources import CardHolder
from kiosk.today import Presence
from kiosk.ui import texts
from kiosk.ui.model import KioskModel
from kiosk.ui.phrases import PhraseLabel
from kiosk.ui.runner import CommandRunner
from kiosk.ui.tablet import TabletTab
from kiosk.ui.theme import GLOVE_PX, Metrics, named
from kiosk.ui.timepicker import TimePicker
from kiosk.usb import export_folder, mounted_drives
from shared.errors import GenbaError
from shared.event import Direction
from shared.messages import explain

translate = QCoreApplication.translate
ROLE = Qt.ItemDataRole.UserRole
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _list() -> QListWidget:
    w = QListWidget()
    w.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
    w.setWordWrap(True)  # names and companies are long: wrap rather than cut
    w.setMinimumSize(2 * GLOVE_PX, GLOVE_PX)  # lists scroll; let them shrink on a 480-px-high screen
    w.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    w.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # rows wrap; nothing to scroll sideways
    # Drag the list itself to scroll (a glove cannot aim at a scroll bar); a touch without a drag still selects.
    QScroller.grabGesture(w.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
    return w


class ManagerScreen(QWidget):
    closed = Signal()

    def __init__(self, model: KioskModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.metrics = Metrics(800, 480)
        self.runner = CommandRunner(self)
        self.runner.message.connect(self._say)
        self.runner.finished.connect(lambda _code: self.model.idle_changed.emit())
        self.title = named(QLabel(), "title")
        self.close_button = QPushButton()
        self.close_button.clicked.connect(self.closed)
        self.message = named(PhraseLabel(), "chip")
        self.tabs = QTabWidget()
        self.tabs.setUsesScrollButtons(True)
        self.rows: list[QBoxLayout] = []
        """Rows of buttons that stack vertically on a portrait screen."""
        self._build_today()
        self._build_bind()
        self._build_amend()
        self._build_manual()
        self._build_settings()
        self.tablet = TabletTab(model)
        self.tabs.addTab(self.tablet, "")
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

    # -- building --------------------------------------------------------------------------------
    def _build_today(self) -> None:
        page = QWidget()
        self.inside_title, self.left_title, self.unknown_title = QLabel(), QLabel(), QLabel()
        self.inside_list, self.left_list, self.unknown_list = _list(), _list(), _list()
        # Workers who tapped today with a gate warning (lapsed credential, no new-entrant education): issue 12.
        self.gate_title, self.gate_list = QLabel(), _list()
        self.today_grid = QGridLayout(page)
        self.tabs.addTab(page, "")

    def _row(self) -> QBoxLayout:
        row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.rows.append(row)
        return row

    def _place_today(self) -> None:
        grid = self.today_grid
        while grid.count():
            grid.takeAt(0)
        pairs = [(self.inside_title, self.inside_list), (self.left_title, self.left_list),
                 (self.unknown_title, self.unknown_list), (self.gate_title, self.gate_list)]
        for i, (title, lst) in enumerate(pairs):
            if self.metrics.portrait:
                grid.addWidget(title, 2 * i, 0)
                grid.addWidget(lst, 2 * i + 1, 0)
            else:
                grid.addWidget(title, 0, i)
                grid.addWidget(lst, 1, i)

    def _build_bind(self) -> None:
        page = QWidget()
        self.bind_cards, self.bind_workers = _list(), _list()
        self.bind_cards_title, self.bind_workers_title = QLabel(), QLabel()
        self.bind_button = named(QPushButton(), "entry")
        self.bind_button.clicked.connect(self._bind)
        lists = self._row()
        for title, lst in ((self.bind_cards_title, self.bind_cards), (self.bind_workers_title, self.bind_workers)):
            col = QVBoxLayout()
            col.addWidget(title)
            col.addWidget(lst, 1)
            lists.addLayout(col)
        outer = QVBoxLayout(page)
        outer.addLayout(lists, 1)
        outer.addWidget(self.bind_button)
        self.tabs.addTab(page, "")

    def _build_amend(self) -> None:
        page = QWidget()
        self.recent = _list()
        self.amend_in = named(QPushButton(), "entry")
        self.amend_out = named(QPushButton(), "exit")
        self.amend_in.clicked.connect(lambda: self._amend("in"))
        self.amend_out.clicked.connect(lambda: self._amend("out"))
        col = QVBoxLayout(page)
        col.addWidget(self.recent, 1)
        row = self._row()
        row.addWidget(self.amend_in)
        row.addWidget(self.amend_out)
        col.addLayout(row)
        self.tabs.addTab(page, "")

    def _build_manual(self) -> None:
        page = QWidget()
        self.manual_workers = _list()
        self.manual_note = named(PhraseLabel(), "note")
        self.manual_time = TimePicker()
        self.manual_in = named(QPushButton(), "entry")
        self.manual_out = named(QPushButton(), "exit")
        self.manual_in.clicked.connect(lambda: self._manual("in"))
        self.manual_out.clicked.connect(lambda: self._manual("out"))
        col = QVBoxLayout(page)
        col.addWidget(self.manual_workers, 1)
        col.addWidget(self.manual_time)
        row = QHBoxLayout()  # two buttons fit side by side on every screen
        row.addWidget(self.manual_in)
        row.addWidget(self.manual_out)
        col.addLayout(row)
        col.addWidget(self.manual_note)
        self.tabs.addTab(page, "")

    def _build_settings(self) -> None:
        page = QWidget()
        self.mode_title = QLabel()
        self.mode_buttons: dict[GateMode, QPushButton] = {}
        group = QButtonGroup(self)
        modes = self._row()
        for m in GateMode:
            b = QPushButton()
            b.setCheckable(True)
            b.clicked.connect(lambda _=False, mode=m: self._set_mode(mode))
            group.addButton(b)
            self.mode_buttons[m] = b
            modes.addWidget(b)
        self.sync_button = QPushButton()
        self.sync_button.clicked.connect(self.sync_now)
        self.export_button = QPushButton()
        self.export_button.clicked.connect(self.export_usb)
        self.restart_button = named(QPushButton(), "danger")
        self.restart_button.clicked.connect(self.model.request_restart)
        self.theme_button = QPushButton()
        self.theme_button.setCheckable(True)
        self.theme_button.clicked.connect(self._toggle_theme)
        self.drives = _list()
        self.health = named(PhraseLabel(), "note")
        actions = QGridLayout()  # two by two: four words side by side do not fit a 7" screen
        for i, button in enumerate((self.sync_button, self.export_button, self.theme_button, self.restart_button)):
            actions.addWidget(button, i // 2, i % 2)
        col = QVBoxLayout(page)
        col.addWidget(self.mode_title)
        col.addLayout(modes)
        col.addLayout(actions)
        col.addWidget(self.health)
        col.addWidget(self.drives, 1)
        col.addStretch(0)
        self.drives.hide()  # shown once Export has found drives to choose from
        self.tabs.addTab(page, "")

    # -- text and content ------------------------------------------------------------------------
    def set_metrics(self, metrics: Metrics) -> None:
        self.metrics = metrics
        self._place_today()
        direction = QBoxLayout.Direction.TopToBottom if metrics.portrait else QBoxLayout.Direction.LeftToRight
        for row in self.rows:
            row.setDirection(direction)
        self.manual_time.place(portrait=metrics.portrait)

    def retranslate(self) -> None:
        self.title.setText(translate("Kiosk", "Manager mode"))
        self.close_button.setText(translate("Kiosk", "Close"))
        for i, name in enumerate([translate("Kiosk", "Today"), translate("Kiosk", "Bind card"),
                                  translate("Kiosk", "Amend"), translate("Kiosk", "Forgotten card"),
                                  translate("Kiosk", "Settings")]):
            self.tabs.setTabText(i, name)
        self.tabs.setTabText(self.tabs.indexOf(self.tablet), self.tablet.title())
        self.bind_cards_title.setText(translate("Kiosk", "Unknown cards today"))
        self.bind_workers_title.setText(translate("Kiosk", "Roster workers"))
        self.bind_button.setText(translate("Kiosk", "Bind the card to this worker"))
        self.amend_in.setText(translate("Kiosk", "Correct to Entry"))
        self.amend_out.setText(translate("Kiosk", "Correct to Exit"))
        self.manual_in.setText(translate("Kiosk", "Record Entry"))
        self.manual_out.setText(translate("Kiosk", "Record Exit"))
        self.manual_note.setText(translate(
            "Kiosk", "For a worker who forgot the card: choose the worker and the time. It is sent as a "
                     "correction that the prime contractor must approve."))
        self.mode_title.setText(translate("Kiosk", "Gate mode"))
        for m, b in self.mode_buttons.items():
            b.setText(texts.mode(m))
        self.sync_button.setText(translate("Kiosk", "Sync now"))
        self.export_button.setText(translate("Kiosk", "Export to USB"))
        self.restart_button.setText(translate("Kiosk", "Restart kiosk"))
        self.theme_button.setText(translate("Kiosk", "Daylight screen"))
        self.manual_time.retranslate()
        self._refresh_if_shown()

    def open(self) -> None:
        self.message.setText(translate("Kiosk", "Changes are recorded as new records; nothing is edited."))
        now = self.model.core.clock.wall()
        self.manual_time.setTime(QTime(now.hour, now.minute))
        self.tabs.setCurrentIndex(0)
        self.refresh()

    def _person(self, p: Presence) -> str:
        holder = self.model.core.site.worker(p.worker) if p.worker else None
        who = holder.name if holder else (translate("Kiosk", "Unknown card %1").replace("%1", p.idm or ""))
        if holder and holder.employer:
            who += f"（{holder.employer}）"
        parts = [who]
        if p.first_in:
            parts.append(f"{texts.direction('in')} {texts.clock(p.first_in)}")
        if p.last_out and not p.inside:
            parts.append(f"{texts.direction('out')} {texts.clock(p.last_out)}")
        return "  ".join(parts)

    def _refresh_if_shown(self) -> None:
        # Rebuilding every list on every tap is wasted work while the manager screen is closed;
        # open() refreshes it anyway.
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        today = self.model.core.today
        inside, left, unknown = today.inside(), today.left(), today.unknown_cards()
        self.inside_title.setText(translate("Kiosk", "On site (%1)").replace("%1", str(len(inside))))
        self.left_title.setText(translate("Kiosk", "Left (%1)").replace("%1", str(len(left))))
        self.unknown_title.setText(translate("Kiosk", "Unknown cards (%1)").replace("%1", str(len(unknown))))
        for lst, people in ((self.inside_list, inside), (self.left_list, left), (self.unknown_list, unknown)):
            lst.clear()
            for p in people:
                lst.addItem(self._person(p))
        flagged = self.flagged_today()
        self.gate_title.setText(translate("Kiosk", "Education or qualification warnings (%1)")
                                .replace("%1", str(len(flagged))))
        self.gate_list.clear()
        for p, h in flagged:
            who = f"{h.name}（{h.employer}）" if h.employer else h.name
            first = f"  {texts.direction('in')} {texts.clock(p.first_in)}" if p.first_in else ""
            item = QListWidgetItem(f"⚠ {texts.gate_short(h.gate)}\n{who}{first}")  # what is wrong first
            item.setData(ROLE, h.worker)
            self.gate_list.addItem(item)
        self.bind_cards.clear()
        for p in unknown:
            item = QListWidgetItem(f"{p.idm}  {texts.clock(p.last.at) if p.last else ''}")
            item.setData(ROLE, p.idm)
            self.bind_cards.addItem(item)
        roster = self.model.core.site.roster()
        for lst in (self.bind_workers, self.manual_workers):
            lst.clear()
            for h in roster:
                lst.addItem(self._worker_item(h))
        keep = self._selected(self.recent)
        self.recent.clear()
        for e in today.recent(30):
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
        mode = self.model.core.pipeline.mode
        for m, b in self.mode_buttons.items():
            b.setChecked(m is mode)
        self.theme_button.setChecked(self.model.theme == "light")
        problems = self.model.idle().problems
        minimum = self.model.core.site.settings().min_app_version
        self.health.setText("\n".join("⚠ " + texts.problem(p, minimum) for p in problems) if problems
                            else translate("Kiosk", "No problems found."))

    def flagged_today(self) -> list[tuple[Presence, CardHolder]]:
        """Workers who touched today and whose roster entry carries a gate warning, in the order they came."""
        out = []
        for p in sorted(self.model.core.today.inside() + self.model.core.today.left(),
                        key=lambda p: (p.first_in or p.last_out or _EPOCH, p.key)):
            flagged = self.model.core.site.worker(p.worker) if p.worker else None
            if flagged is not None and flagged.gate:
                out.append((p, flagged))
        return out

    def _worker_item(self, h: CardHolder) -> QListWidgetItem:
        item = QListWidgetItem(f"{h.name}（{h.employer}）" if h.employer else h.name)
        item.setData(ROLE, h.worker)
        return item

    # -- actions ---------------------------------------------------------------------------------
    def _say(self, text: str) -> None:
        self.message.setText(text)

    def _failed(self, exc: GenbaError) -> None:
        self._say(translate("Kiosk", "Not done: %1").replace("%1", explain(exc, self.model.lang)))

    def _selected(self, lst: QListWidget) -> object | None:
        item = lst.currentItem()
        value: object | None = None if item is None else item.data(ROLE)
        return value

    def _bind(self) -> None:
        idm, worker = self._selected(self.bind_cards), self._selected(self.bind_workers)
        if idm is None or worker is None:
            self._say(translate("Kiosk", "Choose an unknown card and a worker first."))
            return
        try:
            stored = self.model.bind(str(idm), str(worker))
        except GenbaError as exc:
            self._failed(exc)
            return
        self._say(translate("Kiosk", "Card bound (record #%1).").replace("%1", str(stored.seq)))

    def _amend(self, direction: Direction) -> None:
        seq = self._selected(self.recent)
        if seq is None:
            self._say(translate("Kiosk", "Choose a record to correct first."))
            return
        try:
            stored = self.model.amend(int(str(seq)), direction)
        except GenbaError as exc:
            self._failed(exc)
            return
        self._say(translate("Kiosk", "Corrected (record #%1).").replace("%1", str(stored.seq)))

    def _manual(self, direction: Direction) -> None:
        worker = self._selected(self.manual_workers)
        if worker is None:
            self._say(translate("Kiosk", "Choose the worker first."))
            return
        now = self.model.core.clock.wall()
        t = self.manual_time.time()
        claimed = latest_at(now, t.hour(), t.minute())
        try:
            stored = self.model.manual(str(worker), direction, claimed)
        except GenbaError as exc:
            self._failed(exc)
            return
        self._say(translate("Kiosk", "Recorded for approval (record #%1).").replace("%1", str(stored.seq)))

    def _toggle_theme(self) -> None:
        theme = "dark" if self.model.theme == "light" else "light"
        try:
            self.model.set_theme(theme)
        except OSError as exc:
            self._say(translate("Kiosk", "Not done: %1").replace("%1", str(exc)))
            return
        self._say(translate("Kiosk", "Daylight screen: on") if theme == "light"
                  else translate("Kiosk", "Daylight screen: off"))
        self.theme_button.setChecked(theme == "light")

    def _set_mode(self, mode: GateMode) -> None:
        try:
            self.model.set_mode(mode)
        except (GenbaError, OSError) as exc:
            self._say(str(exc))
            return
        self._say(translate("Kiosk", "Mode: %1").replace("%1", texts.mode(mode)))

    # -- child processes --------------------------------------------------------------------------
    def _root(self) -> Path | None:
        return self.model.core.root

    def sync_now(self) -> None:
        root = self._root()
        if root is not None:
            self.runner.run(commands.sync_now(root), translate("Kiosk", "Sync now"))

    def export_usb(self) -> None:
        root = self._root()
        if root is None:
            return
        chosen = self._selected(self.drives)
        drives = [d for d in mounted_drives() if d.writable]
        self.drives.clear()
        for d in drives:
            item = QListWidgetItem(str(d.path))
            item.setData(ROLE, str(d.path))
            self.drives.addItem(item)
        self.drives.setVisible(bool(drives))
        if not drives:
            self._say(translate("Kiosk", "No USB drive found. Insert a USB drive and press Export again."))
            return
        if chosen is None and len(drives) > 1:
            self._say(translate("Kiosk", "Several drives found: choose one, then press Export again."))
            return
        target = Path(str(chosen)) if chosen is not None else drives[0].path
        self.runner.run(commands.export_to(root, export_folder(target)), translate("Kiosk", "Export to USB"))
