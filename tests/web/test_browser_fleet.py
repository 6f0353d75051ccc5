"""The console in a real browser: sign-in, the fleet, a device, gate rename and revocation, per role.

One server (SQLite, the demo site) and one browser for the whole session (tests/web/conftest.py).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from tests.web.browser import axe_violations, no_horizontal_overflow, signed_in_page
from tests.web.world import WebWorld

pytestmark = pytest.mark.slow


def test_admin_lands_on_the_fleet_with_every_device_and_its_alarms(pages: dict[str, Page], live: WebWorld) -> None:
    page = pages["admin"]
    page.goto(live.url + "/")
    assert page.url.endswith("/fleet")
    rows = page.locator("table.fleet tbody tr")
    assert rows.count() == 2
    text = page.locator("table.fleet").inner_text()
    assert "demo-kiosk-gate" in text and "demo-kiosk-office" in text
    gate = page.locator("tr", has_text="demo-kiosk-gate").inner_text()
    office = page.locator("tr", has_text="demo-kiosk-office").inner_text()
    assert "作業時間中に 30 分以上通信がありません" in gate  # silent for an hour on a Friday morning
    assert "24 時間以上前の記録が未送信です" in office and "12" in office  # as the device reported
    assert "読み取りエラー" in office and "エラー 7 件／時" in office and "350 MB" in office
    assert "直近1時間にリーダーのエラーが 7 件あります" in office and "ディスクの空きが少なくなっています" in office
    assert "報告なし" in gate  # the gate kiosk never reported its health


def test_fleet_sorts_and_filters_on_the_server(pages: dict[str, Page], live: WebWorld) -> None:
    page = pages["admin"]
    page.goto(live.url + "/fleet?sort=device&dir=desc")
    first = page.locator("table.fleet tbody tr th").first.inner_text()
    assert first.startswith("demo-kiosk-office")
    page.click("th >> text=端末")  # toggles to ascending
    assert page.locator("table.fleet tbody tr th").first.inner_text().startswith("demo-kiosk-gate")
    page.fill("#f-q", "office")
    page.click("form.filters button")
    assert page.locator("table.fleet tbody tr").count() == 1


def test_fleet_refreshes_itself_without_a_reload(pages: dict[str, Page], live: WebWorld) -> None:
    """Each poll sends the version the page shows: unchanged, the server answers 204 and nothing is swapped;
    once the minute moves on (the ages change), the new table is swapped in place."""
    page = pages["admin"]
    page.goto(live.url + "/fleet")
    page.evaluate("window.__marker = 1")
    shown = page.locator("#fleet-live").get_attribute("hx-headers")
    with page.expect_response(lambda r: "/fleet/live" in r.url, timeout=10_000) as got:
        pass
    assert got.value.status == 204 and got.value.request.headers.get("x-genba-poll") == "1"
    assert got.value.request.headers.get("x-genba-version") in (shown or "")
    live.clock.advance(60)  # a minute later: every "… min ago" moves on
    with page.expect_response(lambda r: "/fleet/live" in r.url and r.status == 200, timeout=10_000):
        pass
    page.wait_for_function(f"document.querySelector('#fleet-live').getAttribute('hx-headers') !== {shown!r}")
    assert page.evaluate("window.__marker") == 1  # same document: swapped in place
    assert page.locator("table.fleet tbody tr").count() == 2


def test_device_page_shows_its_14_day_chart(pages: dict[str, Page], live: WebWorld) -> None:
    page = pages["admin"]
    page.goto(live.url + "/devices/demo-kiosk-gate")
    assert page.locator("svg.chart").count() == 2
    assert page.locator("svg.chart").first.get_attribute("aria-label")


def test_a_script_in_a_gate_name_is_shown_as_text_everywhere(pages: dict[str, Page], live: WebWorld) -> None:
    page = pages["admin"]
    evil = "<script>window.__pwned=1</script><b>x"
    page.goto(live.url + "/devices/demo-kiosk-office")
    page.fill("#f-gate", evil)
    page.click("section[aria-labelledby=h-rename] button")
    page.wait_for_url("**/devices/demo-kiosk-office?saved=1")
    assert page.locator("dd", has_text="<script>").count() == 1
    for path in ("/devices/demo-kiosk-office", "/fleet"):
        page.goto(live.url + path)
        assert evil in page.content().replace("&lt;", "<").replace("&gt;", ">")
        assert page.evaluate("window.__pwned") is None


def test_gate_rename_is_validated_on_the_server_in_both_languages(pages: dict[str, Page], live: WebWorld) -> None:
    page = pages["admin"]
    page.goto(live.url + "/devices/demo-kiosk-gate")
    page.fill("#f-gate", "x" * 61)
    page.click("section[aria-labelledby=h-rename] button")
    assert page.locator("#e-gate").inner_text() == "60 文字以内にしてください。"
    page.goto(live.url + "/lang/en?next=/devices/demo-kiosk-gate")
    page.fill("#f-gate", "   ")
    page.click("section[aria-labelledby=h-rename] button")
    assert page.locator("#e-gate").inner_text() == "Required."
    page.goto(live.url + "/lang/ja?next=/fleet")


def test_the_prime_contractor_watches_its_sites_devices_read_only(pages: dict[str, Page], live: WebWorld) -> None:
    page = pages["prime"]
    page.goto(live.url + "/fleet")
    assert page.locator("table.fleet tbody tr").count() == 2  # both kiosks of its site
    assert page.locator("a[href='/enroll']").count() == 0
    page.goto(live.url + "/devices/demo-kiosk-gate")
    assert page.locator("h1").inner_text().startswith("端末") and page.locator("#f-gate, #f-confirm").count() == 0
    for path in ("/enroll", "/settings/alarms"):
        response = page.goto(live.url + path)
        assert response is not None and response.status == 403, path


def test_other_roles_may_not_open_the_fleet_or_a_device(pages: dict[str, Page], live: WebWorld) -> None:
    for role in ("company", "worker"):
        page = pages[role]
        for path in ("/fleet", "/devices/demo-kiosk-gate", "/enroll", "/settings/alarms"):
            response = page.goto(live.url + path)
            assert response is not None and response.status == 403, (role, path)
        assert page.locator("nav a[href='/fleet']").count() == 0


def test_enrollment_code_is_issued_large_with_its_expiry(pages: dict[str, Page], live: WebWorld) -> None:
    page = pages["admin"]
    page.goto(live.url + "/enroll")
    page.select_option("#f-site", live.ids["site"])
    page.fill("#f-ttl", "30")
    page.click("button.primary")
    code = page.locator(".big-code").inner_text()
    assert len(code) == 19 and code.count("-") == 3
    assert float(page.locator(".big-code").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 32
    assert "有効期限" in page.locator(".code-box").inner_text()


@pytest.mark.parametrize("path", ["/fleet", "/devices/demo-kiosk-gate", "/enroll", "/settings/alarms", "/sign-in"])
def test_pages_have_no_serious_accessibility_violations(pages: dict[str, Page], live: WebWorld, path: str) -> None:
    page = pages["admin"]
    page.goto(live.url + path)
    assert axe_violations(page) == []


FOCUSED = """(() => { const e = document.activeElement;
  const where = e.getAttribute('href') || (e.form ? e.form.getAttribute('action') : '');
  return e.tagName + ' ' + (e.id || '') + ' ' + where;
})()"""


def test_every_control_is_reachable_by_keyboard(pages: dict[str, Page], live: WebWorld) -> None:
    page = pages["admin"]
    page.goto(live.url + "/devices/demo-kiosk-gate")
    reached: set[str] = set()
    for _ in range(80):
        page.keyboard.press("Tab")
        reached.add(page.evaluate(FOCUSED))
    wanted = {"A  #main", "A  /fleet", "BUTTON  /sign-out",
              "INPUT f-gate /devices/demo-kiosk-gate/gate", "BUTTON  /devices/demo-kiosk-gate/gate",
              "INPUT f-confirm /devices/demo-kiosk-gate/revoke", "BUTTON  /devices/demo-kiosk-gate/revoke"}
    assert wanted <= reached, wanted - reached


def test_pages_reflow_at_200_percent_zoom(browser: Browser, live: WebWorld) -> None:
    page = signed_in_page(browser, live.url, live.logins["admin"], width=683, height=384)  # 1366×768 at 200 %
    for path in ("/fleet", "/devices/demo-kiosk-gate", "/enroll", "/settings/alarms"):
        page.goto(live.url + path)
        assert no_horizontal_overflow(page), path
    page.context.close()




def test_revoking_needs_the_device_id_typed_and_leaves_an_audit_entry(pages: dict[str, Page], live: WebWorld) -> None:
    """Last in this module: the device stays revoked."""
    page = pages["admin"]
    page.goto(live.url + "/devices/demo-kiosk-office")
    page.fill("#f-confirm", "demo-kiosk-gate")  # the wrong device
    page.click("button.danger")
    assert page.locator("#e-confirm").inner_text() == "端末の ID が一致しません。"
    assert page.locator("tr", has_text="端末を失効").count() == 0
    page.fill("#f-confirm", "demo-kiosk-office")
    page.click("button.danger")
    page.wait_for_url("**/devices/demo-kiosk-office?revoked=1")
    assert page.locator("h1 .tag").inner_text() == "失効"
    assert page.locator("tr", has_text="端末を失効").count() == 1
    page.goto(live.url + "/fleet")
    assert "失効" in page.locator("tr", has_text="demo-kiosk-office").inner_text()
