"""At the gate (issue 12 item 8): the server's roster pull carries ``gate`` flags; syncd stores them in state.db;
a tap by such a worker is recorded and the kiosk warns them and lists them for the manager.

Real pieces throughout: the server app with the demo site (its 作業員名簿 fields: lapsed health checks, three
workers without new-entrant education), syncd's client and engine pulling through httpx, state.db on disk,
the kiosk's StateSiteView over it, the PySide6 window offscreen and the simulated card reader.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from hardware.sim import SimulatedReader
from kiosk.core import KioskCore
from kiosk.pipeline import OutcomeKind
from kiosk.state_view import StateSiteView
from kiosk.ui.model import KioskModel
from kiosk.ui.window import KioskWindow
from shared.journal import JournalReader
from shared.state import RosterWorker, StateReader, check_roster
from tests.e2e.harness import SITE, Device, Site, enrolled_device, running_site

WAIT_MS = 10_000


def server_roster(site: Site) -> dict[str, dict[str, Any]]:
    """The roster exactly as the server's pull serves it (what the kiosk should end up holding)."""
    ctx = site.app.state.genba
    with ctx.engine.connect() as conn:
        body = ctx.pull.roster(conn, SITE).as_dict()
    return {w["worker"]: w for w in body["workers"]}


class RosterRewriter(httpx.BaseTransport):
    """Hands every request to the real server; rewrites the roster's body with ``change`` (a forged pull)."""

    def __init__(self, site: Site, change: Any) -> None:
        self.site, self.change = site, change

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.site.transport.handle_request(request)
        if not request.url.path.endswith("/device/roster") or response.status_code != 200:
            return response
        body = json.loads(response.content)
        self.change(body["workers"])
        return httpx.Response(200, content=json.dumps(body).encode(),
                              headers={"content-type": "application/json", "etag": '"forged"'})


@contextmanager
def demo_site(tmp_path: Path) -> Iterator[tuple[Site, Device]]:
    from genba.cli.server_domain_demo import seed_demo

    with running_site(tmp_path) as site, enrolled_device(tmp_path, site) as dev:
        seed_demo(site.app.state.genba, tmp_path / "seed-kiosks", "2026-10")
        yield site, dev


def pull(dev: Device, transport: httpx.BaseTransport) -> None:
    with dev.syncd(transport) as engine:
        report = engine.run_once()
    assert report.ok and report.roster_changed, report.errors


def test_gate_flags_travel_from_the_server_pull_into_state_db(tmp_path: Path) -> None:
    with demo_site(tmp_path) as (site, dev):
        served = server_roster(site)
        pull(dev, site.transport)
        with StateReader(dev.data.state) as state:
            stored = {w.worker: w for w in state.roster()}
    assert set(stored) == set(served)
    for worker, entry in served.items():
        assert list(stored[worker].gate) == entry.get("gate", []), worker
    flagged = {w: s.gate for w, s in stored.items() if s.gate}
    assert {"expired"} <= {f for g in flagged.values() for f in g}
    assert any("education_missing" in g for g in flagged.values())
    assert len(flagged) < len(stored), "most workers carry no flag"


BAD_GATES: list[object] = [
    "expired", 7, {"expired": True}, ["expired", 3], ["EXPIRED"], ["expired", "drunk"], ["expired"] * 9,
    [None], ["education_missing\u0000"], ["x" * 10_000],
]
"""Forged or broken ``gate`` values, one per worker of one pull: text, number, object, mixed, wrong case,
unknown flag, too many, null, a NUL byte, oversized."""


