"""Accessibility of every page: axe-core (no serious or critical violations) also on the set-password page,
the standalone calendar-cell page, the 404 page and the API documentation; and every control of every page
reachable with the Tab key, for each role's pages."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from server.domain.disclosure import Principal
from server.store import domain_users as users_store
from server.store.engine import write_transaction
from server.web import accounts
from tests.web.browser import axe_violations
from tests.web.world import MONTH, WebWorld

pytestmark = pytest.mark.slow
SITE = "90000000000001"


@pytest.fixture
def anonymous(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="ja-JP")
    yield context.new_page()
    context.close()


def _setup_link(live: WebWorld, name: str) -> str:
    with write_transaction(live.ctx.engine) as conn:
        uid, _token = users_store.add_user(conn, Principal(role="admin", user="test"), name=name, at=live.ctx.now())
        _login, path = accounts.new_console_user(conn, uid, name, None, live.ctx.now())
    return live.url + path


def _cell_path(page: Page, live: WebWorld) -> str:
    page.goto(f"{live.url}/sites/{SITE}/calendar?month={MONTH}")
    href = page.locator("table a[href*='calendar/cell']").first.get_attribute("href")
    assert href
    return f"/sites/{SITE}/{href}"


def test_set_password_page_is_accessible_also_with_its_field_errors(anonymous: Page, live: WebWorld) -> None:
    anonymous.goto(_setup_link(live, "A11y One"))
    assert anonymous.locator("#f-password").count() == 1
    assert axe_violations(anonymous) == []
    anonymous.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
    anonymous.fill("#f-password", "short")
    anonymous.click("button.primary")
    assert anonymous.locator("[aria-invalid=true]").count() >= 1
    assert axe_violations(anonymous) == []


def test_the_empty_sites_page_of_a_user_with_no_site_is_accessible(browser: Browser, live: WebWorld) -> None:
    from server.domain.registry import Company
    from server.store import domain_records as rec
    from tests.web.browser import signed_in_page
    from tests.web.world import add_console_user

    with write_transaction(live.ctx.engine) as conn:
        rec.add_company(conn, Company("30000000000098", "空き建設(株)", origin="ccus"))
    login = add_console_user(live.ctx, "prime", "空き 一郎", company="30000000000098", login="a11y-empty")
    page = signed_in_page(browser, live.url, login)
    try:
        assert page.url.endswith("/sites") and page.locator("#h-none").count() == 1
        assert page.locator("nav a[href='/fleet']").count() == 0
        assert axe_violations(page) == []
    finally:
        page.context.close()


def test_the_standalone_calendar_cell_page_is_accessible(pages: dict[str, Page], live: WebWorld) -> None:
    page = pages["prime"]
    path = _cell_path(page, live)
    page.goto(live.url + path)
    assert page.locator("h1").count() == 1 and "calendar/cell" in page.url
    assert axe_violations(page) == []


def test_the_404_page_is_accessible(anonymous: Page, live: WebWorld) -> None:
    anonymous.goto(live.url + "/no-such-page")
    assert "ページが見つかりません" in anonymous.title()
    assert axe_violations(anonymous) == []


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_api_documentation_is_accessible(anonymous: Page, live: WebWorld, path: str) -> None:
    anonymous.goto(live.url + path)
    anonymous.wait_for_selector(".swagger-ui .info, redoc h1, .api-content h1", timeout=30_000)
    assert axe_violations(anonymous) == []
    if path == "/docs":  # an operation opened: its parameters, schemas and "Try it out"
        anonymous.locator(".opblock-summary-control").first.click()
        anonymous.wait_for_selector(".opblock-body", timeout=10_000)
        assert axe_violations(anonymous) == []
        assert anonymous.locator(".opblock-summary-control a[href]").count() == 0  # no control inside a control


FOCUSABLE = """(() => {
  const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]';
  const out = [];
  document.querySelectorAll(sel).forEach((e, i) => {
    if (e.disabled || e.getAttribute('tabindex') === '-1' || e.getClientRects().length === 0) return;
    if (getComputedStyle(e).visibility === 'hidden' || e.closest('[inert], [hidden]')) return;
    const details = e.closest('details');
    if (details && !details.open && e.tagName !== 'SUMMARY') return;
    e.dataset.k = String(i);
    out.push(String(i));
  });
  return out;
})()"""

DESCRIBE = """k => { const e = document.querySelector(`[data-k="${k}"]`);
  return e.tagName + ' ' + (e.id || e.getAttribute('href') || e.textContent.trim().slice(0, 30)); }"""
FOCUSED_KEY = "document.activeElement ? (document.activeElement.dataset.k || '') : ''"


def _unreached(page: Page) -> list[str]:
    """Tab through the page until every focusable control was focused; the controls never focused."""
    wanted = set(page.evaluate(FOCUSABLE))
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.evaluate("window.scrollTo(0, 0)")
    reached: set[str] = set()
    for _ in range(4 * len(wanted) + 10):  # a date field takes a Tab per part (year, month, day)
        page.keyboard.press("Tab")
        key = page.evaluate(FOCUSED_KEY)
        if key:
            reached.add(key)
        if wanted <= reached:
            break
    missing = sorted(wanted - reached, key=int)
    return [page.evaluate(DESCRIBE, k) for k in missing]


ROLE_PAGES = {
    "admin": ["/fleet", "/devices/demo-kiosk-gate", "/enroll", "/settings/alarms", "/users", "/sites",
              "/corrections", f"/sites/{SITE}", f"/sites/{SITE}/roster"],
    "prime": ["/fleet", "/devices/demo-kiosk-gate",
              "/sites", f"/sites/{SITE}", f"/sites/{SITE}/roster", f"/sites/{SITE}/calendar?month={MONTH}",
              f"/sites/{SITE}/unknown?month={MONTH}", f"/sites/{SITE}/reports?month={MONTH}", "/corrections",
              "/corrections/1", "CELL"],
    "company": ["/sites", f"/sites/{SITE}/roster", "/corrections"],
    "worker": ["/sites", f"/sites/{SITE}/calendar?month={MONTH}", "/corrections"],
}


@pytest.mark.parametrize("role", list(ROLE_PAGES))
def test_every_control_of_every_page_is_reachable_by_keyboard(pages: dict[str, Page], live: WebWorld,
                                                              role: str) -> None:
    page = pages[role]
    for path in ROLE_PAGES[role]:
        if path == "CELL":
            path = _cell_path(page, live)
        page.goto(live.url + path)
        assert _unreached(page) == [], f"{role} {path}"


def test_signed_out_pages_are_reachable_by_keyboard(anonymous: Page, live: WebWorld) -> None:
    for url in (live.url + "/sign-in", _setup_link(live, "A11y Two"), live.url + "/no-such-page"):
        anonymous.goto(url)
        assert _unreached(anonymous) == [], url
        assert re.search(r"/(sign-in|set-password|no-such-page)", anonymous.url)
