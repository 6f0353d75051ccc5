"""Manager mode's "隣のゲート" tab on the kiosk's touch screen: two gates pair for real (each shows its code,
the other types it on the on-screen keypad), wrong, expired and locked codes say so, and a sibling alarm shows
what happened, which gate and what to do. Screenshots of the tab at every kiosk size in docs/screenshots/.

Real kiosk cores and Qt windows (offscreen), the real ``genba siblings pair-code/pair --json`` child processes
the tab runs, the sibling servers of both gates' syncd on loopback sockets, real state.db and key files."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractButton, QApplication
from pytestqt.qtbot import QtBot

from hardware.base import Tap
from kiosk.core import KioskCore
from kiosk.ui.manager_keypad import BACKSPACE
from kiosk.ui.manager_siblings import SiblingsPage
from kiosk.ui.model import KioskModel
from kiosk.ui.theme import MIN_TOUCH_PX, SCREEN_SIZES
from kiosk.ui.window import KioskWindow
from shared.canonical import canonical_bytes
from shared.device import load_identity
from shared.journal import JournalReader
from shared.keys import SigningKey
from shared.paths import DataDir
from shared.state import StateWriter
from syncd.errors import PairRefused, SiblingForged
from syncd.siblings import (
    Keyring,
    SiblingConfig,
    SiblingExchange,
    SiblingServer,
    SiblingService,
    pair_with,
    paired_keys,
)
from tests.tablet.conftest import SITE, card, make_site

SHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
WAIT_MS = 90_000


class ShiftedClock:
    """The wall clock, plus an offset a test can move (the pairing code's expiry on gate A's syncd)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def wall(self) -> datetime:
        return datetime.now().astimezone() + self.offset

    def boottime_us(self) -> int:
        return 0

    def boot_id(self) -> str:
        return "00000000-0000-4000-8000-000000000001"


class Gate:
    """A kiosk window and its syncd's sibling server (configured in siblings.toml, as the CLI reads it)."""

    def __init__(self, root: Path, qtbot: QtBot) -> None:
        self.data = make_site(root)
        ident = load_identity(self.data)
        assert ident is not None
        self.identity = ident
        self.key = SigningKey.load(self.data.device_key(ident.epoch))
        self.clock = ShiftedClock()
        self.keyring = Keyring(self.data, self.data.state)
        self.server = SiblingServer(SiblingService(self.data, ident, self.key, self.keyring, site=lambda: SITE,
                                                   clock=self.clock), "127.0.0.1", 0).start()
        (self.data.root / "siblings.toml").write_text(
            f'port = {self.server.port}\nlisten = "127.0.0.1"\nmdns = false\n')
        self.core = KioskCore.open(self.data)
        self.model = KioskModel(self.core)
        self.window = KioskWindow(self.model)
        qtbot.addWidget(self.window)
        self.window.resize(1024, 600)
        self.window.show()
        self.qtbot = qtbot

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server.port}"

    @property
    def page(self) -> SiblingsPage:
        return self.window.manager.siblings

    def open_tab(self) -> SiblingsPage:
        self.window.open_manager()
        self.window.manager.tabs.setCurrentWidget(self.page)
        self.page.back()
        return self.page

    def wait(self) -> None:
        self.qtbot.waitUntil(lambda: self.page.proc is None, timeout=WAIT_MS)

    def type_keys(self, text: str) -> None:
        for ch in text:
            self.page.keypad.buttons[ch].click()

    def pull(self, other: Gate) -> SiblingExchange:
        state = StateWriter.open(self.data.state)
        ex = SiblingExchange(self.data, self.identity, self.key, state,
                             SiblingConfig(peers=(other.address,), port=0, mdns=False), self.keyring)
        self._open = (ex, state)
        ex.run_once()
        return ex

    def close(self) -> None:
        if hasattr(self, "_open"):
            self._open[0].close()
            self._open[1].close()
        self.server.stop()
        self.model.shutdown()
        self.core.close()


