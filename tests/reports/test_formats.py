"""The XLSX and PDF writers: opened again and checked cell by cell (XLSX) and for embedded Japanese fonts (PDF)."""

from __future__ import annotations

import io
import zlib
from typing import Any

import openpyxl
import pytest

from tests.reports.test_api_reports import get
from tests.server_domain.api_world import World

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def workbook(world: World, kind: str, **params: Any) -> Any:
    r = get(world, "admin", kind, format="xlsx", **params)
    assert r.status_code == 200, r.text
    return openpyxl.load_workbook(io.BytesIO(r.content))


def test_calendar_xlsx_has_frozen_header_day_colours_and_an_a3_print_setup(world: World) -> None:
    ws = workbook(world, "calendar")["月別カレンダー"]
    assert ws["A1"].value.startswith("月別カレンダー 2026-11")
    header = [c.value for c in ws[2]]
    assert header[:5] == ["No", "氏名", "所属事業者", "職種", "立場"]
    assert header[5] == "1\n日" and header[-3:] == ["就業日数", "建退共\n加入", "建退共\n充当日数"]
    assert ws.freeze_panes == "C3"
    # 2026-11-01 Sunday (red), 11-03 文化の日 (red), 11-07 Saturday (blue), 11-02 Monday (grey header)
    assert ws.cell(2, 6).fill.fgColor.rgb.endswith("F4B0B0")
    assert ws.cell(2, 8).fill.fgColor.rgb.endswith("F4B0B0")
    assert ws.cell(2, 12).fill.fgColor.rgb.endswith("9BC2E6")
    assert ws.cell(2, 7).fill.fgColor.rgb.endswith("D9D9D9")
    row = next(r for r in ws.iter_rows(min_row=3) if r[1].value == "技能者21")
    assert row[6].value == "08:00-17:00" and row[-3].value == 1
    total = next(r for r in ws.iter_rows(min_row=3) if r[1].value == "合計（人工）")
    assert total[1].font.b and total[6].value == 2
    assert ws.page_setup.paperSize == 8 and ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows == "$1:$2"
    assert ws.column_dimensions["B"].width == 14


def test_attendance_xlsx_counts_person_days_per_company(world: World) -> None:
    wb = workbook(world, "attendance")
    summary = wb["集計"]
    rows = {r[0].value: (r[1].value, r[2].value) for r in summary.iter_rows(min_row=3) if r[0].value}
    assert rows["二次建築(株)"] == (1, 1) and rows["一次工務店(株)"] == (1, 1) and rows["合計"] == (2, 2)
    sheet = wb["二次建築(株)"]
    worker = next(r for r in sheet.iter_rows(min_row=3) if r[1].value == "技能者21")
    assert [c.value for c in worker[3:5]] == [None, 1] and worker[-1].value == 1


def test_pdf_embeds_a_japanese_font(world: World) -> None:
    r = get(world, "admin", "structure-chart", format="pdf")
    assert r.content.startswith(b"%PDF")
    assert b"NotoSansCJK" in r.content or b"Noto Sans CJK" in r.content or _in_streams(r.content, b"NotoSansCJK")


def _in_streams(pdf: bytes, needle: bytes) -> bool:
    for chunk in pdf.split(b"stream")[1:]:
        body = chunk.split(b"endstream")[0].strip(b"\r\n")
        try:
            if needle in zlib.decompress(body):
                return True
        except zlib.error:
            continue
    return False
