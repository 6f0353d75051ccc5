"""Debian's Chromium through Playwright, as a touch tablet (never ``playwright install``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
TABLETS = {"768x1024": (768, 1024), "820x1180": (820, 1180), "800x1280": (800, 1280)}
"""iPad mini / 9.7", iPad Air 10.9", a 10" Android tablet — portrait; landscape swaps them."""


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--lang=ja-JP"])
        try:
            yield browser
        finally:
            browser.close()


def tablet(browser: Browser, size: tuple[int, int], **kw: Any) -> BrowserContext:
    return browser.new_context(viewport={"width": size[0], "height": size[1]}, has_touch=True, is_mobile=True,
                               device_scale_factor=1, locale="ja-JP", timezone_id="Asia/Tokyo", **kw)


def pair(page: Page, base: str, code: str) -> None:
    """Pair the way a site manager does: open the QR code's address, tap 接続する."""
    page.goto(f"{base}/pair?code={code.replace('-', '')}")
    page.fill("input[name=label]", "所長のタブレット")
    page.locator("form[action='/pair'] button").first.tap()
    page.wait_for_url(f"{base}/rollcall?done=paired")
