"""The site pages, corrections and users in a real browser, for each role: the flows and what each must not see."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page

from server.store import domain_schema as dom
from tests.web.browser import axe_violations, no_horizontal_overflow
from tests.web.world import EVIL_NAME, MONTH, NEW_PAINTER, NEW_WORKERS, SUB_A, SUB_B, WebWorld

pytestmark = pytest.mark.slow
SITE = "90000000000001"
NO_BROWSER_CHECKS = "document.querySelectorAll('form').forEach(f => f.noValidate = true)"


def _roster_count(live: WebWorld) -> int:
    with live.ctx.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(dom.roster)).scalar_one())


def test_every_role_sees_the_site_it_belongs_to(pages: dict[str, Page], live: WebWorld) -> None:
    for role in ("admin", "prime", "company", "worker"):
        page = pages[role]
        page.goto(live.url + "/sites")
        assert page.locator(f"a[href='/sites/{SITE}']").count() == 1, role


def test_structure_chart_shows_tiers_statuses_and_the_placeholder(pages: dict[str, Page], live: WebWorld) -> None:
    page = pages["prime"]
    page.goto(f"{live.url}/sites/{SITE}")
    tree = page.locator(".chart-tree").inner_text()
    for text in ("元請", "鉄筋二郎工業(株)", "2 次", "未承認", "CCUS未登録", "(個人)塗装六郎"):
        assert text in tree, text


def test_the_invited_company_approves_its_invitation(pages: dict[str, Page], live: WebWorld) -> None:
    page = pages["pending"]
    response = page.goto(f"{live.url}/sites/{SITE}")
    assert response is not None and response.status == 404  # not on the structure yet: the site is not shown
    page.goto(f"{live.url}/sites")
    invitation = page.locator("section[aria-labelledby=h-inv] li")
    assert invitation.count() == 1 and "型枠四郎(有)" in invitation.inner_text()
    invitation.locator("button").click()
    page.wait_for_url("**done=approve")
    assert page.locator(".member.pending", has_text="足場七郎(株)").count() == 0
    # nobody else may approve it for them: no approve button for the prime
    pages["prime"].goto(f"{live.url}/sites/{SITE}")
    assert pages["prime"].locator(".member button", has_text="承認する").count() == 0


def test_a_subcontractor_replaces_its_placeholder_with_the_registered_company(
        pages: dict[str, Page], live: WebWorld) -> None:
    page = pages["company"]
    page.goto(f"{live.url}/sites/{SITE}")
    page.fill("#f-rp-company", "123")
    page.click("section[aria-labelledby=h-replace] button")
    assert page.locator("#e-company").count() == 1 and page.locator(".member.placeholder").count() == 1
    page.fill("#f-rp-company", NEW_PAINTER)
    page.click("section[aria-labelledby=h-replace] button")
    page.wait_for_url("**done=replace")
    assert page.locator(".member.placeholder").count() == 0
    assert "塗装六郎(株)" in page.locator(".chart-tree").inner_text()


def test_roster_add_is_validated_on_the_server_and_stores_nothing_on_error(
        pages: dict[str, Page], live: WebWorld) -> None:
    page = pages["company"]
    before = _roster_count(live)
    page.goto(f"{live.url}/sites/{SITE}/roster")
    page.fill("#f-worker", live.ids["worker_b"])
    page.fill("#f-valid_from", "2026-11-10")
    page.fill("#f-valid_to", "2026-11-01")  # before the start
    page.click("section[aria-labelledby=h-add] button")
    assert page.locator(".alert, .error").first.inner_text()
    assert "終了日が開始日より前" in page.content()
    assert _roster_count(live) == before


def test_csv_import_lists_every_bad_line_before_storing_anything(pages: dict[str, Page], live: WebWorld,
                                                                tmp_path: Path) -> None:
    page = pages["company"]
    before = _roster_count(live)
    new = [w for w, _name in NEW_WORKERS]
    with live.ctx.engine.connect() as conn:
        sub_a = conn.execute(sa.select(dom.workers.c.worker).where(dom.workers.c.employer == SUB_A)).scalars().first()
    bad = tmp_path / "bad.csv"
    bad.write_text("worker,valid_from,trade_name,position\n"
                   f"{new[0]},2026-12-01,配管工,職長\n"
                   "12345,2026-12-01,配管工,作業員\n"
                   f"{new[1]},not-a-date,配管工,作業員\n"
                   f"{sub_a},2026-12-01,鉄筋工,作業員\n", encoding="utf-8")
    page.goto(f"{live.url}/sites/{SITE}/roster")
    page.set_input_files("#f-file", str(bad))
    page.click("section[aria-labelledby=h-card] form[enctype] button")
    rows = page.locator(".preview tbody tr")
    assert rows.count() == 3  # lines 3, 4 and 5; line 2 is fine
    assert [rows.nth(i).locator("td").first.inner_text() for i in range(3)] == ["3", "4", "5"]
    assert "権限がありません" in rows.nth(2).inner_text()  # another company's worker
    assert _roster_count(live) == before
    good = tmp_path / "good.csv"
    good.write_text("\ufeffworker,valid_from,trade_code,trade_name,position\n"
                    f"{new[0]},2026-12-01,0601,配管工,職長\n{new[1]},2026-12-01,0601,配管工,作業員\n",
                    encoding="utf-8")
    page.set_input_files("#f-file", str(good))
    page.click("section[aria-labelledby=h-card] form[enctype] button")
    assert "2 行すべて取り込めます" in page.locator(".preview").inner_text()
    assert _roster_count(live) == before  # a preview stores nothing
    page.click(".preview button.primary")
    page.wait_for_url("**imported=2")
    assert _roster_count(live) == before + 2


def test_calendar_cell_opens_its_taps_in_place(pages: dict[str, Page], live: WebWorld) -> None:
    page = pages["prime"]
    page.goto(f"{live.url}/sites/{SITE}/calendar?month={MONTH}")
    assert page.locator("table.cal tbody tr").count() > 40
    page.locator("table.cal td a").first.click()
    detail = page.locator("#cell .cell-detail")
    detail.wait_for()
    assert "タッチの記録" in detail.inner_text() and detail.locator("tbody tr").count() >= 1
    assert f"/calendar?month={MONTH}" in page.url  # swapped in, not navigated


def test_a_subcontractor_never_sees_another_companys_workers(pages: dict[str, Page], live: WebWorld) -> None:
    page = pages["company"]
    with live.ctx.engine.connect() as conn:
        others = set(conn.execute(sa.select(dom.workers.c.worker).where(
            dom.workers.c.employer.in_([SUB_A, "30000000000001", "10000000000001"]))).scalars())
        mine = set(conn.execute(sa.select(dom.workers.c.worker).where(dom.workers.c.employer == SUB_B)).scalars())
    for path in (f"/sites/{SITE}/calendar?month={MONTH}", f"/sites/{SITE}/roster"):
        page.goto(live.url + path)
        html = page.content()
        assert not [w for w in others if w in html], path
        assert any(w in html for w in mine), path
        assert live.ids["worker_a_name"] not in html


def test_a_worker_sees_only_their_own_history(pages: dict[str, Page], live: WebWorld) -> None:
    page = pages["worker"]
    page.goto(f"{live.url}/sites/{SITE}/calendar?month={MONTH}")
    rows = page.locator("table.cal tbody tr")
    assert rows.count() == 1 and live.ids["worker_b"] in rows.first.inner_text()
    for path in ("/users", "/fleet", "/settings/alarms"):
        response = page.goto(live.url + path)
        assert response is not None and response.status == 403


def test_correction_filed_with_reason_then_approved_by_the_prime_with_audit(
        pages: dict[str, Page], live: WebWorld) -> None:
    page = pages["company"]
    page.goto(live.url + "/corrections")
    page.fill("#f-worker", live.ids["worker_b"])
    page.fill("#f-work_day", "2026-11-18")
    page.fill("#f-entry", "08:00")
    page.evaluate(NO_BROWSER_CHECKS)  # what the server says, not the browser's own required-field check
    page.click("section[aria-labelledby=h-file] button.primary")
    assert page.locator("#e-reason").inner_text() == "入力してください。"  # the reason is required
    page.fill("#f-reason", "カードを忘れた")
    page.click("section[aria-labelledby=h-file] button.primary")
    page.wait_for_url("**filed=1")
    path = page.url.split("?")[0].replace(live.url, "")
    assert page.locator("section[aria-labelledby=h-decide]").count() == 0  # a subcontractor cannot decide
    prime = pages["prime"]
    prime.goto(live.url + path)
    prime.evaluate(NO_BROWSER_CHECKS)
    prime.click("button.primary")  # approving without a reason is refused
    assert prime.locator("#e-note").count() == 1
    prime.fill("#f-note", "日報で確認")
    prime.click("button.primary")
    prime.wait_for_url("**done=1")
    trail = prime.locator("table.grid").last.inner_text()
    assert "申請" in trail and "承認" in trail and "日報で確認" in trail


def test_admin_creates_a_user_whose_link_sets_a_password(pages: dict[str, Page], live: WebWorld,
                                                         browser: Browser) -> None:
    page = pages["admin"]
    page.goto(live.url + "/users")
    page.fill("#f-name", "Sub A office")
    page.fill("#f-login", "sub-a")
    page.select_option("#f-role", "prime")
    page.click("section[aria-labelledby=h-new] button")
    assert page.locator("#e-company").count() == 1  # a prime user needs its company
    page.fill("#f-company", SUB_A)
    page.click("section[aria-labelledby=h-new] button")
    link = page.locator(".code-box pre").inner_text()
    context = browser.new_context()
    other = context.new_page()
    other.goto(link)
    other.fill("#f-password", "sub a password 1")
    other.fill("#f-repeat", "sub a password 1")
    other.click("button.primary")
    other.fill("#f-login", "sub-a")
    other.fill("#f-password", "sub a password 1")
    other.click("button.primary")
    other.wait_for_url("**/sites")
    assert other.locator(f"a[href='/sites/{SITE}']").count() == 1
    context.close()


def test_kpis_charts_and_downloads_follow_the_viewers_scope(pages: dict[str, Page], live: WebWorld) -> None:
    prime = pages["prime"]
    prime.goto(f"{live.url}/sites/{SITE}/reports?month={MONTH}")
    assert prime.locator(".kpi").count() == 3 and "%" in prime.locator(".kpi-value").last.inner_text()
    assert prime.locator("svg.chart line.target").count() == 1  # the touch-rate target line
    with prime.expect_download() as got:
        prime.click(f"a[href='/sites/{SITE}/reports/calendar.csv?month={MONTH}']")
    everyone = Path(got.value.path()).read_bytes()
    assert everyone.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, as Excel wants
    worker = pages["worker"]
    worker.goto(f"{live.url}/sites/{SITE}/reports?month={MONTH}")
    with worker.expect_download() as got:
        worker.click(f"a[href='/sites/{SITE}/reports/calendar.csv?month={MONTH}']")
    own = Path(got.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert len(own) == 3  # the header, the worker's own row, the total
    assert len(everyone.decode("utf-8-sig").splitlines()) > 40


PAGES = ["/sites", f"/sites/{SITE}", f"/sites/{SITE}/reports?month={MONTH}", f"/sites/{SITE}/roster",
         f"/sites/{SITE}/calendar?month={MONTH}",
         f"/sites/{SITE}/unknown?month={MONTH}", "/corrections", "/corrections/1"]


@pytest.mark.parametrize("path", PAGES)
def test_site_pages_are_accessible_and_keep_a_script_name_as_text(pages: dict[str, Page], live: WebWorld,
                                                                  path: str) -> None:
    page = pages["prime"]
    page.goto(live.url + path)
    assert EVIL_NAME.split("</script>")[0] not in page.content().replace("&lt;", "\0")  # escaped in the header
    assert page.locator(".who strong").inner_text() == EVIL_NAME
    assert page.evaluate("window.__pwned") is None
    assert axe_violations(page) == []


def test_admin_pages_are_accessible(pages: dict[str, Page], live: WebWorld) -> None:
    page = pages["admin"]
    for path in ("/users", "/sites"):
        page.goto(live.url + path)
        assert axe_violations(page) == [], path


def test_site_pages_reflow_at_200_percent_zoom(pages: dict[str, Page], live: WebWorld) -> None:
    page = pages["prime"]
    page.set_viewport_size({"width": 683, "height": 384})
    try:
        for path in PAGES:
            page.goto(live.url + path)
            assert no_horizontal_overflow(page), path
    finally:
        page.set_viewport_size({"width": 1366, "height": 768})
