"""Any report as a formatted XLSX workbook (openpyxl, write-only mode: constant memory, one pass).

Each sheet: a title line, one header row, frozen header and name columns,
column widths, Saturday (blue), Sunday and public-holiday (red) day columns,
bold total rows, highlighted rows that need attention, notes below, and a
print setup that fits the width of one page (A4 or A3, landscape unless the
sheet says portrait) with the header repeated on every page.

Styles are built once per workbook and copied by style index onto each cell,
so a 1,000-worker month stays close to writing bare values (bench/bench_reports.py).
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from server.reports.csvout import cell_text
from server.reports.model import Column, Report, Sheet, day_kind

FONT = "Noto Sans CJK JP"
DAY_FILL = {"sat": "DDEBF7", "sun": "FCE4E4", "holiday": "FCE4E4"}
HEAD_FILL = {"sat": "9BC2E6", "sun": "F4B0B0", "holiday": "F4B0B0", "weekday": "D9D9D9"}
ROW_FILL = {"warn": "FFF2CC", "total": "EDEDED", "muted": None, "": None, "head": None}
PAPER = {"A4": 9, "A3": 8}
THIN = Side(style="thin", color="999999")


class _Styles:
    """Prototype cells, one per (what, day colour, row style): their style is copied, never rebuilt."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.cache: dict[tuple[str, str, str], Any] = {}

    def proto(self, what: str, dk: str, row_style: str) -> Any:
        key = (what, dk, row_style)
        cell = self.cache.get(key)
        if cell is None:
            cell = WriteOnlyCell(self.ws)
            bold = what in ("head", "title") or row_style == "total"
            cell.font = Font(name=FONT, size=14 if what == "title" else 9, bold=bold,
                             color="808080" if row_style == "muted" else ("C00000" if dk in ("sun", "holiday")
                                                                         and what == "head" else None))
            colour = (HEAD_FILL.get(dk) if what == "head" else (ROW_FILL.get(row_style) or DAY_FILL.get(dk)))
            if colour and what != "title" and what != "note":
                cell.fill = PatternFill("solid", fgColor=colour)
            if what in ("head", "cell"):
                cell.border = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
                horizontal = "center" if what == "head" or dk != "" else None
                cell.alignment = Alignment(horizontal=horizontal, vertical="center", wrap_text=True)
            self.cache[key] = cell
        return cell

    def cell(self, value: Any, what: str, dk: str = "", row_style: str = "") -> Any:
        c = WriteOnlyCell(self.ws, value)
        if c.data_type == "f":  # openpyxl takes any text starting with "=" for a formula: keep it text
            c.data_type = "s"
        # shared, not copied: a write-only cell is serialised once and never restyled
        c._style = self.proto(what, dk, row_style)._style
        return c


def _lines(text: str, width: float) -> int:
    """How many lines ``text`` takes in a wrapped cell ``width`` characters wide (full-width counts two); ≤ 4."""
    total = 0
    for part in text.split("\n"):
        used = sum(2 if ord(ch) > 0x2E7F else 1 for ch in part)
        total += max(1, -(-int(used * 1.05) // max(1, int(width))))
    return min(total, 4)


def _kinds(columns: list[Column], holidays: dict[Any, str]) -> list[str]:
    return [day_kind(c.day, holidays) if c.day else ("" if c.kind == "text" else "c") for c in columns]


def _write_sheet(wb: Workbook, report: Report, sheet: Sheet) -> None:
    ws = wb.create_sheet(sheet.name)
    styles = _Styles(ws)
    kinds = _kinds(sheet.columns, report.holidays)
    ncol = len(sheet.columns)
    for i, col in enumerate(sheet.columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = col.width
    ws.freeze_panes = f"{get_column_letter(sheet.frozen_columns + 1)}3"
    ws.sheet_properties.pageSetUpPr.fitToPage = True  # write-only: the sheet's head goes out with the first row
    # one cell only in the title row, so the text runs on over the empty cells to its right
    ws.append([styles.cell(sheet.title, "title")])
    ws.row_dimensions[1].height = 24
    ws.row_dimensions[2].height = 12.5 * max(_lines(c.title, c.width) for c in sheet.columns)
    ws.append([styles.cell(c.title, "head", "" if k == "c" else k) for c, k in zip(sheet.columns, kinds, strict=False)])
    widths = [c.width for c in sheet.columns]
    cell_kinds = ["" if k in ("", "c", "weekday") else k for k in kinds]
    for n, (row, row_style) in enumerate(zip(sheet.rows, sheet.styles, strict=False), 3):
        # a cell can only wrap when its text is longer than half its width (full-width characters count two)
        long = [_lines(v, w) for v, w in zip(row, widths, strict=False) if isinstance(v, str) and 2 * len(v) > w]
        if long and max(long) > 1:
            ws.row_dimensions[n].height = 12.5 * max(long)
        ws.append([styles.cell(cell_text(v) if isinstance(v, bool) or v is None else v, "cell", k, row_style)
                   for v, k in zip(row, cell_kinds, strict=False)])
    last = 2 + len(sheet.rows)
    for note in sheet.notes:
        ws.append([styles.cell(note, "note")])
    ws.append([styles.cell(f"{report.site_name}（現場ID {report.site}）　作成 {report.generated}　Genba", "note")])
    ws.page_setup.orientation = "landscape" if sheet.landscape else "portrait"
    ws.page_setup.paperSize = PAPER[sheet.paper]
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = "1:2"
    ws.print_area = f"A1:{get_column_letter(ncol)}{last + len(sheet.notes) + 1}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5


def to_xlsx(report: Report) -> bytes:
    wb = Workbook(write_only=True)
    for sheet in report.sheets:
        _write_sheet(wb, report, sheet)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
