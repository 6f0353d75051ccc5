"""The demo site's month (``genba server seed-demo``) produces every report in every format, with content."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import openpyxl
import pytest

from genba.cli.server_domain_demo import seed_demo
from server.api.routes.registry_common import ADMIN
from server.context import ServerContext, open_context
from server.reports import FORMATS, KINDS, build, render
from server.settings import Settings

MONTH = "2026-10"
NOW = datetime(2026, 11, 3, 0, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerContext, str]]:
    root = tmp_path_factory.mktemp("demo")
    ctx = open_context(Settings(data_dir=root / "data", log_json=False), check_token=False)
    seeded = seed_demo(ctx, root / "kiosks", MONTH)
    yield ctx, seeded.site
    ctx.close()


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("kind", list(KINDS))
def test_every_report_of_the_demo_month_renders(demo: tuple[ServerContext, str], kind: str, fmt: str) -> None:
    ctx, site = demo
    if fmt == "pdf" and kind not in ("kpi", "structure-chart"):
        pytest.skip("PDF of the table reports: test_api_reports.py and tools/render_report_images.py (time)")
    with ctx.engine.connect() as conn:
        out = render(conn, kind, site, MONTH, fmt, ADMIN, now=NOW, day=date(2026, 10, 20))
    assert out.filename.startswith(f"{kind}_{site}_")
    if fmt == "xlsx":
        wb = openpyxl.load_workbook(io.BytesIO(out.content))
        assert sum(ws.max_row for ws in wb.worksheets) > 3
    elif fmt == "pdf":
        assert out.content.startswith(b"%PDF")
    else:
        text = out.content.decode("utf-8-sig" if fmt == "csv" else "cp932")
        assert text.count("\r\n") > 3


def sheet(ctx: ServerContext, site: str, kind: str, name: str, **kw: Any) -> Any:
    with ctx.engine.connect() as conn:
        report, _ = build(conn, kind, site, MONTH, ADMIN, now=NOW, **kw)
    return next(s for s in report.sheets if s.name == name)


def test_the_demo_month_has_something_in_every_daily_list(demo: tuple[ServerContext, str]) -> None:
    ctx, site = demo
    day = date(2026, 10, 20)
    for name in ("未タッチ者", "期限30日以内", "教育未実施"):
        assert sheet(ctx, site, "daily", name, day=day).rows, name
    expired = sheet(ctx, site, "daily", "期限30日以内", day=day)
    assert {r[-1] for r in expired.rows} == {"期限切れ", "まもなく"}
    missing_exit = [sheet(ctx, site, "daily", "退場漏れ", day=date(2026, 10, d)).rows for d in range(1, 32)]
    assert any(missing_exit)


def test_the_demo_calendar_credits_retirement_fund_days_to_members_only(demo: tuple[ServerContext, str]) -> None:
    ctx, site = demo
    cal = sheet(ctx, site, "calendar", "月別カレンダー")
    members = [r for r in cal.rows[:-1] if r[-2] is True]
    others = [r for r in cal.rows[:-1] if r[-2] is not True]
    assert members and others
    assert all(r[-1] == r[-3] for r in members)
    assert all(r[-1] == "—" for r in others)


def test_fleet_kpis_counted_by_the_database_equal_the_demo_site_report(demo: tuple[ServerContext, str]) -> None:
    from server.reports.fleet import all_site_kpis

    ctx, site = demo
    with ctx.engine.connect() as conn:
        fleet, _ = all_site_kpis(conn, MONTH)
    summary = {row[0]: row[1] for row in sheet(ctx, site, "kpi", "KPI").rows}
    k = fleet[site]
    assert summary["事業者登録率"] == round(k.company_registration * 100, 1)  # type: ignore[operator]
    assert summary["技能者登録率"] == round(k.worker_registration * 100, 1)  # type: ignore[operator]
    assert summary["就業履歴蓄積率（カードタッチ率）"] == round(k.touch * 100, 1)  # type: ignore[operator]
    assert 0 < k.touch < 1 and 0 < k.company_registration < 1  # type: ignore[operator]
