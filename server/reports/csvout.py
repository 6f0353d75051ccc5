"""CSV for every report: UTF-8 with BOM (Excel opens it as UTF-8), or CP932 (Shift_JIS) on request.

- booleans: ``○`` (yes) / ``×`` (no) / empty (unknown); dates ISO ``YYYY-MM-DD``;
- a report of several sheets gives one block per sheet: a line with the sheet's
  title, the header, the rows, then an empty line;
- free text that a spreadsheet would run as a formula is neutralised by the
  project's one CSV neutraliser (server.domain.report);
- CP932: the characters whose JIS and Microsoft mappings differ are written in
  their CP932 form (〜→～, −→－, ‖→∥, ¢→￠, £→￡, ¬→￢, —→―); any other character
  CP932 lacks (𠮷, 🏗 …) refuses the whole file with :class:`NotRepresentable`,
  naming the character and the cell — never a silent ``?``.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from server.domain.report import _cell as neutralise
from server.reports.errors import NotRepresentable
from server.reports.model import Report, yes_no

BOM = "\ufeff"
CP932_SUBSTITUTES = str.maketrans({"〜": "～", "−": "－", "‖": "∥", "¢": "￠", "£": "￡", "¬": "￢", "—": "―"})


def cell_text(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return yes_no(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return neutralise(value.replace("\n", " "))
    return value


def to_text(report: Report) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    many = len(report.sheets) > 1
    for sheet in report.sheets:
        if many:
            w.writerow([neutralise(sheet.title)])
        w.writerow([c.title.replace("\n", " ") for c in sheet.columns])
        for row in sheet.rows:
            w.writerow([cell_text(v) for v in row])
        if many:
            w.writerow([])
    return buf.getvalue()


def encode(report: Report, encoding: str = "utf-8-sig") -> bytes:
    """The report's CSV bytes: ``utf-8-sig`` (default, with BOM) or ``cp932``."""
    text = to_text(report)
    if encoding == "utf-8-sig":
        return (BOM + text).encode("utf-8")
    text = text.translate(CP932_SUBSTITUTES)
    try:
        return text.encode("cp932")
    except UnicodeEncodeError as exc:
        bad = exc.object[exc.start:exc.end]
        line = exc.object.count("\n", 0, exc.start) + 1
        context = exc.object[max(0, exc.object.rfind("\n", 0, exc.start) + 1):exc.start][-20:]
        raise NotRepresentable(
            f"character {bad!r} (U+{ord(bad[0]):04X}) on line {line} cannot be written in CP932 (Shift_JIS);"
            " use format=csv (UTF-8)",
            message_ja=f"「{bad}」（U+{ord(bad[0]):04X}、{line}行目）は Shift_JIS（CP932）で表せません。"
                       "UTF-8 の CSV（format=csv）を使うか、登録内容を確認してください。",
            character=bad, line=line, after=context) from None
