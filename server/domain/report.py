"""Work-history reports as plain text: CSV rows and the monthly per-worker calendar (月別カレンダー).

Pure: takes the row dictionaries the store returns, gives text.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from server.domain.errors import Invalid
from shared.csv_safety import safe_cell

HISTORY_COLUMNS: tuple[str, ...] = (
    "site", "work_day", "worker", "idm", "employer", "trade_code", "trade_name", "position", "work_content",
    "hazardous", "first_entry", "last_exit", "minutes_on_site", "source", "taps", "devices", "flags",
    "valid_for_assessment",
)
BENIGN_FLAGS = frozenset({"repeats_collapsed", "amended", "corrected"})
"""Flags that say how a row was made, not that something is missing."""
_MONTH_RE = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


def check_month(text: str) -> str:
    """``YYYY-MM`` or :class:`Invalid`."""
    if not isinstance(text, str) or not _MONTH_RE.fullmatch(text):
        raise Invalid(f"month must be YYYY-MM: {str(text)[:20]!r}",
                      message_ja="月は YYYY-MM の形式で指定してください。", field="month")
    return text


def shift_month(month: str, by: int) -> str:
    """The month ``by`` months after ``month`` (before it when negative), both ``YYYY-MM``."""
    y, m = map(int, check_month(month).split("-"))
    m += by
    y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
    return f"{y:04d}-{m:02d}"


def month_days(month: str) -> list[date]:
    first = date.fromisoformat(check_month(month) + "-01")
    nxt = (first + timedelta(days=32)).replace(day=1)
    return [first + timedelta(days=i) for i in range((nxt - first).days)]


def _pad(text: str, width: int) -> str:
    """Pad to ``width`` terminal columns, counting full-width (Japanese) characters as two."""
    out, used = "", 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        if used + w > width - 1:
            break
        out, used = out + ch, used + w
    return out + " " * (width - used)


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        value = " ".join(value)
    if value is None:
        return ""
    return safe_cell(value)  # free text (work content …) must not become a spreadsheet formula


def to_csv(rows: Iterable[Mapping[str, Any]]) -> str:
    """One line per row, the columns of :data:`HISTORY_COLUMNS`; lists joined by spaces; UTF-8 text."""
    buf = io.StringIO()
    # CRLF (RFC 4180): the writer then quotes a cell holding a lone CR, which a spreadsheet would
    # otherwise take for a row break, starting a new row with whatever text follows it.
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(HISTORY_COLUMNS)
    for r in rows:
        w.writerow([_cell(r.get(c)) for c in HISTORY_COLUMNS])
    return buf.getvalue()


def calendar_lines(rows: Iterable[Mapping[str, Any]], month: str, names: Mapping[str, str] | None = None) -> list[str]:
    """月別カレンダー: one line per worker (or unknown card), one cell per day.

    Cell marks: ``●`` a complete day valid for assessment, ``○`` a day with a problem flag
    (open entry/exit, off roster, incomplete roster, clock …), ``·`` no record.
    The last column counts the days credited (建退共: one day per recorded day).
    """
    days = month_days(month)
    per: dict[str, dict[str, Mapping[str, Any]]] = defaultdict(dict)
    for r in rows:
        per[r.get("worker") or f"card:{r.get('idm')}"][r["work_day"]] = r
    header = "".ljust(30) + "".join(f"{d.day:>3}" for d in days) + "  日数"
    lines = [header]
    for subject in sorted(per):
        label = _pad(f"{subject} {(names or {}).get(subject, '')}".strip(), 30)
        cells = []
        for d in days:
            day_row = per[subject].get(d.isoformat())
            if day_row is None:
                cells.append("  ·")
            else:
                serious = set(day_row.get("flags") or ()) - BENIGN_FLAGS
                ok = day_row.get("valid_for_assessment") and not serious
                cells.append("  ●" if ok else "  ○")
        credited = sum(1 for r in per[subject].values() if r.get("worker"))
        lines.append(label + "".join(cells) + f"  {credited:>3}")
    return lines
