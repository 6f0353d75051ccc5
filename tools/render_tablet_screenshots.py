"""Screenshots of every tablet view at the three tablet sizes, portrait and landscape, plus the printed roll call.

    uv run python tools/render_tablet_screenshots.py [OUT_DIR]      # default docs/screenshots/tablet

Runs the scene of the browser tests (a kiosk with three earlier working days and today at 18:20) in
Debian's Chromium with touch emulation; the printed roll call is Chromium's A4 PDF turned into a PNG
with poppler's pdftoppm.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.tablet.browser import TABLETS, chromium, pair, tablet  # noqa: E402
from tests.tablet.scene import busy_site  # noqa: E402

VIEWS = {"rollcall": "/rollcall", "today": "/today", "cards": "/cards", "corrections": "/corrections",
         "gates": "/gates", "roster": "/roster"}


def render(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        kiosk = busy_site(Path(tmp) / "gate-a")
        assert kiosk.server is not None
        try:
            with chromium() as browser:
                for name, (w, h) in TABLETS.items():
                    for size in ((w, h), (h, w)):
                        ctx = tablet(browser, size)
                        page = ctx.new_page()
                        page.goto(f"{kiosk.url}/pair")
                        shot = out / f"pair-{size[0]}x{size[1]}.png"
                        page.screenshot(path=str(shot), full_page=True)
                        written.append(shot)
                        pair(page, kiosk.url, kiosk.server.app.access.new_code().code)
                        for view, path in VIEWS.items():
                            page.goto(kiosk.url + path)
                            shot = out / f"{view}-{size[0]}x{size[1]}.png"
                            page.screenshot(path=str(shot), full_page=True)
                            written.append(shot)
                        if size == (w, h) and name == "820x1180":
                            page.goto(kiosk.url + "/rollcall?lang=en")
                            shot = out / f"rollcall-en-{w}x{h}.png"
                            page.screenshot(path=str(shot), full_page=True)
                            written.append(shot)
                            page.goto(kiosk.url + "/rollcall?lang=ja")
                            pdf = Path(tmp) / "rollcall.pdf"
                            page.emulate_media(media="print")
                            page.pdf(path=str(pdf), format="A4", print_background=True)
                            subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf),
                                            str(out / "rollcall-print-a4")], check=True)
                            written.append(out / "rollcall-print-a4.png")
                        ctx.close()
                # last: the kiosk goes away while the roll call is open
                ctx = tablet(browser, TABLETS["820x1180"])
                page = ctx.new_page()
                pair(page, kiosk.url, kiosk.server.app.access.new_code().code)
                kiosk.server.stop()
                page.evaluate("() => { htmx.ajax('GET', '/rollcall?part=list', {target: '#rollcall-list', "
                              "swap: 'outerHTML'}).catch(() => null); return 1; }")
                page.wait_for_selector("#stale:not([hidden])")
                shot = out / "rollcall-unreachable-820x1180.png"
                page.screenshot(path=str(shot), full_page=True)
                written.append(shot)
                ctx.close()
        finally:
            kiosk.stop()
    return written


def render_kiosk_tab(out: Path) -> list[Path]:
    """The pairing tab of the kiosk's manager mode (Qt, offscreen) at the kiosk's two landscape sizes."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from kiosk.core import KioskCore
    from kiosk.ui.model import KioskModel
    from kiosk.ui.tablet import start_qt_tablet
    from kiosk.ui.window import KioskWindow
    from kiosk.web import TabletOptions
    from tests.tablet.conftest import make_site
    from tests.tablet.test_headless_kiosk import free_port

    app = QApplication.instance() or QApplication([])
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        core = KioskCore.open(make_site(Path(tmp) / "gate"))
        model = KioskModel(core)
        server = start_qt_tablet(model, TabletOptions(port=free_port(), host="127.0.0.1"))
        assert server is not None
        server.app.access._open_session(label="所長のタブレット", via="code", address="192.168.10.23")
        win = KioskWindow(model)
        try:
            for size in ((800, 480), (1024, 600)):
                win.resize(*size)
                win.show()
                win.stack.setCurrentWidget(win.manager)
                win.manager.open()
                win.manager.tabs.setCurrentWidget(win.manager.tablet)
                win.manager.tablet.refresh()
                app.processEvents()
                shot = out / f"kiosk-pairing-{size[0]}x{size[1]}.png"
                win.grab().save(str(shot))
                written.append(shot)
        finally:
            win.close()
            server.stop()
            model.shutdown()
            core.close()
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots" / "tablet"
    for path in [*render(target), *render_kiosk_tab(target)]:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
