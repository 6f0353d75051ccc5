"""Any report as a formatted XLSX workbook (openpyxl, write-only mode: constant memory, one pass).

Each sheet: a title line, one header row, frozen header and name columns,
column widths, Saturday (blue), Sunday and public-holiday (red) day columns,
bold total rows, highlighted rows that need attention, notes below, and a
print setup that fits the width of one page (A4 or A3, landscape unless the
sheet says portrait) with the header repeated on every page.

Styles are built once per sheet, and one reusable cell per style carries every value of that style to
openpyxl's writer (no cell object, no style lookup per cell), so a 1,000-worker month stays close to
writing bare values (bench/bench_reports.py).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from copy import copy
from functools import lru_cache
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
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


class _Reused(Cell):  # type: ignore[misc]  # openpyxl has no type hints
    """One cell object per style, re-filled for every value of that style and serialised at once.

    openpyxl's write-only sheet turns each appended value into a cell and writes it before it takes the next
    (``_values_to_row`` feeds ``write_row`` one cell at a time), so a single object per style serves every
    cell of that style. Its style id is looked up once, not once per cell."""

    __slots__ = ("_sid",)
    has_style = True

    @property
    def style_id(self) -> int:
        return int(self._sid)


class _Styles:
    """One :class:`_Reused` cell per (what, day colour, row style): styles are built once per sheet."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.cache: dict[tuple[str, str, str], _Reused] = {}

    def proto(self, what: str, dk: str, row_style: str) -> _Reused:
        key = (what, dk, row_style)
        cell = self.cache.get(key)
        if cell is None:
            cell = _Reused(self.ws)
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
            cell._sid = self.ws.parent._cell_styles.add(cell._style)
            self.cache[key] = cell
        return cell

    def cell(self, value: Any, what: str, dk: str = "", row_style: str = "") -> tuple[Any, _Reused]:
        return value, self.proto(what, dk, row_style)


def _row_cells(pairs: list[tuple[Any, _Reused]], row_idx: int) -> Iterator[Cell]:
    """Replaces the write-only sheet's ``_values_to_row``: (value, styled cell) pairs → cells, each written
    before the next is made."""
    for col_idx, (value, cell) in enumerate(pairs, 1):
        if value is None:
            continue
        cell.value = value
        if cell.data_type == "f":  # openpyxl takes any text starting with "=" for a formula: keep it text
            cell.data_type = "s"
        elif cell.data_type == "d":  # a date changes the number format, so the style: a cell of its own
            own = WriteOnlyCell(cell.parent, value)
            own._style = copy(cell._style)
            own.column, own.row = col_idx, row_idx
            yield own
            continue
        cell.column, cell.row = col_idx, row_idx
        yield cell


@lru_cache(maxsize=8192)
def _lines(text: str, width: float) -> int:
    """How many lines ``text`` takes in a wrapped cell ``width`` characters wide (full-width counts two); ≤ 4."""
    total = 0
    for part in text.split("\n"):
        used = len(part) if part.isascii() else sum(2 if ord(ch) > 0x2E7F else 1 for ch in part)
        total += max(1, -(-int(used * 1.05) // max(1, int(width))))
    return min(total, 4)


def _kinds(columns: list[Column], holidays: dict[Any, str]) -> list[str]:
    return [day_kind(c.day, holidays) if c.day else ("" if c.kind == "text" else "c") for c in columns]


def _write_sheet(wb: Workbook, report: Report, sheet: Sheet) -> None:
    ws = wb.create_sheet(sheet.name)
    ws._values_to_row = _row_cells  # rows are (value, styled cell) pairs (see _Reused)
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
    protos: dict[str, list[_Reused]] = {}
    for n, (row, row_style) in enumerate(zip(sheet.rows, sheet.styles, strict=False), 3):
        # a cell can only wrap when its text is longer than half its width (full-width characters count two)
        long = [_lines(v, w) for v, w in zip(row, widths, strict=False) if isinstance(v, str) and 2 * len(v) > w]
        if long and max(long) > 1:
            ws.row_dimensions[n].height = 12.5 * max(long)
        cells = protos.get(row_style)
        if cells is None:
            cells = protos[row_style] = [styles.proto("cell", k, row_style) for k in cell_kinds]
        ws.append([(cell_text(v) if v is None or v is True or v is False else v, c)
                   for v, c in zip(row, cells, strict=False)])
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
