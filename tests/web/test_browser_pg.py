"""The console's write flows in Debian's Chromium against a real server on PostgreSQL (issue 13's PostgreSQL leg).

The SQLite leg walks every page and role (test_browser_fleet.py, test_browser_sites.py); this module walks the
write flows once more on a throwaway PostgreSQL cluster (tests/pg.py), in a few scenarios, and checks what each
one stored in PostgreSQL: enrollment code (and a device enrolling with it over the API), gate rename,
revocation with its confirmation, alarm thresholds; invite, approve, place and replace a placeholder in the
structure; roster add, end, card binding and CSV import with its preview; a correction filed, rejected and
approved; users created, their role changed, a password reset and a revocation; report downloads. Every
refused form stores nothing.

The world is small (no month of taps: the SQLite leg has the demo site) so the module stays within seconds.
HTTP calls beside the browser use FastAPI's TestClient: a Playwright sync session runs an asyncio loop in this
thread, so tests/server's asyncio ``Api`` cannot run here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page

from server.app import create_app
from server.domain import structure as st
from server.domain.registry import Company, Site, Worker
from server.store import console_schema as web_t
from server.store import domain_records as rec
from server.store import domain_schema as dom
from server.store import schema as sync
from server.store.engine import write_transaction
from server.web.auth import Policy
from tests.pg import PgCluster
from tests.server.conftest import Kiosk
from tests.web.browser import signed_in_page
from tests.web.world import WebWorld, add_console_user, build, serving

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

PRIME, SUB, INVITED, PAINTER = "10000000000001", "20000000000001", "20000000000002", "20000000000003"
SITE = "90000000000001"
W1, W2, W3, W4 = "50000000000001", "50000000000002", "50000000000003", "50000000000004"
NO_BROWSER_CHECKS = "document.querySelectorAll('form').forEach(f => f.noValidate = true)"


@pytest.fixture(scope="module")
def pg_live(pg_cluster: PgCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebWorld]:
    """A server on PostgreSQL: a site of PRIME with SUB approved below it, SUB's four workers, a user per role."""
    url = pg_cluster.create_schema()
    assert url.startswith("postgresql")
    w = build(tmp_path_factory.mktemp("console-pg") / "server", url, seed=False)
    now = w.ctx.now()
    with write_transaction(w.ctx.engine) as conn:
        for company, name in ((PRIME, "元請建設(株)"), (SUB, "下請工業(株)"), (INVITED, "招待設備(株)"),
                              (PAINTER, "塗装六郎(株)")):
            rec.add_company(conn, Company(company, name, origin="ccus"))
        rec.add_site(conn, Site(SITE, "PG現場", PRIME), at=now - timedelta(days=60))
        s, change = st.invite(rec.load_structure(conn, SITE), parent=rec.load_structure(conn, SITE).prime.member,
                              by=PRIME, company=SUB, name="下請工業(株)", at=now - timedelta(days=59))
        rec.record_change(conn, change)
        _s, approved = st.approve(s, member=change.member, by=SUB, at=now - timedelta(days=58))
        rec.record_change(conn, approved)
        for wid, name in ((W1, "技能 一郎"), (W2, "技能 二郎"), (W3, "技能 三郎"), (W4, "技能 四郎")):
            rec.add_worker(conn, Worker(wid, name, "ギノウ", SUB, origin="ccus"))
    w.logins["prime"] = add_console_user(w.ctx, "prime", "元請 太郎", company=PRIME, login="prime")
    w.logins["company"] = add_console_user(w.ctx, "company", "下請 花子", company=SUB, login="sub")
    w.logins["invited"] = add_console_user(w.ctx, "company", "招待 次郎", company=INVITED, login="invited")
    w.logins["worker"] = add_console_user(w.ctx, "worker", "技能 一郎", worker=W1, login="worker-one")
    with serving(w, Policy(poll_seconds=1)):
        yield w
    w.ctx.close()


@pytest.fixture(scope="module")
def pg_pages(browser: Browser, pg_live: WebWorld) -> Iterator[dict[str, Page]]:
    pages = {role: signed_in_page(browser, pg_live.url, login) for role, login in pg_live.logins.items()}
    yield pages
    for page in pages.values():
        page.context.close()


def _count(w: WebWorld, table: sa.Table, *where: sa.ColumnElement[bool]) -> int:
    with w.ctx.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar_one())


def _one(w: WebWorld, query: sa.Select[tuple[object]]) -> object:
    with w.ctx.engine.connect() as conn:
        return conn.execute(query).scalar_one_or_none()


