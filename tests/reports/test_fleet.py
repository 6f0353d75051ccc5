"""Every site's KPIs at once (the back office overview) agree with each site's own KPI report, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from server.api.routes.registry_common import ADMIN
from server.reports import build
from server.reports.fleet import all_site_kpis
from tests.server_domain.api_world import SITE_B, build_world
from tests.server_domain.factory import SITE


def test_fleet_kpis_equal_the_site_report(tmp_path: Path, database_url: str) -> None:
    world = build_world(tmp_path, database_url)
    with world.engine.connect() as conn:
        fleet, where = all_site_kpis(conn, "2026-11")
        report, _ = build(conn, "kpi", SITE, "2026-11", ADMIN, now=datetime(2026, 11, 22, 3, tzinfo=UTC))
    world.client.close()
    assert set(fleet) == {SITE} and SITE_B not in fleet  # a site without rows has no month to judge
    summary = {row[0]: row[1] for row in report.sheets[0].rows}
    k = fleet[SITE]

    def pct(v: float | None) -> float | None:
        return None if v is None else round(v * 100, 1)

    # the world's structure was built after its work days: no company was placed yet on them
    assert summary["事業者登録率"] == pct(k.company_registration) is None
    assert summary["技能者登録率"] == pct(k.worker_registration) == 0.0  # workers typed in locally
    assert summary["就業履歴蓄積率（カードタッチ率）"] == pct(k.touch) == 100.0
    assert set(where) == {"read_rows_s", "read_structures_s", "compute_s"}
