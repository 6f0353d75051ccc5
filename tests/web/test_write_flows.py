"""The console's write flows over HTTP on SQLite and on PostgreSQL (``database_url`` runs each test on both):
sign-in, roster add and CSV import, a correction filed and approved, users created and revoked, alarm
thresholds — each refused input stores nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from server.app import create_app
from server.domain import structure as st
from server.domain.registry import Company, Site, Worker
from server.store import console_store as store
from server.store import domain_records as rec
from server.store import domain_schema as dom
from server.store.engine import write_transaction
from tests.web.conftest import csrf_of, sign_in
from tests.web.world import WebWorld, add_console_user, build

PRIME, SUB, SITE = "10000000000001", "20000000000001", "90000000000001"
W1, W2 = "50000000000001", "50000000000002"


@pytest.fixture
def world(tmp_path: Path, database_url: str) -> Iterator[WebWorld]:
    w = build(tmp_path / "server", database_url, seed=False)
    now = w.ctx.now()
    with write_transaction(w.ctx.engine) as conn:
        rec.add_company(conn, Company(PRIME, "元請建設(株)", origin="ccus"))
        rec.add_company(conn, Company(SUB, "下請工業(株)", origin="ccus"))
        rec.add_site(conn, Site(SITE, "テスト現場", PRIME), at=now - timedelta(days=60))
        s, change = st.invite(rec.load_structure(conn, SITE), parent=rec.load_structure(conn, SITE).prime.member,
                              by=PRIME, company=SUB, name="下請工業(株)", at=now - timedelta(days=59))
        rec.record_change(conn, change)
        _s, approved = st.approve(s, member=change.member, by=SUB, at=now - timedelta(days=58))
        rec.record_change(conn, approved)
        for wid, name in ((W1, "技能 一郎"), (W2, "技能 二郎")):
            rec.add_worker(conn, Worker(wid, name, "ギノウ", SUB, origin="ccus"))
    w.logins["prime"] = add_console_user(w.ctx, "prime", "元請 太郎", company=PRIME, login="prime")
    w.logins["company"] = add_console_user(w.ctx, "company", "下請 花子", company=SUB, login="sub")
    yield w
    w.ctx.close()


def _client(w: WebWorld, role: str) -> TestClient:
    c = TestClient(create_app(w.ctx.settings, context=w.ctx), base_url="http://genba.test")
    assert sign_in(c, w.logins[role]).status_code == 303  # type: ignore[attr-defined]
    return c


def _count(w: WebWorld, table: sa.Table) -> int:
    with w.ctx.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_roster_add_and_csv_import_store_all_or_nothing(world: WebWorld) -> None:
    c = _client(world, "company")
    page = c.get(f"/sites/{SITE}/roster")
    bad = c.post(f"/sites/{SITE}/roster", data={"csrf": csrf_of(page.text), "worker": W1, "valid_from": "2026-11-10",
                                                "valid_to": "2026-11-01"})
    assert bad.status_code == 422 and _count(world, dom.roster) == 0
    ok = c.post(f"/sites/{SITE}/roster", data={"csrf": csrf_of(page.text), "worker": W1, "valid_from": "2026-11-01",
                                               "trade_code": "0301", "trade_name": "鉄筋工", "position": "職長"},
                follow_redirects=False)
    assert ok.status_code == 303 and _count(world, dom.roster) == 1
    csv = f"worker,valid_from,position\n{W2},2026-11-01,作業員\n{W1},2026-11-05,作業員\n".encode()
    preview = c.post(f"/sites/{SITE}/roster/import", data={"csrf": csrf_of(page.text), "step": "store"},
                     files={"file": ("r.csv", csv, "text/csv")})
    assert preview.status_code == 422  # W1 overlaps its entry: the good W2 line is not stored either
    assert _count(world, dom.roster) == 1
    good = f"worker,valid_from,position\n{W2},2026-11-01,作業員\n".encode()
    stored = c.post(f"/sites/{SITE}/roster/import", data={"csrf": csrf_of(page.text), "step": "store"},
                    files={"file": ("r.csv", good, "text/csv")}, follow_redirects=False)
    assert stored.status_code == 303 and _count(world, dom.roster) == 2


def test_correction_filed_then_decided_once(world: WebWorld) -> None:
    sub = _client(world, "company")
    page = sub.get("/corrections")
    form = {"csrf": csrf_of(page.text), "site": SITE, "worker": W1, "work_day": "2026-11-18", "entry": "08:00",
            "reason": ""}
    assert sub.post("/corrections", data=form).status_code == 422 and _count(world, dom.corrections) == 0
    filed = sub.post("/corrections", data={**form, "reason": "カード忘れ"}, follow_redirects=False)
    assert filed.status_code == 303 and _count(world, dom.corrections) == 1
    path = filed.headers["location"].split("?")[0]
    prime = _client(world, "prime")
    detail = prime.get(path)
    decided = prime.post(path + "/approve", data={"csrf": csrf_of(detail.text), "note": "確認"},
                         follow_redirects=False)
    assert decided.status_code == 303
    again = prime.post(path + "/reject", data={"csrf": csrf_of(detail.text), "note": "やはり却下"})
    assert again.status_code == 422  # already decided: refused, nothing changed
    shown = prime.get(path).text  # its trail in the site's time (10:30 JST), not UTC's (01:30)
    assert shown.count("2026-11-20 10:30") == 2 and "01:30" not in shown and "<dd>08:00</dd>" in shown
    assert "<td>08:00</td>" in prime.get("/corrections").text  # the list too: the entry as filed, the site's time
    with world.ctx.engine.connect() as conn:
        assert conn.execute(sa.select(dom.corrections.c.status)).scalar_one() == "approved"


def test_users_created_changed_and_revoked_with_an_audit_trail(world: WebWorld) -> None:
    admin = _client(world, "admin")
    page = admin.get("/users")
    before = _count(world, dom.users)
    bad = admin.post("/users", data={"csrf": csrf_of(page.text), "name": "X", "login": "prime", "role": "company",
                                     "company": SUB})
    assert bad.status_code == 422 and _count(world, dom.users) == before  # the sign-in name is taken
    made = admin.post("/users", data={"csrf": csrf_of(page.text), "name": "New", "login": "new-sub",
                                      "role": "company", "company": SUB})
    assert made.status_code == 200 and "/set-password/" in made.text and _count(world, dom.users) == before + 1
    with world.ctx.engine.connect() as conn:
        uid = conn.execute(sa.select(dom.users.c.id).where(dom.users.c.name == "New")).scalar_one()
    assert admin.post(f"/users/{uid}/revoke", data={"csrf": csrf_of(page.text)},
                      follow_redirects=False).status_code == 303
    with world.ctx.engine.connect() as conn:
        actions = [e["action"] for e in store.audit_entries(conn)]
    assert actions[:2] == ["user_revoke", "user_create"]


def test_alarm_thresholds_are_checked_and_stored(world: WebWorld) -> None:
    admin = _client(world, "admin")
    page = admin.get("/settings/alarms")
    form = {"csrf": csrf_of(page.text), "silent_minutes": "45", "work_start_hour": "20", "work_end_hour": "19",
            "backlog_hours": "24", "clock_seconds": "120", "disk_free_mb": "500", "reader_errors_per_hour": "5"}
    assert admin.post("/settings/alarms", data=form).status_code == 422
    with world.ctx.engine.connect() as conn:
        assert store.thresholds(conn) == {}
    assert admin.post("/settings/alarms", data={**form, "work_start_hour": "6"},
                      follow_redirects=False).status_code == 303
    with world.ctx.engine.connect() as conn:
        assert store.thresholds(conn)["work_start_hour"] == 6


@pytest.mark.parametrize(("path", "kinds"), [
    ("/calendar?month=2026-11", ("calendar", "attendance", "monthly-totals", "labour")),
    ("/roster", ("roster", "roster-insurance")),
    ("", ("structure-chart", "structure-ledger", "subcontractors")),
])
def test_each_page_offers_its_own_reports_for_download(world: WebWorld, path: str, kinds: tuple[str, ...]) -> None:
    c = _client(world, "prime")
    html = c.get(f"/sites/{SITE}{path}").text
    for kind in kinds:
        for fmt in ("csv", "csv-cp932", "xlsx", "pdf"):
            assert f'href="/sites/{SITE}/reports/{kind}.{fmt}?month=2026-11"' in html, (kind, fmt)
    first = c.get(f"/sites/{SITE}/reports/{kinds[0]}.csv?month=2026-11")
    assert first.status_code == 200 and first.content.startswith(b"\xef\xbb\xbf")
    assert first.headers["content-type"].startswith("text/csv")