def test_pg_enrollment_code_rename_revoke_and_thresholds(pg_pages: dict[str, Page], pg_live: WebWorld,
                                                         tmp_path: Path) -> None:
    page = pg_pages["admin"]
    # enrollment code: a lifetime out of range is refused (no code), then a code is shown large and works
    page.goto(pg_live.url + "/enroll")
    page.select_option("#f-site", SITE)
    page.fill("#f-ttl", "0")
    page.evaluate(NO_BROWSER_CHECKS)
    page.click("form[action='/enroll'] button.primary")
    assert page.locator("#e-ttl").count() == 1 and _count(pg_live, sync.enrollment_codes) == 0
    page.fill("#f-ttl", "60")
    page.click("form[action='/enroll'] button.primary")
    code = page.locator(".big-code").inner_text().strip()
    assert _count(pg_live, sync.enrollment_codes) == 1
    kiosk = Kiosk(tmp_path / "kiosk", device="kiosk-pg-01")
    with TestClient(create_app(pg_live.ctx.settings, context=pg_live.ctx), base_url="http://genba.test") as http:
        body = {"code": code, "device": kiosk.device, "epoch": kiosk.epoch, "key": kiosk.key.verifier.encode(),
                "app": "0.1.0"}
        assert http.post("/api/v1/enroll", json=body).status_code == 201
    page.goto(pg_live.url + "/fleet")
    assert page.locator("table.fleet tbody tr", has_text="kiosk-pg-01").count() == 1
    # gate rename: too long is refused in place and nothing is stored; then saved with an audit entry
    page.goto(pg_live.url + "/devices/kiosk-pg-01")
    page.fill("#f-gate", "x" * 61)
    page.click("section[aria-labelledby=h-rename] button")
    assert page.locator("#e-gate").count() == 1 and _count(pg_live, web_t.gate_names) == 0
    page.fill("#f-gate", "北ゲート")
    page.click("section[aria-labelledby=h-rename] button")
    page.wait_for_url("**saved=1")
    assert _one(pg_live, sa.select(web_t.gate_names.c.name)) == "北ゲート"
    # revocation: the typed id must match; a mismatch revokes nothing
    page.fill("#f-confirm", "kiosk-pg-02")
    page.click("section[aria-labelledby=h-revoke] button")
    assert page.locator("#e-confirm").count() == 1
    assert _count(pg_live, sync.devices, sync.devices.c.revoked_at.is_not(None)) == 0
    page.fill("#f-confirm", "kiosk-pg-01")
    page.click("section[aria-labelledby=h-revoke] button")
    page.wait_for_url("**revoked=1")
    assert _count(pg_live, sync.devices, sync.devices.c.revoked_at.is_not(None)) == 1
    assert "北ゲート" in page.locator("table.grid").last.inner_text()  # the audit trail on the page
    assert _count(pg_live, web_t.audit, web_t.audit.c.action.in_(("rename_gate", "revoke_device", "enroll_code"))) == 3
    # alarm thresholds: working hours in the wrong order are refused and nothing is stored; then stored
    page.goto(pg_live.url + "/settings/alarms")
    page.fill("#f-work_start_hour", "20")
    page.fill("#f-work_end_hour", "8")
    page.evaluate(NO_BROWSER_CHECKS)
    page.click("main form button.primary")
    assert page.locator("#e-work_end_hour").count() == 1 and _count(pg_live, web_t.thresholds) == 0
    page.fill("#f-work_start_hour", "6")
    page.fill("#f-work_end_hour", "18")
    page.fill("#f-silent_minutes", "45")
    page.click("main form button.primary")
    page.wait_for_url("**saved=1")
    assert _one(pg_live, sa.select(web_t.thresholds.c.value).where(web_t.thresholds.c.name == "silent_minutes")) == 45


def test_pg_structure_invite_approve_place_and_replace(pg_pages: dict[str, Page], pg_live: WebWorld) -> None:
    def members() -> dict[str, str]:
        with pg_live.ctx.engine.connect() as conn:
            s = rec.load_structure(conn, SITE)
        return {m.name: m.status if m.company is not None else "placeholder" for m in s.members}

    prime = pg_pages["prime"]
    prime.goto(f"{pg_live.url}/sites/{SITE}")
    prime.fill("#f-inv-company", "123")  # not a 14-digit id: refused, nothing stored
    prime.click("section[aria-labelledby=h-invite] button")
    assert prime.locator("#e-company").count() == 1 and "招待設備(株)" not in members()
    prime.fill("#f-inv-company", INVITED)
    prime.click("section[aria-labelledby=h-invite] button")
    prime.wait_for_url("**done=invite")
    assert members()["招待設備(株)"] == "pending"
    invited = pg_pages["invited"]
    invited.goto(pg_live.url + "/sites")
    invited.locator("section[aria-labelledby=h-inv] li", has_text="PG現場").locator("button").click()
    invited.wait_for_url("**done=approve")
    assert members()["招待設備(株)"] == "registered"
    sub = pg_pages["company"]
    sub.goto(f"{pg_live.url}/sites/{SITE}")
    sub.fill("#f-pl-name", "(個人)塗装六郎")
    sub.click("section[aria-labelledby=h-place] button")
    sub.wait_for_url("**done=place")
    assert members()["(個人)塗装六郎"] == "placeholder"
    sub.fill("#f-rp-company", PAINTER)
    sub.click("section[aria-labelledby=h-replace] button")
    sub.wait_for_url("**done=replace")
    after = members()
    assert "(個人)塗装六郎" not in after and after["塗装六郎(株)"] == "registered"


