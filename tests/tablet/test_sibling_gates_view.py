"""Two kiosks of one site, each with its tablet view and syncd's sibling exchange: the tablet of either gate
shows the whole site, and gate B's Gates view shows its sibling and the alarm for a forged batch.

Real kiosk cores (the journal's writers), real tablet servers, real sibling servers on loopback sockets, real
state.db files; Debian's Chromium with touch emulation for the pages (and the screenshot in docs/)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from shared.canonical import canonical_bytes
from shared.device import load_identity
from shared.journal import JournalReader
from shared.keys import SigningKey
from shared.state import StateWriter
from shared.state.siblings import set_sibling_keys
from shared.timefmt import JST
from syncd.errors import SiblingForged
from syncd.siblings import Keyring, SiblingConfig, SiblingExchange, SiblingServer, SiblingService
from tests.tablet.browser import TABLETS, chromium, pair, tablet
from tests.tablet.conftest import SITE, Kiosk, card, make_site

SHOTS = Path(__file__).parents[2] / "docs" / "screenshots" / "tablet"


class Gate:
    """A kiosk (core + tablet server) and its syncd's sibling parts."""

    def __init__(self, root: Path, clock: object) -> None:
        self.kiosk = Kiosk(make_site(root), clock).start()  # type: ignore[arg-type]
        data = self.kiosk.data
        self.data = data
        ident = load_identity(data)
        assert ident is not None
        self.identity = ident
        self.key = SigningKey.load(data.device_key(ident.epoch))
        self.state = StateWriter.open(data.state)
        self.keyring = Keyring(data, data.state)
        self.server = SiblingServer(SiblingService(data, ident, self.key, self.keyring, site=lambda: SITE),
                                    "127.0.0.1", 0).start()
        self.exchange: SiblingExchange | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server.port}"

    def pull(self, other: Gate) -> int:
        if self.exchange is None:
            self.exchange = SiblingExchange(self.data, self.identity, self.key, self.state,
                                            SiblingConfig(peers=(other.address,), port=0, mdns=False), self.keyring)
        report = self.exchange.run_once()
        assert not report.errors, report.errors
        return report.pulled

    def close(self) -> None:
        if self.exchange is not None:
            self.exchange.close()
        self.server.stop()
        self.server.service.close()
        self.state.close()
        self.kiosk.stop()


@pytest.fixture
def gates(tmp_path: Path) -> Iterator[tuple[Gate, Gate]]:
    from shared.clock import ManualClock

    clock = ManualClock(datetime(2026, 11, 20, 7, 30, tzinfo=JST))
    a, b = Gate(tmp_path / "gate-a", clock), Gate(tmp_path / "gate-b", clock)
    for me, other in ((a, b), (b, a)):
        set_sibling_keys(me.state, [(other.identity.device, other.identity.epoch, other.key.verifier.encode())],
                         source="server")
    yield a, b
    a.close()
    b.close()


def test_either_gates_tablet_shows_the_whole_site_and_b_shows_the_alarm(gates: tuple[Gate, Gate]) -> None:
    a, b = gates
    for n in (1, 2, 4):
        a.kiosk.tap(card(n), after_s=40)
    b.kiosk.tap(card(6), after_s=40)
    assert b.pull(a) == 3 and a.pull(b) == 1
    # worker 1 entered at A and leaves at B: B's kiosk decides an exit
    out = b.kiosk.tap(card(1), after_s=3600)
    assert out.direction == "out"
    assert a.pull(b) == 1
    # a forged batch (A's events with a card changed) reaches B: refused, kept as an alarm
    with JournalReader(a.data.journal) as journal:
        genuine = journal.batch(1, 1)
    assert genuine is not None
    batch = json.loads(genuine.to_bytes())
    batch["events"][0] = batch["events"][0].replace(card(1), card(7))
    with pytest.raises(SiblingForged):
        b.exchange.accept(a.address, canonical_bytes(batch))  # type: ignore[union-attr]
    with chromium() as browser:
        for g, other in ((a, b), (b, a)):
            ctx = tablet(browser, TABLETS["820x1180"])
            page = ctx.new_page()
            assert g.kiosk.server is not None
            pair(page, g.kiosk.url, g.kiosk.server.app.access.new_code().code)
            expect(page.locator(".total")).to_have_text("3")  # 2 and 4 (at A), 6 (at B); 1 left at B
            page.goto(f"{g.kiosk.url}/gates")
            expect(page.locator("section.gates")).to_contain_text(other.identity.device)
            if g is b:
                expect(page.locator(".alarm")).to_contain_text("隣のゲートの警報")
                expect(page.locator(".alarm")).to_contain_text("署名不一致")
                png = page.screenshot(full_page=True)
                if os.environ.get("GENBA_WRITE_SCREENSHOTS") == "1":  # regenerate the picture in docs/
                    (SHOTS / "gates-siblings-820x1180.png").write_bytes(png)
            else:
                expect(page.locator(".alarm")).to_have_count(0)
            ctx.close()
