"""Manager mode's "隣のゲート" tab: the site's other gates — their alarms, pairing with this gate's code, and
typing another gate's code on an on-screen keypad.

Pairing belongs to syncd, which the kiosk must not import (pyproject's import contracts): the tab runs the
documented commands as child processes, ``genba siblings pair-code --json`` (this gate's single-use code, its
expiry, the addresses to type on the other gate) and ``genba siblings pair ADDRESS CODE --json`` (the outcome
with its machine-readable code), so the touch screen never waits on the LAN. The alarms (sibling records refused
as forged, forked or of another site) come from state.db, which syncd writes. Words are Japanese, or English
after one tap (:func:`shared.messages.t`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QProcess, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk import commands
from kiosk.ui.manager_common import ROLE, ManagerPage, make_list
from kiosk.ui.manager_keypad import ADDRESS_KEYS, BACKSPACE, CODE_KEYS, Keypad
from kiosk.ui.manager_sibling_words import OUTCOMES, alarm_text, peer_text
from kiosk.ui.phrases import PhraseLabel
from kiosk.ui.theme import Metrics, named
from shared.messages import t
from shared.paths import DataDir
from shared.state import StateReader
from shared.state.siblings import SiblingAlarm, SiblingPeer, sibling_alarms, sibling_peers
from shared.timefmt import local_hm

SIBLING_PORT = 8781
CODE_LEN = 10


class SiblingsPage(ManagerPage):
    retitled = Signal(str)

    def build(self) -> None:
        self.proc: QProcess | None = None
        self.code: dict[str, Any] | None = None
        self.alarms: list[SiblingAlarm] = []
        self.peers: list[SiblingPeer] = []
        self.columns = 11
        self.views = QStackedWidget()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.views)
        self._build_overview()
        self._build_code()
        self._build_enter()

    def _build_overview(self) -> None:
        page = QWidget()
        self.alarm_title = QLabel()
        self.alarm_list = make_list()
        self.peer_title = QLabel()
        self.peer_list = make_list()
        self.show_code_button = QPushButton()
        self.show_code_button.clicked.connect(self.show_code)
        self.enter_button = named(QPushButton(), "entry")
        self.enter_button.clicked.connect(self.open_keypad)
        lists = self.row()
        for title, lst, share in ((self.alarm_title, self.alarm_list, 3), (self.peer_title, self.peer_list, 2)):
            col = QVBoxLayout()
            col.addWidget(title)
            col.addWidget(lst, 1)
            lists.addLayout(col, share)  # an alarm says more than a gate's line: it gets the wider column
        buttons = self.row()  # stacked on a portrait screen, where two long words side by side do not fit
        buttons.addWidget(self.show_code_button)
        buttons.addWidget(self.enter_button)
        col = QVBoxLayout(page)
        col.setContentsMargins(0, 0, 0, 0)
        col.addLayout(lists, 1)
        col.addLayout(buttons)
        self.overview = page
        self.views.addWidget(page)

    def _build_code(self) -> None:
        page = QWidget()
        self.code_title = QLabel()
        self.code_show = named(QLabel(), "pinshow")
        self.code_info = named(PhraseLabel(), "note")
        self.code_info.setWordWrap(True)
        self.new_code_button = QPushButton()
        self.new_code_button.clicked.connect(self.show_code)
        self.code_back = QPushButton()
        self.code_back.clicked.connect(self.back)
        buttons = QHBoxLayout()
        buttons.addWidget(self.code_back)
        buttons.addWidget(self.new_code_button)
        col = QVBoxLayout(page)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(self.code_title)
        col.addWidget(self.code_show)
        col.addWidget(self.code_info, 1)
        col.addLayout(buttons)
        self.code_page = page
        self.views.addWidget(page)

    def _build_enter(self) -> None:
        page = QWidget()
        self.enter_back = QPushButton()
        self.enter_back.clicked.connect(self.back)
        self.address_field = QPushButton()
        self.code_field = QPushButton()
        for field in (self.address_field, self.code_field):
            field.setCheckable(True)
        self.address_field.clicked.connect(lambda: self.edit("address"))
        self.code_field.clicked.connect(lambda: self.edit("code"))
        self.pair_button = named(QPushButton(), "entry")
        self.pair_button.clicked.connect(self.pair)
        top = self.row()  # one row on a landscape screen; stacked on a portrait one
        top.addWidget(self.enter_back)
        top.addWidget(self.address_field, 2)
        top.addWidget(self.code_field, 3)
        top.addWidget(self.pair_button)
        self.found = QHBoxLayout()  # gates syncd has seen on the LAN, one tap to take an address
        self.found_buttons: list[QPushButton] = []
        self.keypad = Keypad()
        self.keypad.pressed.connect(self.key)
        col = QVBoxLayout(page)
        col.setContentsMargins(0, 4, 0, 0)
        col.setSpacing(4)
        col.addLayout(top)
        col.addLayout(self.found)
        col.addWidget(self.keypad)
        col.addStretch(1)  # keys stay a glove tall; spare height of a portrait screen goes below them
        self.address = ""
        self.typed = ""
        self.field = "code"
        self.enter_page = page
        self.views.addWidget(page)

    # -- words ------------------------------------------------------------------------------------------
    def title(self) -> str:
        base = t("隣のゲート", "Other gates", self.model.lang)
        return f"{base} ⚠{len(self.alarms)}" if self.alarms else base

    def set_metrics(self, metrics: Metrics) -> None:
        super().set_metrics(metrics)
        self.columns = 8 if metrics.portrait else 11
        self.keypad.set_metrics(metrics)
        self._show_keys()

    def retranslate(self) -> None:
        lang = self.model.lang
        self.show_code_button.setText(t("このゲートのコード", "This gate's code", lang))
        self.enter_button.setText(t("相手のコードを入力", "Enter the other gate's code", lang))
        self.code_title.setText(t("このゲートのペアリングコード", "This gate's pairing code", lang))
        self.new_code_button.setText(t("新しいコード", "New code", lang))
        for b in (self.code_back, self.enter_back):
            b.setText(t("戻る", "Back", lang))
        self.pair_button.setText(t("ペアリング", "Pair", lang))
        self._fields()
        self._code_words()

    def _fields(self) -> None:
        lang = self.model.lang
        code = self.typed[:5] + ("-" + self.typed[5:] if len(self.typed) > 5 else "")
        self.address_field.setText(self.address or t("相手のアドレス", "Its address", lang))
        self.code_field.setText(code or t("相手のコード", "Its code", lang))
        self.address_field.setChecked(self.field == "address")
        self.code_field.setChecked(self.field == "code")

    def _code_words(self) -> None:
        lang = self.model.lang
        code = self.code
        if code is None:
            self.code_show.setText("—")
            return
        self.code_show.setText(str(code.get("code", "")))
        addresses = "、".join(code.get("addresses", [])) or t("（この機器のアドレスが見つかりません）",
                                                             "(no network address found)", lang)
        # written with this machine's offset by `genba siblings pair-code --json`; shown in the site's hours
        expires = local_hm(str(code.get("expires", "")), self.model.core.today.tz)
        self.code_info.setText(t(
            f"相手のゲートの「隣のゲート」→「相手のコードを入力」で、このコードとアドレス {addresses} を"
            f"入力してください。{expires} まで有効・1回限り。",
            f"On the other gate, open Other gates → Enter the other gate's code and type this code and the address "
            f"{addresses}. Valid until {expires}, once.", lang))

    # -- content ----------------------------------------------------------------------------------------
    def _read(self) -> tuple[list[SiblingAlarm], list[SiblingPeer]]:
        root = self.model.core.root
        if root is None:
            return [], []
        path = DataDir.resolve(root).state
        if not path.exists():
            return [], []
        try:
            with StateReader(path) as reader:
                return sibling_alarms(reader), sibling_peers(reader)
        except Exception:  # state.db being made or damaged: the kiosk's idle screen reports that
            return [], []

    def refresh(self) -> None:
        lang = self.model.lang
        self.alarms, self.peers = self._read()
        self.alarm_title.setObjectName("problem" if self.alarms else "")
        self.alarm_title.setStyleSheet("")  # re-read the role's style
        self.alarm_title.setText(t(f"警報（{len(self.alarms)}）", f"Alarms ({len(self.alarms)})", lang))
        self.alarm_list.clear()
        for a in self.alarms:
            item = QListWidgetItem(alarm_text(a, lang, self.model.core.today.tz))
            item.setData(ROLE, a.id)
            self.alarm_list.addItem(item)
        if not self.alarms:
            self.alarm_list.addItem(t("警報はありません。", "No alarms.", lang))
        self.peer_title.setText(t(f"隣のゲート（{len(self.peers)}）", f"Sibling gates ({len(self.peers)})", lang))
        self.peer_list.clear()
        for p in self.peers:
            item = QListWidgetItem(peer_text(p, lang))
            item.setData(ROLE, p.address)
            self.peer_list.addItem(item)
        self.retitled.emit(self.title())  # the tab shows the number of alarms
        self._found()

    def _found(self) -> None:
        for b in self.found_buttons:
            self.found.removeWidget(b)
            b.hide()
            b.deleteLater()
        self.found_buttons = []
        for p in [p for p in self.peers if p.last_error_code in ("sibling_refused", "sibling_unknown_key")][:3]:
            b = QPushButton(p.address)
            b.clicked.connect(lambda _=False, a=p.address: self._take_address(a))
            self.found.addWidget(b)
            self.found_buttons.append(b)
            b.setVisible(self.field == "address")

    # -- navigation and typing --------------------------------------------------------------------------
    def back(self) -> None:
        self.views.setCurrentWidget(self.overview)
        self.refresh()

    def open_keypad(self) -> None:
        self.typed = ""
        self.field = "address" if not self.address else "code"
        self.views.setCurrentWidget(self.enter_page)
        self._show_keys()
        self._fields()

    def edit(self, field: str) -> None:
        self.field = field
        self._show_keys()
        self._fields()

    def _show_keys(self) -> None:
        address = self.field == "address"
        self.keypad.show_keys(ADDRESS_KEYS if address else CODE_KEYS, 7 if address else self.columns)
        for b in self.found_buttons:
            b.setVisible(address)

    def _take_address(self, address: str) -> None:
        self.address = address
        self.edit("code")

    def key(self, key: str) -> None:
        if self.field == "address":
            self.address = self.address[:-1] if key == BACKSPACE else (self.address + key)[:40]
        elif key == BACKSPACE:
            self.typed = self.typed[:-1]
        elif len(self.typed) < CODE_LEN:
            self.typed += key
        self._fields()

    # -- the commands ---------------------------------------------------------------------------------
    def _run(self, args: list[str], done: Callable[[int, dict[str, Any]], None]) -> bool:
        root = self.model.core.root
        if root is None:
            return False
        if self.proc is not None:
            self.say(t("前の操作がまだ終わっていません。お待ちください。", "Please wait: the previous action is still "
                       "running.", self.model.lang))
            return False
        proc = QProcess(self)
        argv = commands.genba(root, *args)

        def finished(code: int, _status: object = None) -> None:
            if self.proc is not proc:
                return
            self.proc = None
            out = bytes(proc.readAllStandardOutput().data()).decode("utf-8", "replace")
            try:
                result = json.loads(commands.last_line(out) or "{}")
            except json.JSONDecodeError:
                result = {}
            if not isinstance(result, dict):
                result = {}
            if not result and code != 0:
                err = bytes(proc.readAllStandardError().data()).decode("utf-8", "replace")
                result = {"ok": False, "code": "failed", "message": commands.last_line(err) or proc.errorString()}
            done(code, result)
            proc.deleteLater()

        proc.finished.connect(finished)
        proc.errorOccurred.connect(lambda _e: finished(-1))
        self.proc = proc
        proc.start(argv[0], argv[1:])
        return True

    def show_code(self) -> None:
        lang = self.model.lang
        self.views.setCurrentWidget(self.code_page)
        self.code_show.setText("…")

        def done(code: int, result: dict[str, Any]) -> None:
            if code != 0 or "code" not in result or not isinstance(result.get("addresses"), list):
                self.code = None
                self._code_words()
                self.code_info.setText(t("コードを作れませんでした: ", "Could not make a code: ", lang)
                                       + str(result.get("message", "")))
                return
            self.code = result
            self._code_words()
            self.say(t("コードを表示しました（10分間・1回限り）。", "Code shown (10 minutes, once).", lang))

        self._run(["siblings", "pair-code", "--json"], done)

    def pair(self) -> None:
        lang = self.model.lang
        address = self.address.strip()
        if address and ":" not in address:
            address = f"{address}:{SIBLING_PORT}"
        if not address or len(self.typed) != CODE_LEN:
            self.say(t("相手のアドレスと10文字のコードを入力してください。",
                       "Type the other gate's address and its 10-character code.", lang))
            return
        code = f"{self.typed[:5]}-{self.typed[5:]}"
        self.say(t("ペアリングしています…", "Pairing…", lang))

        def done(exit_code: int, result: dict[str, Any]) -> None:
            if exit_code == 0 and result.get("ok"):
                self.typed = ""
                self.say(t(f"ペアリングしました: {address}", f"Paired with {address}.", lang))
                self.back()
                return
            words = OUTCOMES.get(str(result.get("code")))
            detail = t(words[0], words[1], lang) if words else (
                t("ペアリングできませんでした: ", "Pairing failed: ", lang) + str(result.get("message", "")))
            self.say("⚠ " + detail)
            if result.get("code") in ("sibling_pair_refused", "sibling_pair_expired", "sibling_pair_locked"):
                self.typed = ""
                self.edit("code")

        self._run(["siblings", "pair", address, code, "--json"], done)
