"""Screenshots of every console page at 1366×768 and 1920×1080 into docs/screenshots/web/.

Run: ``uv run --frozen python -m tests.web.screenshots`` (Debian's Chromium, the demo site, a user per role;
about a minute). Not part of the test suite; the pages themselves are tested in tests/web/test_browser_*.py.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from server.store import domain_schema as dom
from server.store.engine import write_transaction
from server.web import accounts
from server.web.auth import Policy
from tests.web.browser import launch, signed_in_page
from tests.web.world import EVIL_NAME, MONTH, build, serving

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "web"
SITE = "90000000000001"
SIZES = ((1366, 768), (1920, 1080))


def shots(page: Page, name: str, path: str, base: str, prepare: str | None = None) -> None:
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        if prepare:
            page.evaluate(prepare)
            page.wait_for_timeout(900)
        page.screenshot(path=str(OUT / f"{name}-{width}x{height}.png"))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="genba-console-shots-")) / "server"
    w = build(root)
    with write_transaction(w.ctx.engine) as conn:  # the test world's hostile name is for the tests, not the docs
        conn.execute(dom.users.update().where(dom.users.c.name == EVIL_NAME).values(name="元請 太郎"))
    with write_transaction(w.ctx.engine) as conn:
        link = accounts.setup_path(accounts.reset_link(conn, 1, w.ctx.now(), Policy()))
        from server.store import console_store as store

        store.set_gate_name(conn, "demo-kiosk-gate", "正門", w.ctx.now())
        store.set_gate_name(conn, "demo-kiosk-office", "詰所", w.ctx.now())
    with sync_playwright() as pw, serving(w, Policy(poll_seconds=3600)):
        browser = launch(pw)
        anon = browser.new_context().new_page()
        shots(anon, "sign-in", "/sign-in", w.url)
        shots(anon, "set-password", link, w.url)
        shots(anon, "docs", "/docs", w.url)
        shots(anon, "redoc", "/redoc", w.url)
        shots(anon, "not-found", "/no-such-page", w.url)
        with write_transaction(w.ctx.engine) as conn:
            from server.web.passwords import hash_password
            from tests.web.world import PASSWORD

            store.set_password(conn, 1, hash_password(PASSWORD), w.ctx.now())
        admin = signed_in_page(browser, w.url, w.logins["admin"])
        shots(admin, "fleet", "/fleet", w.url)
        shots(admin, "device", "/devices/demo-kiosk-office", w.url)
        shots(admin, "settings", "/settings/alarms", w.url)
        shots(admin, "users", "/users", w.url)
        for width, height in SIZES:
            admin.set_viewport_size({"width": width, "height": height})
            admin.goto(w.url + f"/enroll?site={SITE}")
            admin.click("button.primary")
            admin.wait_for_load_state("networkidle")
            admin.screenshot(path=str(OUT / f"enroll-{width}x{height}.png"))
        admin.goto(w.url + "/lang/en?next=/fleet")
        shots(admin, "fleet-en", "/fleet", w.url)
        prime = signed_in_page(browser, w.url, w.logins["prime"])
        shots(prime, "sites", f"/sites?month={MONTH}", w.url)
        shots(prime, "site-structure", f"/sites/{SITE}", w.url)
        shots(prime, "site-roster", f"/sites/{SITE}/roster", w.url)
        shots(prime, "site-calendar", f"/sites/{SITE}/calendar?month={MONTH}", w.url,
              "document.querySelector('table.cal tbody tr:nth-child(4) td:nth-child(8) a').click();"
              "setTimeout(() => document.querySelector('#cell').scrollIntoView({block: 'end'}), 300)")
        cell = prime.evaluate("document.querySelector('table.cal tbody tr:nth-child(4) td:nth-child(8) a')"
                              ".getAttribute('href')")
        cell = cell if cell.startswith("/") else f"/sites/{SITE}/{cell}"  # the link is relative to the site
        shots(prime, "calendar-cell", cell, w.url)  # the cell's own page: what a browser without JavaScript opens
        shots(prime, "site-unknown", f"/sites/{SITE}/unknown?month={MONTH}", w.url)
        shots(prime, "site-reports", f"/sites/{SITE}/reports?month={MONTH}", w.url)
        shots(prime, "fleet-prime", "/fleet", w.url)
        shots(prime, "corrections", "/corrections", w.url)
        shots(prime, "correction", "/corrections/1", w.url)
        from server.domain.registry import Company
        from server.store import domain_records as rec
        from tests.web.world import add_console_user

        with write_transaction(w.ctx.engine) as conn:  # a prime contractor's user whose company has no site yet
            rec.add_company(conn, Company("30000000000099", "新規建設(株)", origin="ccus"))
        lonely = add_console_user(w.ctx, "prime", "新規 一郎", company="30000000000099", login="lonely")
        shots(signed_in_page(browser, w.url, lonely), "sites-empty", "/sites", w.url)
        shots(signed_in_page(browser, w.url, w.logins["company"]), "forbidden", "/users", w.url)  # the 403 page
        browser.close()
    w.ctx.close()
    print(f"wrote {len(list(OUT.glob('*.png')))} screenshots to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