@pytest.fixture
def gates(tmp_path: Path, qtbot: QtBot) -> Iterator[tuple[Gate, Gate]]:
    a, b = Gate(tmp_path / "a", qtbot), Gate(tmp_path / "b", qtbot)
    try:
        yield a, b
    finally:
        a.close()
        b.close()


def shown_code(a: Gate) -> str:
    page = a.open_tab()
    page.show_code_button.click()
    a.wait()
    code = page.code_show.text()
    assert len(code) == 11 and code[5] == "-", code
    return code


def enter(b: Gate, address: str | None, code: str) -> str:
    page = b.page
    if b.window.manager.tabs.currentWidget() is not page or page.views.currentWidget() is not page.enter_page:
        b.open_tab()
        page.enter_button.click()
    if address is not None:
        page.address_field.click()
        assert set(page.keypad.buttons) == {*"0123456789.:", BACKSPACE}  # digits for an address
        while page.address:
            page.keypad.buttons[BACKSPACE].click()
        b.type_keys(address)
    page.code_field.click()
    assert "I" not in page.keypad.buttons and "0" not in page.keypad.buttons and "K" in page.keypad.buttons
    while page.typed:
        page.keypad.buttons[BACKSPACE].click()
    b.type_keys(code.replace("-", ""))
    page.pair_button.click()
    b.wait()
    return b.window.manager.message.text()


def test_two_gates_pair_on_their_touch_screens_and_wrong_expired_locked_codes_say_so(
        gates: tuple[Gate, Gate], qapp: QApplication) -> None:
    a, b = gates
    # B has seen A on the LAN (syncd's exchange is refused: the gates do not know each other's keys yet)
    b.pull(a)
    code = shown_code(a)
    assert a.address in a.page.code_info.text() and "1回限り" in a.page.code_info.text()
    # the code's end, written by `genba siblings pair-code --json` with this machine's offset, in the site's hours
    shown_code_json = a.page.code
    assert shown_code_json is not None
    a.page.code = {**shown_code_json, "expires": "2026-11-19T21:40:00+00:00"}
    a.page._code_words()
    assert "06:40 まで有効" in a.page.code_info.text()  # 21:40 on a UTC machine is 06:40 in Tokyo
    a.page.code = shown_code_json
    a.page._code_words()
    b.open_tab()
    b.page.enter_button.click()
    b.page.address_field.click()
    assert [x.text() for x in b.page.found_buttons] == [a.address]  # one tap takes the address syncd saw
    b.page.found_buttons[0].click()
    assert b.page.address == a.address and b.page.field == "code"
    # a wrong code
    wrong = "AAAAA-BBBBB" if code != "AAAAA-BBBBB" else "CCCCC-DDDDD"
    said = enter(b, None, wrong)
    assert said.startswith("⚠ コードが違います"), said
    assert paired_keys(a.data) == {} and paired_keys(b.data) == {}
    # the right one: both gates know each other's key
    said = enter(b, None, code)
    assert said == f"ペアリングしました: {a.address}", said
    assert set(paired_keys(a.data)) == {(b.identity.device, 1)}
    assert set(paired_keys(b.data)) == {(a.identity.device, 1)}
    assert b.page.views.currentWidget() is b.page.overview
    # used once: the same code again is refused
    assert enter(b, None, code).startswith("⚠ コードが違います")
    # an expired code says to show a new one
    code = shown_code(a)
    a.clock.offset = timedelta(minutes=11)
    said = enter(b, a.address, code)
    assert said.startswith("⚠ コードの期限切れです") and "新しいコード" in said, said
    a.clock.offset = timedelta()
    # five wrong codes lock pairing on A until it shows a new code
    code = shown_code(a)
    for _ in range(5):
        with pytest.raises(PairRefused):
            pair_with(b.data, b.identity, b.key, a.address, "ZZZZZ-ZZZZZ", site=None, now=datetime.now().astimezone())
    said = enter(b, a.address, code)
    assert said.startswith("⚠ ロックされました"), said
    # an address nobody answers on, in English (the manager's one tap)
    b.model.use_english_for_next_tap()
    b.window.manager.retranslate()
    assert b.page.pair_button.text() == "Pair"
    said = enter(b, "127.0.0.1:9", code)
    assert said.startswith("⚠ Cannot reach the other gate"), said
    said = enter(b, "1.2.3.4:99999", code)
    assert said.startswith("⚠ Not an address"), said
    b.model.back_to_japanese()


