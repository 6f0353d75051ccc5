"""No cell of a CSV export can become a spreadsheet formula (issue 9 item 12)."""

from __future__ import annotations

import csv
import io

import pytest

from server.domain.report import HISTORY_COLUMNS, to_csv
from shared.csv_safety import FORMULA_TRIGGERS, neutralise_formula, safe_cell

FORMULAS = [
    "=1+1", "+1+1", "-1+1", "@SUM(A1)", "|calc", "=HYPERLINK(\"http://x\",\"y\")",
    " =1+1", "  +cmd", "\t=1+1", "\t-2", " \t@x", "\r=1", "\n=1", "\u3000=1+1", "\u00a0=1", "＝1+1", "＋1", "－1",
    "＠A1", "\tplain text after a tab",
]
PLAIN = ["とび工", "鉄筋 組立", "", "1+1=2", "a=b", "TEL 03-1234-5678", "(株)山田", "'quoted", "email@example.jp"]


@pytest.mark.parametrize("text", FORMULAS)
def test_every_formula_trigger_is_neutralised(text: str) -> None:
    assert neutralise_formula(text) == "'" + text


@pytest.mark.parametrize("text", PLAIN)
def test_text_that_is_not_a_formula_is_unchanged(text: str) -> None:
    assert neutralise_formula(text) == text


def test_numbers_and_missing_values_pass_through() -> None:
    assert [safe_cell(v) for v in (-5, 0, 1.5, None, True)] == [-5, 0, 1.5, None, True]
    assert {"=", "+", "-", "@"} <= FORMULA_TRIGGERS


@pytest.mark.parametrize("text", FORMULAS)
def test_the_history_csv_export_writes_no_formula(text: str) -> None:
    row = {c: None for c in HISTORY_COLUMNS} | {"site": "12345678901234", "work_day": "2026-11-02",
                                                 "work_content": text, "hazardous": text}
    parsed = list(csv.DictReader(io.StringIO(to_csv([row]), newline="")))
    assert len(parsed) == 1
    assert parsed[0]["work_content"] == "'" + text and parsed[0]["hazardous"] == "'" + text


@pytest.mark.parametrize("text", ["x\r=cmd", "x\n=cmd", "x\r\n@SUM(A1)"])
def test_a_line_break_inside_a_cell_cannot_start_a_new_row_with_a_formula(text: str) -> None:
    row = {c: None for c in HISTORY_COLUMNS} | {"site": "12345678901234", "work_content": text}
    parsed = list(csv.reader(io.StringIO(to_csv([row]), newline="")))
    assert len(parsed) == 2 and parsed[1][HISTORY_COLUMNS.index("work_content")] == text
