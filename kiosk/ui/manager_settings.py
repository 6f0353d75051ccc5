"""Manager mode's settings tab: gate mode, sync now, export to USB, daylight screen, restart, health.

Sync and export run the documented ``genba`` commands as child processes (:mod:`kiosk.ui.runner`) so the
screen never freezes on a slow network or disk.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QButtonGroup, QGridLayout, QLabel, QListWidgetItem, QPushButton, QVBoxLayout

from kiosk import commands
from kiosk.direction import GateMode
from kiosk.ui import texts
from kiosk.ui.manager_common import ROLE, ManagerPage, make_list, selected, translate
from kiosk.ui.phrases import PhraseLabel
from kiosk.ui.runner import CommandRunner
from kiosk.ui.theme import named
from kiosk.usb import export_folder, mounted_drives
from shared.errors import GenbaError


class SettingsPage(ManagerPage):
    def build(self) -> None:
        self.runner = CommandRunner(self)
        self.runner.message.connect(lambda text: self.say(text))
        self.runner.finished.connect(lambda _code: self.model.idle_changed.emit())
        self.mode_title = QLabel()
        self.mode_buttons: dict[GateMode, QPushButton] = {}
        group = QButtonGroup(self)
        modes = self.row()
        for m in GateMode:
            b = QPushButton()
            b.setCheckable(True)
            b.clicked.connect(lambda _=False, mode=m: self.set_mode(mode))
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
        self.theme_button.clicked.connect(self.toggle_theme)
        self.drives = make_list()
        self.health = named(PhraseLabel(), "note")
        actions = QGridLayout()  # two by two: four words side by side do not fit a 7" screen
        for i, button in enumerate((self.sync_button, self.export_button, self.theme_button, self.restart_button)):
            actions.addWidget(button, i // 2, i % 2)
        col = QVBoxLayout(self)
        col.addWidget(self.mode_title)
        col.addLayout(modes)
        col.addLayout(actions)
        col.addWidget(self.health)
        col.addWidget(self.drives, 1)
        col.addStretch(0)
        self.drives.hide()  # shown once Export has found drives to choose from

    def retranslate(self) -> None:
        self.mode_title.setText(translate("Kiosk", "Gate mode"))
        for m, b in self.mode_buttons.items():
            b.setText(texts.mode(m))
        self.sync_button.setText(translate("Kiosk", "Sync now"))
        self.export_button.setText(translate("Kiosk", "Export to USB"))
        self.restart_button.setText(translate("Kiosk", "Restart kiosk"))
        self.theme_button.setText(translate("Kiosk", "Daylight screen"))

    def refresh(self) -> None:
        mode = self.model.core.pipeline.mode
        for m, b in self.mode_buttons.items():
            b.setChecked(m is mode)
        self.theme_button.setChecked(self.model.theme == "light")
        problems = self.model.idle().problems
        minimum = self.model.core.site.settings().min_app_version
        self.health.setText("\n".join("⚠ " + texts.problem(p, minimum) for p in problems) if problems
                            else translate("Kiosk", "No problems found."))

    def toggle_theme(self) -> None:
        theme = "dark" if self.model.theme == "light" else "light"
        try:
            self.model.set_theme(theme)
        except OSError as exc:
            self.say(translate("Kiosk", "Not done: %1").replace("%1", str(exc)))
            return
        self.say(translate("Kiosk", "Daylight screen: on") if theme == "light"
                 else translate("Kiosk", "Daylight screen: off"))
        self.theme_button.setChecked(theme == "light")

    def set_mode(self, mode: GateMode) -> None:
        try:
            self.model.set_mode(mode)
        except (GenbaError, OSError) as exc:
            self.say(str(exc))
            return
        self.say(translate("Kiosk", "Mode: %1").replace("%1", texts.mode(mode)))

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
        chosen = selected(self.drives)
        drives = [d for d in mounted_drives() if d.writable]
        self.drives.clear()
        for d in drives:
            item = QListWidgetItem(str(d.path))
            item.setData(ROLE, str(d.path))
            self.drives.addItem(item)
        self.drives.setVisible(bool(drives))
        if not drives:
            self.say(translate("Kiosk", "No USB drive found. Insert a USB drive and press Export again."))
            return
        if chosen is None and len(drives) > 1:
            self.say(translate("Kiosk", "Several drives found: choose one, then press Export again."))
            return
        target = Path(str(chosen)) if chosen is not None else drives[0].path
        self.runner.run(commands.export_to(root, export_folder(target)), translate("Kiosk", "Export to USB"))
