"""Playwright on Debian's Chromium (never ``playwright install``): one browser per test session, one signed-in
page per role, reused by every browser test; axe-core (vendored) for accessibility."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page

from tests.web.world import PASSWORD

CHROMIUM = "/usr/bin/chromium"
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")


def launch(pw: Any) -> Browser:
    browser: Browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
    return browser


def signed_in_page(browser: Browser, url: str, login: str, *, width: int = 1366, height: int = 768) -> Page:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="ja-JP")
    page = context.new_page()
    page.goto(url + "/sign-in")
    page.fill("#f-login", login)
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state("networkidle")
    return page


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations of the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE)
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result if v["impact"] in ("serious", "critical")]


def no_horizontal_overflow(page: Page) -> bool:
    """At 200 % zoom the page reflows: nothing but the marked scroll regions is wider than the window."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))
