"""The one shape every report takes before it becomes CSV, XLSX or PDF: sheets of typed columns.

A report is a title and sheets; a sheet is columns and rows of plain values
(text, numbers, booleans, dates, None). Writers (csvout, xlsx, pdf) turn any
sheet into their format, so the four formats of a report can never disagree
about a number. Day columns carry their date, so every writer colours
Saturdays, Sundays and public holidays the same way. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, Literal

import holidays as holiday_tables

ColumnKind = Literal["text", "num", "day", "flag"]
RowStyle = Literal["", "total", "warn", "muted", "head"]
WEEKDAYS_JA = "月火水木金土日"


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    width: float = 10.0
    """In Excel character widths (PDF uses them as relative widths)."""
    kind: ColumnKind = "text"
    day: date | None = None
    """For day columns: the date (weekday / holiday colouring)."""


@dataclass(slots=True)
class Sheet:
    name: str
    """Excel sheet name (≤ 31 characters) and the PDF section heading."""
    title: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    styles: list[RowStyle] = field(default_factory=list)
    """One per row ("" = plain)."""
    notes: list[str] = field(default_factory=list)
    paper: Literal["A4", "A3"] = "A4"
    landscape: bool = True
    frozen_columns: int = 1
    """Columns kept visible when scrolling right (names)."""

    def add(self, row: list[Any], style: RowStyle = "") -> None:
        assert len(row) == len(self.columns), (len(row), len(self.columns))
        self.rows.append(row)
        self.styles.append(style)


@dataclass(slots=True)
class Report:
    kind: str
    title: str
    site: str
    site_name: str
    period: str
    """``YYYY-MM`` or ``YYYY-MM-DD`` for daily lists."""
    sheets: list[Sheet]
    generated: str
    holidays: dict[date, str] = field(default_factory=dict)
    chart: Any = None
    """Kind-specific drawing data for the PDF (the structure tree, KPI series); None for plain tables."""

    @property
    def filename_stem(self) -> str:
        return f"{self.kind}_{self.site}_{self.period}"


@lru_cache(maxsize=64)
def _holiday_table(year: int) -> dict[date, str]:
    return dict(holiday_tables.country_holidays("JP", years=year, language="ja"))


def holidays_of(days: list[date]) -> dict[date, str]:
    """Japanese public holidays (国民の祝日, 振替休日, 国民の休日) among ``days``, with their names."""
    out: dict[date, str] = {}
    for year in {d.year for d in days}:
        table = _holiday_table(year)
        out.update({d: table[d] for d in days if d in table})
    return out


def day_kind(day: date, holidays: dict[date, str]) -> str:
    """``holiday``, ``sun``, ``sat`` or ``weekday``: the colour class of a day column."""
    if day in holidays:
        return "holiday"
    return {5: "sat", 6: "sun"}.get(day.weekday(), "weekday")


def day_columns(days: list[date], width: float = 4.0, kind: ColumnKind = "day") -> list[Column]:
    return [Column(f"{d.day}\n{WEEKDAYS_JA[d.weekday()]}", width, kind, d) for d in days]


def yes_no(value: bool | None) -> str:
    """Booleans as every writer shows them: ○ yes, × no, empty unknown."""
    if value is None:
        return ""
    return "○" if value else "×"
