"""The kiosk's manager mode pairs tablets: a QR code and a short code that work once, a list of paired
tablets, and a revoke button; the tablet's requests run on the Qt thread through the QtRunner."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.core import KioskCore
from kiosk.ui.model import KioskModel
from kiosk.ui.tablet import start_qt_tablet
from kiosk.ui.window import KioskWindow
from kiosk.web import TabletOptions, TabletServer
from shared.siterules import site_timezone
from shared.timefmt import local_when
from tests.tablet.conftest import UNKNOWN, make_site
from tests.tablet.test_headless_kiosk import free_port


@pytest.fixture
def window(tmp_path: Path, qtbot: QtBot) -> Iterator[tuple[KioskWindow, TabletServer]]:
    core = KioskCore.open(make_site(tmp_path / "gate"))
    model = KioskModel(core)
    server = start_qt_tablet(model, TabletOptions(port=free_port(), host="127.0.0.1"))
    assert server is not None
    win = KioskWindow(model)
    qtbot.addWidget(win)
    win.resize(1024, 600)
    win.show()
    try:
        yield win, server
    finally:
        server.stop()
        model.shutdown()
        core.close()


def off_thread(fn: Callable[[], Any], app: QApplication) -> Any:
    """Run ``fn`` on another thread while the Qt loop keeps turning (as the web server's threads do)."""
    box: dict[str, Any] = {}
    th = threading.Thread(target=lambda: box.setdefault("v", fn()))
    th.start()
    while th.is_alive():
        app.processEvents()
        th.join(0.01)
    return box.get("v")


def open_tablet_tab(win: KioskWindow) -> None:
    win.stack.setCurrentWidget(win.manager)
    win.manager.open()
    win.manager.tabs.setCurrentWidget(win.manager.tablet)


def test_the_code_on_the_manager_screen_pairs_a_tablet_once_and_the_tab_revokes_it(
        window: tuple[KioskWindow, TabletServer], qapp: QApplication) -> None:
    win, server = window
    open_tablet_tab(win)
    tab = win.manager.tablet
    code = tab.code_label.text()
    assert len(code) == 9 and code[4] == "-"
    assert tab.qr.pixmap() is not None and not tab.qr.pixmap().isNull()
    assert win.manager.tabs.tabText(win.manager.tabs.indexOf(tab)) == "タブレット"
    base = f"http://127.0.0.1:{server.port}"

    def pair_twice() -> tuple[int, int, int]:
        first = httpx.Client(base_url=base)
        ok = first.post("/pair", data={"code": code, "label": "所長のiPad"}).status_code
        again = httpx.post(f"{base}/pair", data={"code": code}).status_code
        return ok, again, first.get("/gates").status_code

    assert off_thread(pair_twice, qapp) == (303, 401, 200)
    tab.refresh()
    assert tab.sessions.count() == 1 and "所長のiPad" in tab.sessions.item(0).text()
    # paired at, in the site's hours (Tokyo) whatever this machine's zone (UTC here), written as the tablet does
    paired = server.app.access.sessions()[0].created
    assert tab.sessions.item(0).text() == f"所長のiPad · {local_when(paired, site_timezone('Asia/Tokyo'))}"
    tab.sessions.setCurrentRow(0)
    tab.revoke_button.click()
    assert tab.sessions.count() == 0
    assert server.app.access.sessions() == []


def test_a_tablet_action_runs_on_the_kiosk_thread_and_updates_the_screen(
        window: tuple[KioskWindow, TabletServer], qapp: QApplication, qtbot: QtBot) -> None:
    win, server = window
    from hardware.base import Tap

    win.model.handle(Tap(idm=UNKNOWN, reader="sim", mono_us=win.model.core.clock.boottime_us()))
    code = server.app.access.new_code().code
    base = f"http://127.0.0.1:{server.port}"

    def bind() -> int:
        c = httpx.Client(base_url=base)
        c.post("/pair", data={"code": code})
        token = c.get("/cards").text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        return c.post("/cards/bind", data={"csrf": token, "idm": UNKNOWN, "worker": "10000000000008"}).status_code

    with qtbot.waitSignal(win.model.today_changed, timeout=20_000):
        assert off_thread(bind, qapp) == 303
    assert win.model.core.today.bindings[UNKNOWN] == "10000000000008"
