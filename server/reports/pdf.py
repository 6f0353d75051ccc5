"""Any report as a PDF: one Jinja2 HTML template rendered by WeasyPrint (Pango + fonts-noto-cjk).

Why WeasyPrint and not reportlab: the Japanese fonts Debian ships (Noto Sans
CJK, fonts-noto-cjk) are CFF-flavoured OpenType collections, which reportlab
cannot embed (it takes TrueType outlines only); WeasyPrint lays text out with
Pango/HarfBuzz and embeds subsets of exactly those fonts, and the same HTML
and CSS (@page sizes A4/A3, repeated table headers, page counters) serve
every report. The tree of the 施工体系図 and the KPI chart (inline SVG) are
HTML too. One template, one engine, every printable report.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from server.reports.csvout import cell_text
from server.reports.model import Report, day_kind

TEMPLATES = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              undefined=jinja2.StrictUndefined)


def _text(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(cell_text(value))
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def to_html(report: Report, chart_svg: str = "") -> str:
    meta = []
    for sheet in report.sheets:
        total = sum(c.width for c in sheet.columns) or 1
        meta.append({
            "widths": [f"{100 * c.width / total:.2f}" for c in sheet.columns],
            "kinds": [day_kind(c.day, report.holidays) if c.day else "" for c in sheet.columns],
            "align": ["c" if c.day or c.kind == "flag" else ("n" if c.kind == "num" else "") for c in sheet.columns],
        })
    template = _env().get_template("report.html")
    return template.render(report=_View(report, chart_svg), meta=meta, text=_text)


class _View:
    """The report plus its pre-drawn chart, as the template reads it."""

    def __init__(self, report: Report, chart_svg: str) -> None:
        self._report = report
        self.chart_svg = chart_svg

    def __getattr__(self, name: str) -> Any:
        return getattr(self._report, name)


def to_pdf(report: Report, chart_svg: str = "") -> bytes:
    import weasyprint  # imported here: loading Pango costs ~0.3 s, paid only by PDF requests

    out = weasyprint.HTML(string=to_html(report, chart_svg), base_url=str(TEMPLATES)).write_pdf()
    assert out is not None
    return bytes(out)