def test_pg_roster_card_csv_import_and_a_correction_decided(pg_pages: dict[str, Page], pg_live: WebWorld,
                                                           tmp_path: Path) -> None:
    sub = pg_pages["company"]
    roster = _count(pg_live, dom.roster)
    sub.goto(f"{pg_live.url}/sites/{SITE}/roster")
    sub.fill("#f-worker", W1)
    sub.fill("#f-valid_from", "2026-11-10")
    sub.fill("#f-valid_to", "2026-11-01")  # before the start: refused, nothing stored
    sub.click("section[aria-labelledby=h-add] button")
    assert "終了日が開始日より前" in sub.content() and _count(pg_live, dom.roster) == roster
    sub.fill("#f-valid_from", "2026-11-01")
    sub.fill("#f-valid_to", "")
    sub.fill("#f-trade_name", "配管工")
    sub.fill("#f-position", "職長")
    sub.click("section[aria-labelledby=h-add] button")
    sub.wait_for_url("**done=1")
    assert _count(pg_live, dom.roster, dom.roster.c.worker == W1) == 1
    # edit: end W2's entry (added for the purpose) on a date
    sub.fill("#f-worker", W2)
    sub.fill("#f-valid_from", "2026-11-01")
    sub.click("section[aria-labelledby=h-add] button")
    sub.wait_for_url("**done=1")
    sub.locator("tr", has_text=W2).locator("input[type=date]").fill("2026-11-15")
    sub.locator("tr", has_text=W2).locator("form button").click()
    sub.wait_for_url("**done=1")
    assert _one(pg_live, sa.select(dom.roster.c.valid_to).where(dom.roster.c.worker == W2)) == "2026-11-15"
    # a card bound to W1
    sub.fill("#f-idm", "012e4c0000000099")
    sub.fill("#f-card_worker", W1)
    sub.fill("#f-card_from", "2026-11-01")
    sub.click("section[aria-labelledby=h-card] form[action$='/cards'] button")
    sub.wait_for_url("**done=1")
    assert _count(pg_live, dom.card_bindings, dom.card_bindings.c.worker == W1) == 1
    # CSV import: the preview lists every bad line and stores nothing; a clean file is stored in one go
    bad = tmp_path / "bad.csv"
    bad.write_text(f"worker,valid_from,trade_name,position\n{W3},2026-12-01,配管工,作業員\n"
                   f"12345,2026-12-01,配管工,作業員\n{W4},not-a-date,配管工,作業員\n", encoding="utf-8")
    sub.set_input_files("#f-file", str(bad))
    sub.click("section[aria-labelledby=h-card] form[enctype] button")
    rows = sub.locator(".preview tbody tr")
    assert [rows.nth(i).locator("td").first.inner_text() for i in range(rows.count())] == ["3", "4"]
    assert _count(pg_live, dom.roster, dom.roster.c.worker.in_((W3, W4))) == 0
    good = tmp_path / "good.csv"
    good.write_text(f"\ufeffworker,valid_from,trade_name,position\n{W3},2026-12-01,配管工,作業員\n"
                    f"{W4},2026-12-01,配管工,作業員\n", encoding="utf-8")
    sub.set_input_files("#f-file", str(good))
    sub.click("section[aria-labelledby=h-card] form[enctype] button")
    assert _count(pg_live, dom.roster, dom.roster.c.worker.in_((W3, W4))) == 0  # a preview stores nothing
    sub.click(".preview button.primary")
    sub.wait_for_url("**imported=2")
    assert _count(pg_live, dom.roster, dom.roster.c.worker.in_((W3, W4))) == 2
    # corrections: filed without a reason is refused; filed, then rejected with a reason; another approved
    corrections = dom.corrections
    ids: list[int] = []
    for day in ("2026-11-17", "2026-11-18"):
        sub.goto(pg_live.url + "/corrections")
        sub.select_option("#f-site", SITE)
        sub.fill("#f-worker", W1)
        sub.fill("#f-work_day", day)
        sub.fill("#f-entry", "08:00")
        sub.evaluate(NO_BROWSER_CHECKS)
        sub.click("section[aria-labelledby=h-file] button.primary")
        assert sub.locator("#e-reason").count() == 1 and _count(pg_live, corrections) == len(ids)
        sub.fill("#f-reason", "カードを忘れた")
        sub.click("section[aria-labelledby=h-file] button.primary")
        sub.wait_for_url("**filed=1")
        found = re.search(r"/corrections/(\d+)", sub.url)
        assert found
        ids.append(int(found.group(1)))
    prime = pg_pages["prime"]
    for cid, button, status in ((ids[0], "button.danger", "rejected"), (ids[1], "button.primary", "approved")):
        prime.goto(f"{pg_live.url}/corrections/{cid}")
        prime.evaluate(NO_BROWSER_CHECKS)
        prime.click(button)  # no reason: refused, still requested
        assert prime.locator("#e-note").count() == 1
        assert _one(pg_live, sa.select(corrections.c.status).where(corrections.c.id == cid)) == "requested"
        prime.fill("#f-note", "日報で確認")
        prime.click(button)
        prime.wait_for_url("**done=1")
        assert _one(pg_live, sa.select(corrections.c.status).where(corrections.c.id == cid)) == status