def test_sibling_alarms_show_what_happened_which_gate_and_what_to_do(gates: tuple[Gate, Gate],
                                                                    qapp: QApplication, qtbot: QtBot) -> None:
    a, b = gates
    # the gates paired through their tabs
    code = shown_code(a)
    assert enter(b, a.address, code).startswith("ペアリングしました")
    a.core.on_event(Tap(idm=card(1), reader="sim", mono_us=a.core.clock.boottime_us()))
    ex = b.pull(a)
    page = b.open_tab()
    assert page.alarm_list.item(0).text() == "警報はありません。"
    assert b.window.manager.tabs.tabText(b.window.manager.tabs.indexOf(page)) == "隣のゲート"
    # A sends a batch someone altered: refused, kept as an alarm, shown in manager mode
    with JournalReader(a.data.journal) as journal:
        genuine = journal.batch(1, 1)
    assert genuine is not None
    obj = json.loads(genuine.to_bytes())
    obj["events"][0] = obj["events"][0].replace('"direction":"in"', '"direction":"out"')
    with pytest.raises(SiblingForged):
        ex.accept(a.address, canonical_bytes(obj))
    b.model.today_changed.emit()
    page.refresh()
    tabs = b.window.manager.tabs
    assert tabs.tabText(tabs.indexOf(page)) == "隣のゲート ⚠1"
    text = page.alarm_list.item(0).text()
    assert text.startswith("⚠ 署名の合わない記録が届きました") and a.identity.device in text and a.address in text
    assert "管理者に連絡してください" in text
    peers = page.peer_list.item(0).text()
    assert a.address in peers and "受信 1 件" in peers
    # every view of the tab at every kiosk size (a window made at that size, as a kiosk's screen has one size):
    # it fits, its buttons are big enough to hit; the pictures for docs/
    for w, h in SCREEN_SIZES:
        win = KioskWindow(b.model)
        qtbot.addWidget(win)
        win.resize(w, h)
        win.show()
        win.open_manager()
        tab = win.manager.siblings
        win.manager.tabs.setCurrentWidget(tab)
        views = {"alarms": tab.back,
                 "code": lambda tab=tab: (tab.show_code_button.click(),  # type: ignore[misc]
                                          qtbot.waitUntil(lambda: tab.proc is None, timeout=WAIT_MS)),
                 "keypad": lambda tab=tab: (tab.back(), tab.enter_button.click(),  # type: ignore[misc]
                                            tab.code_field.click(),
                                            [tab.keypad.buttons[c].click() for c in "K7QX2M"]),
                 "address": lambda tab=tab: tab.address_field.click()}  # type: ignore[misc]
        for name, show in views.items():
            show()
            qapp.processEvents()
            assert (win.width(), win.height()) == (w, h), (name, w, h)
            for button in tab.findChildren(QAbstractButton):
                if button.isVisibleTo(win):
                    assert min(button.width(), button.height()) >= MIN_TOUCH_PX, (name, w, h, button.text())
            shot = win.grab()
            assert not shot.isNull() and (shot.width(), shot.height()) == (w, h)
            if os.environ.get("GENBA_WRITE_SCREENSHOTS") == "1":  # regenerate the pictures in docs/
                shot.save(str(SHOTS / f"manager-siblings-{name}-{w}x{h}.png"))
        win.close()
    assert DataDir.resolve(b.data.root).state.exists()
