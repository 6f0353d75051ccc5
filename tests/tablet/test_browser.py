"""The tablet view in Debian's Chromium with touch emulation, at the three tablet sizes, both orientations."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.tablet.browser import TABLETS, chromium, pair, tablet
from tests.tablet.conftest import UNKNOWN, Kiosk
from tests.tablet.scene import busy_site

VIEWS = ("/rollcall", "/today", "/cards", "/corrections", "/gates", "/roster")
MIN_TARGET_PX = 48


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kiosk]:
    k = busy_site(tmp_path_factory.mktemp("site") / "gate-a")
    try:
        yield k
    finally:
        k.stop()


@pytest.fixture
def page(browser: Browser, site: Kiosk) -> Iterator[Page]:
    ctx = tablet(browser, TABLETS["820x1180"])
    p = ctx.new_page()
    assert site.server is not None
    pair(p, site.url, site.server.app.access.new_code().code)
    yield p
    ctx.close()


def test_pairing_by_code_opens_the_roll_call_of_everyone_on_site(page: Page, site: Kiosk) -> None:
    expect(page.locator(".done")).to_contain_text("接続しました")
    expect(page.locator(".total")).to_have_text("6")  # 1, 2, 4, 6, the unknown card, the outsider
    expect(page.locator("table.people caption")).to_have_count(5)
    expect(page.locator("table.people caption").first).to_contain_text("佐藤電設")
    expect(page.get_by_text("山田 太郎")).to_be_visible()


def test_today_lists_untouched_regulars_and_missing_exits_by_company_with_the_foreman(page: Page) -> None:
    page.locator("nav.tabs a", has_text="本日").tap()
    page.wait_for_url("**/today")
    untouched = page.locator("#untouched-list li").all_inner_texts()
    assert sorted(n.split()[0] + " " + n.split()[1] for n in untouched) == ["伊藤 翼", "小林 大"]
    groups = page.locator("#untouched-list h3").all_inner_texts()
    assert any("山田建設株式会社" in g and "職長: 山田 太郎" in g for g in groups)
    missing = " ".join(page.locator("#missing-exit-list li").all_inner_texts())
    assert "山田 太郎" in missing and "鈴木 一郎" in missing
    assert "渡辺 光" not in missing  # left before the end of the day
    assert "中村 静" not in missing


def test_every_view_fits_every_tablet_size_with_glove_sized_targets(browser: Browser, site: Kiosk) -> None:
    assert site.server is not None
    for name, (w, h) in TABLETS.items():
        for size in ((w, h), (h, w)):
            ctx = tablet(browser, size)
            p = ctx.new_page()
            pair(p, site.url, site.server.app.access.new_code().code)
            for view in VIEWS:
                p.goto(site.url + view)
                overflow = p.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
                assert overflow <= 0, f"{view} scrolls sideways at {size} ({name})"
                small = p.evaluate("""(min) => [...document.querySelectorAll('a, button, input, select, summary')]
                    .filter(e => e.offsetParent !== null && e.type !== 'hidden')
                    .map(e => [e.tagName, e.textContent.trim().slice(0, 20), e.getBoundingClientRect()])
                    .filter(([t, x, r]) => r.height < min && !(t === 'INPUT' && r.height >= 36))
                    .map(([t, x, r]) => t + ' ' + x + ' ' + Math.round(r.height))""", MIN_TARGET_PX)
                assert small == [], f"{view} at {size}: targets under {MIN_TARGET_PX}px: {small}"
                assert p.locator("html").get_attribute("lang") == "ja"
            ctx.close()


def test_binding_an_unknown_card_on_the_tablet_is_journaled_by_the_kiosk(page: Page, site: Kiosk) -> None:
    page.locator("nav.tabs a", has_text="カード登録").tap()
    page.wait_for_url("**/cards")
    row = page.locator("form.card-row", has=page.locator(f"input[value='{UNKNOWN}']"))
    row.locator("select[name=worker]").select_option("10000000000008")
    row.locator("button").tap()
    expect(page.locator(".done")).to_contain_text("カードを登録しました")
    bind = site.events()[-1]
    assert (bind.kind, bind.idm, bind.worker) == ("bind", UNKNOWN, "10000000000008")
    page.locator("nav.tabs a", has_text="安否確認").tap()
    expect(page.locator("table.people", has_text="中村設備")).to_contain_text("中村 静")


def test_forgotten_card_for_an_earlier_day_and_a_direction_fix_from_the_tablet(page: Page, site: Kiosk) -> None:
    page.locator("nav.tabs a", has_text="補正").tap()
    page.wait_for_url("**/corrections")
    form = page.locator("form[action='/corrections/manual']")
    form.locator("select[name=worker]").select_option("10000000000007")
    form.locator("input[value=in]").tap()
    form.locator("input[name=date]").fill("2026-11-19")
    form.locator("input[name=time]").fill("07:45")
    form.locator("input[name=reason]").fill("カードを車に置き忘れ")
    form.locator("button").tap()
    expect(page.locator(".done")).to_contain_text("カード忘れを記録しました")
    manual = site.events()[-1]
    assert (manual.kind, manual.worker, manual.claimed_at) == ("manual", "10000000000007",
                                                               "2026-11-19T07:45:00.000+09:00")
    expect(page.locator("table.people")).to_contain_text("カードを車に置き忘れ")
    fix = page.locator("form[action='/corrections/amend']", has_text="高橋 健")
    fix.locator("button").tap()
    expect(page.locator(".done")).to_contain_text("方向を修正しました")
    amend = site.events()[-1]
    assert (amend.kind, amend.direction) == ("amend", "out")


def test_english_is_one_tap_away(page: Page) -> None:
    page.locator("a.lang").tap()
    expect(page.locator("h1")).to_contain_text("Roll call")
    page.locator("nav.tabs a", has_text="Roster").tap()
    expect(page.locator("h1")).to_contain_text("Roster (read-only)")


def test_printed_roll_call_is_one_a4_list_of_everyone_on_site(page: Page, tmp_path: Path) -> None:
    pdf = tmp_path / "rollcall.pdf"
    names = page.locator("table.people tbody td:first-child").all_inner_texts()
    assert len(names) >= 4
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="A4", print_background=True)
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed: bash dev.sh test installs it"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "595.92 x 842.88 pts (A4)" in info or "(A4)" in info
    for name in names:
        assert name in text
    assert "安否確認" in text and "確認" in text
    assert "本日" not in text.split("安否確認", 1)[0]  # the navigation is not printed


def test_roll_call_keeps_its_last_snapshot_with_its_age_when_the_kiosk_is_unreachable(
        browser: Browser, tmp_path: Path) -> None:
    k = busy_site(tmp_path / "gate-b")
    try:
        ctx = tablet(browser, TABLETS["768x1024"])
        p = ctx.new_page()
        assert k.server is not None
        pair(p, k.url, k.server.app.access.new_code().code)
        expect(p.locator(".total")).to_have_text("6")
        k.server.stop()  # the kiosk goes away (power, Wi-Fi)
        # the next poll, now rather than in 15 s
        p.evaluate("() => { htmx.ajax('GET', '/rollcall?part=list', {target: '#rollcall-list', swap: 'outerHTML'})"
                   ".catch(() => null); return true; }")
        expect(p.locator("#stale")).to_be_visible()
        expect(p.locator("#stale")).to_contain_text("キオスクに接続できません")
        expect(p.locator("#stale")).to_contain_text("最終更新 18:20（0分前）")  # its age on the tablet's clock
        expect(p.locator(".total")).to_have_text("6")
        ctx.close()
    finally:
        k.stop()