def test_pg_users_and_downloads(pg_pages: dict[str, Page], pg_live: WebWorld, browser: Browser) -> None:
    users = dom.users.c
    admin = pg_pages["admin"]
    admin.goto(pg_live.url + "/users")
    admin.fill("#f-name", "新しい 下請")
    admin.fill("#f-login", "new-sub")
    admin.select_option("#f-role", "company")
    admin.click("section[aria-labelledby=h-new] button")  # a company user needs its company: nothing stored
    assert admin.locator("#e-company").count() == 1 and _count(pg_live, dom.users, users.name == "新しい 下請") == 0
    admin.fill("#f-company", SUB)
    admin.click("section[aria-labelledby=h-new] button")
    link = admin.locator(".code-box pre").inner_text().strip()
    uid = _one(pg_live, sa.select(users.id).where(users.name == "新しい 下請"))
    assert isinstance(uid, int)
    # the link sets a password, and the user signs in to its company's site
    other = browser.new_context().new_page()
    other.goto(link)
    other.fill("#f-password", "new sub password 1")
    other.fill("#f-repeat", "new sub password 1")
    other.click("button.primary")
    other.fill("#f-login", "new-sub")
    other.fill("#f-password", "new sub password 1")
    other.click("button.primary")
    other.wait_for_url("**/sites")
    assert other.locator(f"a[href='/sites/{SITE}']").count() == 1
    # role and scope changed: stored, and the user's sessions end
    admin.goto(pg_live.url + "/users")
    row = admin.locator("tr", has_text="新しい 下請")
    row.locator("summary").click()
    row.locator(f"#r-{uid}").select_option("prime")
    row.locator(f"#c-{uid}").fill(INVITED)
    row.locator("form[action$='/role'] button").click()
    admin.wait_for_url("**done=1")
    assert _one(pg_live, sa.select(users.role).where(users.id == uid)) == "prime"
    assert _count(pg_live, web_t.sessions, web_t.sessions.c.user_id == uid, web_t.sessions.c.ended_at.is_(None)) == 0
    # a password reset gives a new link and clears the password; revoking ends the user
    admin.locator("tr", has_text="新しい 下請").locator("form[action$='/reset'] button").click()
    assert admin.locator(".code-box pre").inner_text().strip() != link
    assert _one(pg_live, sa.select(web_t.accounts.c.password_hash).where(web_t.accounts.c.user_id == uid)) is None
    admin.goto(pg_live.url + "/users")
    admin.locator("tr", has_text="新しい 下請").locator("form[action$='/revoke'] button").click()
    admin.wait_for_url("**done=1")
    assert _one(pg_live, sa.select(users.revoked_at).where(users.id == uid)) is not None
    other.context.close()
    # downloads from the reports page: CSV (UTF-8 with BOM) and Excel, as the prime may see them
    prime = pg_pages["prime"]
    prime.goto(f"{pg_live.url}/sites/{SITE}/reports?month=2026-11")
    for fmt, head in (("csv", b"\xef\xbb\xbf"), ("xlsx", b"PK")):
        with prime.expect_download() as got:
            prime.click(f"a[href='/sites/{SITE}/reports/roster.{fmt}?month=2026-11']")
        data = Path(got.value.path()).read_bytes()
        assert data.startswith(head), fmt
    with prime.expect_download() as got:
        prime.click(f"a[href='/sites/{SITE}/reports/roster.csv?month=2026-11']")
    text = Path(got.value.path()).read_text(encoding="utf-8-sig")
    assert "技能 一郎" in text and "配管工" in text  # the roster entry the flows above stored, read from PostgreSQL