def test_bad_gate_values_in_a_pull_are_ignored_and_named_the_roster_is_kept(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with demo_site(tmp_path) as (site, dev):
        served = server_roster(site)
        victims = dict(zip(sorted(served), BAD_GATES, strict=False))
        assert len(victims) == len(BAD_GATES)

        def forge(workers: list[dict[str, Any]]) -> None:
            for w in workers:
                if w["worker"] in victims:
                    w["gate"] = victims[w["worker"]]

        with caplog.at_level(logging.WARNING, logger="genba.syncd"):
            pull(dev, RosterRewriter(site, forge))
        with StateReader(dev.data.state) as state:
            stored = {w.worker: w for w in state.roster()}
            assert state.roster_etag() == '"forged"', "the roster was stored"
    assert set(stored) == set(served), "no worker lost"
    for worker, bad in victims.items():
        kept = isinstance(bad, list) and len(bad) <= 8
        known = [f for f in ("expired", "education_missing") if kept and f in bad]  # type: ignore[operator]
        assert list(stored[worker].gate) == known, f"only known flags survive: {bad!r}"[:80]
    notes = [r.getMessage() for r in caplog.records if "gate flag" in r.getMessage()]
    assert len(notes) == len(BAD_GATES), caplog.text
    assert all("worker #" in n and len(n) < 300 for n in notes), "each names the entry, none echoes 10 kB"
    for worker, entry in served.items():
        if worker not in victims:
            assert list(stored[worker].gate) == entry.get("gate", [])


def test_check_roster_keeps_known_flags_in_order_and_reports_the_rest() -> None:
    notes: list[tuple[int, str]] = []
    workers = check_roster([
        (1, {"worker": "10000000000001", "name": "A", "gate": ["education_missing", "expired", "expired"]}),
        (2, {"worker": "10000000000002", "name": "B", "gate": ["x"]}),
        (3, {"worker": "10000000000003", "name": "C"}),
    ], notes=notes)
    assert [w.gate for w in workers] == [("expired", "education_missing"), (), ()]
    assert notes == [(2, "unknown gate flag(s) ignored: 'x'")]
    assert RosterWorker("10000000000001", "A", gate=("expired",)).to_dict()["gate"] == ["expired"]


@pytest.fixture
def kiosk(tmp_path: Path, qtbot: QtBot) -> Iterator[tuple[Site, Device, KioskWindow, KioskModel, SimulatedReader]]:
    with demo_site(tmp_path) as (site, dev):
        pull(dev, site.transport)
        state = StateReader(dev.data.state)
        view = StateSiteView(state, fallback_site=SITE)
        core = KioskCore(root=dev.data.root, journal=dev.writer, site=view, clock=dev.clock)
        reader = SimulatedReader(clock=dev.clock)
        model = KioskModel(core)
        window = KioskWindow(model)
        qtbot.addWidget(window)
        window.resize(800, 480)
        window.show()
        with qtbot.waitSignal(model.idle_changed, timeout=WAIT_MS):
            model.attach_reader(reader)
        try:
            yield site, dev, window, model, reader
        finally:
            model.shutdown()
            model.back_to_japanese()
            state.close()


def tap(qtbot: QtBot, model: KioskModel, reader: SimulatedReader, idm: str) -> Any:
    with qtbot.waitSignal(model.outcome, timeout=WAIT_MS) as blocker:
        reader.tap(idm)
    return blocker.args[0]


def test_a_flagged_worker_is_recorded_warned_and_listed_for_the_manager(
    kiosk: tuple[Site, Device, KioskWindow, KioskModel, SimulatedReader], qtbot: QtBot, tmp_path: Path
) -> None:
    _site, dev, window, model, reader = kiosk
    roster = StateReader(dev.data.state).roster()
    uneducated = next(w for w in roster if w.idms and w.gate == ("education_missing",))
    expired = next(w for w in roster if w.idms and w.gate == ("expired",))
    clean = next(w for w in roster if w.idms and not w.gate and w.on_roster and w.trade and w.position)

    out = tap(qtbot, model, reader, uneducated.idms[0])
    assert out.kind is OutcomeKind.RECORDED and out.seq is not None, "the tap is recorded all the same"
    fb = window.feedback
    assert window.stack.currentWidget() is fb
    assert fb.property("tone") == "warn"
    assert fb.headline.text().startswith("入場")
    assert fb.detail.text() == "記録しました。今日も安全に。"
    assert "この現場の新規入場者教育をまだ受けていません。" in fb.warning.text()
    assert "作業を始める前に、現場責任者に申し出てください。" in fb.warning.text()
    assert fb.warning.isVisible()
    window.grab().save(str(tmp_path / "feedback-gate-warning-800x480.png"))
    assert (tmp_path / "feedback-gate-warning-800x480.png").stat().st_size > 10_000
    qtbot.mouseClick(fb, Qt.MouseButton.LeftButton)

    dev.clock.advance(300)
    out = tap(qtbot, model, reader, expired.idms[0])
    assert out.kind is OutcomeKind.RECORDED
    assert "健康診断または登録されている資格の有効期限が切れています。" in fb.warning.text()
    dev.clock.advance(300)
    out = tap(qtbot, model, reader, clean.idms[0])
    assert out.kind is OutcomeKind.RECORDED and fb.property("tone") != "warn" and not fb.warning.isVisible()

    with JournalReader(dev.data.journal) as journal:
        kinds = [(s.event.kind, s.event.direction) for s in journal.tail(10)]
    assert kinds == [("tap", "in")] * 3

    window.open_manager()
    m = window.manager
    assert m.gate_title.text() == "教育・資格の警告（2）"
    items = [m.gate_list.item(i).text() for i in range(m.gate_list.count())]
    assert items[0].startswith("⚠ 教育未実施\n") and uneducated.name in items[0]
    assert items[1].startswith("⚠ 健診・資格の期限切れ\n") and expired.name in items[1]
    assert not any(clean.name in i for i in items)
    window.grab().save(str(tmp_path / "manager-gate-warnings-800x480.png"))


def test_the_warning_in_english_and_in_the_workers_own_language(
    kiosk: tuple[Site, Device, KioskWindow, KioskModel, SimulatedReader], qtbot: QtBot
) -> None:
    _site, dev, window, model, reader = kiosk
    flagged = next(w for w in StateReader(dev.data.state).roster() if w.idms and "education_missing" in w.gate)
    qtbot.mouseClick(window.idle.english, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.language.buttons["en"], Qt.MouseButton.LeftButton)
    tap(qtbot, model, reader, flagged.idms[0])
    text = window.feedback.warning.text()
    assert "You have not had this site's new-entrant education (新規入場者教育) yet." in text
    assert "Before you start work, see the site manager." in text
    qtbot.mouseClick(window.feedback, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.idle.english, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.language.buttons["vi"], Qt.MouseButton.LeftButton)
    dev.clock.advance(400)
    tap(qtbot, model, reader, flagged.idms[0])
    assert "Trước khi bắt đầu làm việc, hãy gặp người quản lý công trường." in window.feedback.warning.text()


def test_the_flags_reach_state_db_from_a_uvicorn_server_through_the_cli(tmp_path: Path) -> None:
    """The whole way as deployed: ``genba server seed-demo``, the server under uvicorn, ``genba device enroll`` and
    ``genba syncd --once`` over HTTP; the uneducated workers in state.db are exactly those the server's tables say."""
    import datetime as dt
    import os
    import subprocess
    import sys

    import sqlalchemy as sa

    from shared.paths import DataDir
    from tests.e2e.live import REPO, LiveServer

    root = tmp_path / "server"
    root.mkdir()
    url = f"sqlite:///{root / 'server.db'}"
    env = {**os.environ, "GENBA_DATABASE_URL": url, "GENBA_LANG": "en"}
    seed = subprocess.run([sys.executable, "-m", "genba", "--data-dir", str(root), "server", "seed-demo",
                           "--month", "2026-10"], cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert seed.returncode == 0, seed.stderr[-2000:]
    live = LiveServer(root, url).start()
    try:
        device = DataDir.resolve(tmp_path / "device").ensure()
        base = [sys.executable, "-m", "genba", "--data-dir", str(device.root)]
        enroll = subprocess.run([*base, "device", "enroll", "--server", live.url, "--code", live.enrollment_code()],
                                cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
        assert enroll.returncode == 0, enroll.stdout + enroll.stderr
        def site_today() -> str:
            return dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=9))).date().isoformat()

        days = {site_today()}
        sync = subprocess.run([*base, "syncd", "--once"], cwd=REPO, env=env, capture_output=True, text=True,
                              timeout=300)
        assert sync.returncode == 0, sync.stdout + sync.stderr
        days.add(site_today())  # the pull happened on one of these (two only across midnight in Tokyo)
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            expected = [{r[0] for r in conn.execute(sa.text(
                "SELECT DISTINCT worker FROM dom_roster WHERE site = :s AND valid_from <= :d "
                "AND (valid_to IS NULL OR valid_to >= :d) "
                "AND worker NOT IN (SELECT worker FROM rep_education WHERE site = :s)"), {"s": SITE, "d": d})}
                for d in sorted(days)]
        engine.dispose()
    finally:
        live.stop()
    with StateReader(device.state) as state:
        roster = state.roster()
    assert len(roster) > 50 and all(expected)
    assert {w.worker for w in roster if "education_missing" in w.gate} in expected
    assert any("expired" in w.gate for w in roster)
