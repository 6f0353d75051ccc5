"""作業員名簿（社会保険加入状況）, 月別集約 and 下請負業者一覧: every format through the API and the CLI, cells checked
against figures worked out by hand from the small world below.

The world (tests/server_domain/api_world.py) plus, added here through the API and a real kiosk journal:

- W4 ヤマダ 山田四郎 of 一次工務店: health, pension and employment insurance joined, 建退共 member; taps in at
  07:30 and out at 19:00 on 11-03 (690 min = 11.5 h) and in at 08:00 on 11-04 with no exit (hours unknown);
- W5 サトウ 佐藤五郎 of 一次工務店: health joined, pension NOT joined, employment unknown; never worked.

Already there: W1 技能者21 (二次建築) and W2 技能者72 (一次工務店), insurance unknown, each one card day on
11-02 from 08:00/08:05 to 17:00/17:05 (540 min = 9.0 h each).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from genba.cli.server_domain_seed import JournalKiosk
from server.reports import KINDS
from server.reports.variants import insurance_verdict
from tests.reports.test_api_reports import csv_text, get
from tests.server_domain.api_world import World
from tests.server_domain.factory import SITE, SUB1, SUB2, W1, W2, jst

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

W4, W5 = "30000000000004", "30000000000005"
CARD4 = "00000000000000B4"
NEW_KINDS = ("roster-insurance", "monthly-totals", "subcontractors")


@pytest.fixture(scope="module")
def more(world: World, tmp_path_factory: pytest.TempPathFactory) -> World:
    world.ok("admin", "POST", "/workers", {"worker": W4, "name": "山田四郎", "furigana": "ヤマダ シロウ",
                                           "employer": SUB1, "health_insurance": True, "pension": True,
                                           "employment_insurance": True, "retirement_fund": True}, 201)
    world.ok("admin", "POST", "/workers", {"worker": W5, "name": "佐藤五郎", "furigana": "サトウ ゴロウ",
                                           "employer": SUB1, "health_insurance": True, "pension": False}, 201)
    for w in (W4, W5):
        world.ok("sub1", "POST", f"/sites/{SITE}/roster", {"worker": w, "valid_from": "2026-11-01",
                                                          "trade_code": "0101", "trade_name": "型枠工"}, 201)
    world.ok("sub1", "POST", "/cards", {"idm": CARD4, "worker": W4, "valid_from": "2026-01-01"}, 201)
    ctx = world.client.app.state.genba  # type: ignore[attr-defined]
    kiosk = JournalKiosk(tmp_path_factory.mktemp("kiosk-b"), "kiosk-b", SITE, jst(3, 0))
    kiosk.enroll(ctx.engine, ctx.now())
    kiosk.tap(CARD4, "in", jst(3, 7, 30))
    kiosk.tap(CARD4, "out", jst(3, 19, 0))
    kiosk.tap(CARD4, "in", jst(4, 8, 0))
    kiosk.ship(ctx.ingest)
    ctx.worker.drain()
    kiosk.close()
    return world


def sheet_rows(wb: Any, name: str) -> list[list[Any]]:
    """Data rows of one sheet (row 1 the title, row 2 the header; the notes below fill the first cell only)."""
    out = []
    for r in wb[name].iter_rows(min_row=3):
        values = [c.value for c in r]
        if all(v is None for v in values[1:]):
            break
        out.append(values)
    return out


def book(world: World, kind: str, role: str = "admin") -> Any:
    r = get(world, role, kind, format="xlsx")
    assert r.status_code == 200, r.text
    return openpyxl.load_workbook(io.BytesIO(r.content))


def test_the_verdict_of_the_three_insurances() -> None:
    assert insurance_verdict(True, True, True) == "適正"
    assert insurance_verdict(True, False, None) == "未加入あり"
    assert insurance_verdict(None, True, True) == "不明あり"
    assert insurance_verdict(None, None, None) == "不明あり"


def test_the_new_kinds_are_offered(more: World) -> None:
    body = more.ok("prime", "GET", "/reports")
    assert {k["kind"] for k in body["kinds"]} >= set(NEW_KINDS)
    assert set(NEW_KINDS) <= set(KINDS)


def test_roster_insurance_counts_per_company_and_per_worker(more: World) -> None:
    wb = book(more, "roster-insurance")
    assert wb.sheetnames == ["集計", "一次工務店(株)", "二次建築(株)"]
    summary = sheet_rows(wb, "集計")
    # 所属事業者, 事業者ID, 事業者の社会保険, 技能者数, 健康, 年金, 雇用, 適正, 未加入あり, 不明あり, 適正加入率
    assert summary == [
        ["一次工務店(株)", SUB1, None, 3, 2, 1, 1, 1, 1, 1, 33.3],  # W4 適正, W5 未加入あり, W2 不明
        ["二次建築(株)", SUB2, None, 1, 0, 0, 0, 0, 0, 1, 0.0],  # W1 不明
        ["合計", None, None, 4, 2, 1, 1, 1, 1, 2, 25.0],
    ]
    first = {r[2]: r for r in sheet_rows(wb, "一次工務店(株)")}
    assert first[W4][4:] == ["○", "○", "○", "適正", "○"]
    assert first[W5][4:] == ["○", "×", None, "未加入あり", None]
    assert first[W2][4:] == [None, None, None, "不明あり", None]
    assert first[W4][1] == "ヤマダ シロウ\n山田四郎" and first[W4][3] == "型枠工"
    fill = wb["一次工務店(株)"]
    row = next(r for r in fill.iter_rows(min_row=3) if r[2].value == W5)
    assert row[0].fill.fgColor.rgb != "00000000", "a worker with an insurance missing is highlighted"


def test_monthly_totals_per_worker_and_per_company(more: World) -> None:
    wb = book(more, "monthly-totals")
    assert wb.sheetnames == ["事業者別", "技能者別"]
    per_worker = {r[2]: r[5:] for r in sheet_rows(wb, "技能者別") if r[2]}
    # 就業日数, カードタッチ日数, 手入力・補正日数, 在場時間(h), 時刻不明日, 建退共加入, 建退共充当日数
    assert per_worker[W4] == [2, 2, 0, 11.5, 1, "○", 2]
    assert per_worker[W5] == [0, 0, 0, 0.0, 0, None, "—"]
    assert per_worker[W2] == [1, 1, 0, 9.0, 0, None, "—"]
    assert per_worker[W1] == [1, 1, 0, 9.0, 0, None, "—"]
    total = next(r for r in sheet_rows(wb, "技能者別") if r[1] == "合計")
    assert total[5:] == [4, 4, 0, 29.5, 1, None, 2]
    per_company = {r[0]: r[1:] for r in sheet_rows(wb, "事業者別")}
    # 事業者ID, 就業技能者数, 延べ人工, カードタッチ人工, タッチ率, 在場時間, 建退共充当日数
    assert per_company["一次工務店(株)"] == [SUB1, 2, 3, 3, 100.0, 20.5, 2]
    assert per_company["二次建築(株)"] == [SUB2, 1, 1, 1, 100.0, 9.0, 0]
    assert per_company["合計"] == [None, 3, 4, 4, 100.0, 29.5, 2]


def test_subcontractors_list_every_company_below_the_prime_with_its_notice_state(more: World) -> None:
    wb = book(more, "subcontractors")
    rows = sheet_rows(wb, "下請負業者一覧")
    # 次数, 事業者名, 事業者ID, 上位, 許可, 工事, 再下請負通知, 通知日, 承認日, 社会保険, 名簿, 就業者, 人工
    by_name = {r[1]: r for r in rows}
    assert [r[0] for r in rows[:-1]] == ["1次", "2次", "2次"]
    sub1 = by_name["一次工務店(株)"]
    assert sub1[2:4] == [SUB1, "基本建設(株)"] and sub1[6] == "承認済" and sub1[10:] == [3, 2, 3]
    sub2 = by_name["二次建築(株)"]
    assert sub2[3] == "一次工務店(株)" and sub2[6] == "承認済" and sub2[10:] == [1, 1, 1]
    placeholder = by_name["CCUS建設"]
    assert placeholder[2] is None and placeholder[6] == "CCUS未登録" and placeholder[10:] == [0, 0, 0]
    assert placeholder[8] is None, "a name-only placeholder was never approved by anyone"
    assert rows[-1][1] == "下請負業者 3 社" and rows[-1][10:] == [4, 3, 4]


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_every_format_of_the_new_kinds_agrees_with_the_xlsx(more: World, kind: str) -> None:
    wb = book(more, kind)
    first = wb.sheetnames[0]
    text = csv_text(get(more, "admin", kind, format="csv"))
    cp = get(more, "admin", kind, format="csv-cp932")
    assert cp.status_code == 200
    assert cp.content.decode("cp932") == text.replace("\ufeff", "").replace("—", "―"), "— is CP932's ―"
    lines = list(csv.reader(io.StringIO(text)))
    if len(wb.sheetnames) > 1:  # each sheet: its title on a line of its own, then the header
        assert lines.pop(0) == [wb[first]["A1"].value]
    assert lines[0] == [str(c.value).replace("\n", " ") for c in wb[first][2]]
    assert len(lines[1]) == len(lines[0])
    pdf = get(more, "admin", kind, format="pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and len(pdf.content) > 5_000


def test_a_subcontractor_sees_only_its_branch_in_the_new_reports(more: World) -> None:
    wb = book(more, "monthly-totals", role="sub2")
    assert {r[2] for r in sheet_rows(wb, "技能者別") if r[2]} == {W1}
    wb = book(more, "roster-insurance", role="sub2")
    assert wb.sheetnames == ["集計", "二次建築(株)"]
    assert get(more, "other", "subcontractors").status_code == 404


def test_the_cli_writes_the_new_kinds(more: World, tmp_path: Path) -> None:
    from genba.cli import app

    runner = CliRunner()
    for kind in NEW_KINDS:
        out = tmp_path / f"{kind}.xlsx"
        result = runner.invoke(app, ["--data-dir", str(tmp_path / "data"), "server", "report", kind, "--site", SITE,
                                     "--month", "2026-11", "--format", "xlsx", "--out", str(out)],
                               env={"GENBA_LANG": "en", "GENBA_DATABASE_URL": str(more.engine.url)})
        assert result.exit_code == 0, result.output
        assert openpyxl.load_workbook(out).sheetnames == book(more, kind).sheetnames
    result = runner.invoke(app, ["server", "report", "--help"], env={"COLUMNS": "300"})
    assert "daily|roster-insurance|monthly-totals|subcontractors" in result.stdout
