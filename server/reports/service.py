"""The reports' one entry point: ``render(conn, kind, site, month, fmt, viewer)`` → bytes, media type, file name.

Used by the API (``GET /api/v1/sites/{site}/reports/{kind}``), the CLI
(``genba server report``) and the back-office console's download buttons.

Kinds (fixed; :data:`KINDS`): ``calendar`` 月別カレンダー, ``attendance`` 出面表,
``roster`` 作業員名簿, ``structure-chart`` 施工体系図, ``structure-ledger`` 施工体制台帳,
``kpi`` KPI, ``labour`` 週休2日・時間外, ``daily`` 日次リスト, ``roster-insurance`` 作業員名簿（社会保険加入状況）,
``monthly-totals`` 月別集約, ``subcontractors`` 下請負業者一覧. Formats (:data:`FORMATS`):
``csv`` (UTF-8 with BOM), ``csv-cp932``, ``xlsx``, ``pdf``. Reading only: a
refusal (bad month, unknown site, kind or format, a site the viewer may not
see) raises before anything is built and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from server.domain.disclosure import Principal
from server.domain.errors import Invalid
from server.domain.registry import checked_id
from server.domain.report import check_month
from server.reports import csvout, pdf, tables, variants, xlsx
from server.reports.calendar import attendance_sheets, calendar_sheet
from server.reports.chart import kpi_svg, structure_svg
from server.reports.errors import RangeTooLarge, UnknownReportFormat, UnknownReportKind
from server.reports.kpi_report import kpi_sheets, labour_sheets
from server.reports.loader import load
from server.reports.model import Report
from shared.siterules import DEFAULT_TIMEZONE

KINDS: dict[str, str] = {
    "calendar": "月別カレンダー",
    "attendance": "出面表",
    "roster": "作業員名簿",
    "structure-chart": "施工体系図",
    "structure-ledger": "施工体制台帳",
    "kpi": "KPI（登録率・蓄積率）",
    "labour": "週休2日・時間外（在場時間）",
    "daily": "日次リスト（未タッチ者・退場漏れ・期限・教育）",
    "roster-insurance": "作業員名簿（社会保険加入状況）",
    "monthly-totals": "月別集約（技能者別・事業者別）",
    "subcontractors": "下請負業者一覧（再下請負通知）",
}
FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "csv-cp932": ("text/csv; charset=shift_jis", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "pdf": ("application/pdf", "pdf"),
}
EARLIEST_MONTH = "2000-01"


@dataclass(frozen=True, slots=True)
class Rendered:
    content: bytes
    media_type: str
    filename: str


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise UnknownReportKind(f"unknown report kind {kind[:40]!r}; one of: {', '.join(KINDS)}",
                                message_ja=f"帳票の種類「{kind[:40]}」はありません。"
                                           f"{'、'.join(KINDS)} から選んでください。",
                                kinds=list(KINDS))
    return kind


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise UnknownReportFormat(f"unknown format {fmt[:40]!r}; one of: {', '.join(FORMATS)}",
                                  formats=list(FORMATS))
    return fmt


def check_period(month: str, today: date) -> str:
    """A month from 2000-01 up to next month (reports of the far future or past are refused, never computed)."""
    check_month(month)
    nxt = date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    if not EARLIEST_MONTH <= month <= f"{nxt.year:04d}-{nxt.month:02d}":
        raise RangeTooLarge(f"month {month} is outside {EARLIEST_MONTH}…{nxt.year:04d}-{nxt.month:02d}",
                            field="month")
    return month


def check_day(day: date, month: str) -> date:
    if day.isoformat()[:7] != month:
        raise Invalid(f"day {day} is not in month {month}", message_ja="日付が指定の月に含まれていません。",
                      field="day")
    return day


def build(conn: sa.Connection, kind: str, site: str, month: str, viewer: Principal, *, now: datetime,
          day: date | None = None) -> tuple[Report, str]:
    """The report and, for the KPI PDF, its chart as SVG."""
    check_kind(kind)
    checked_id(site, "site")
    # Before any read, so a month out of range is refused, never computed: judged by the date in Japan, where
    # every site is (the API allows no other timezone), not by UTC's, which is a day behind until 09:00 JST.
    japan_today = now.astimezone(ZoneInfo(DEFAULT_TIMEZONE)).date()
    check_period(month, japan_today)
    data = load(conn, site, month, viewer, japan_today, with_earlier=kind in ("kpi", "labour"))
    site_now = now.astimezone(ZoneInfo(data.site.timezone))
    data.today = today = site_now.date()
    report = Report(kind, KINDS[kind], site, data.site.name, month, [], site_now.strftime("%Y-%m-%d %H:%M"),
                    holidays=data.holidays)
    svg = ""
    if kind == "calendar":
        report.sheets = [calendar_sheet(data)]
    elif kind == "attendance":
        report.sheets = attendance_sheets(data)
    elif kind == "roster":
        report.sheets = tables.roster_sheets(data)
    elif kind in ("structure-chart", "structure-ledger"):
        report.sheets = [tables.ledger_sheet(data)]
        if kind == "structure-chart":
            svg = structure_svg(tables.structure_chart(data))
    elif kind == "kpi":
        report.sheets, chart = kpi_sheets(data)
        report.chart = chart
        svg = kpi_svg(chart)
    elif kind == "labour":
        report.sheets = labour_sheets(data)
    elif kind == "roster-insurance":
        report.sheets = variants.insurance_sheets(data)
    elif kind == "monthly-totals":
        report.sheets = variants.monthly_totals_sheets(data)
    elif kind == "subcontractors":
        report.sheets = [variants.subcontractor_sheet(data)]
    else:
        chosen = check_day(day, month) if day else min(max(today, data.days[0]), data.days[-1])
        report.period = chosen.isoformat()
        report.sheets = tables.daily_sheets(data, chosen)
    return report, svg


def render(conn: sa.Connection, kind: str, site: str, month: str, fmt: str, viewer: Principal, *,
           now: datetime, day: date | None = None) -> Rendered:
    """One report in one format, as ``viewer`` may see it. ``now``: the server's clock (the report's date)."""
    check_kind(kind)
    check_format(fmt)
    report, svg = build(conn, kind, site, month, viewer, now=now, day=day)
    media, ext = FORMATS[fmt]
    if fmt == "csv":
        body = csvout.encode(report)
    elif fmt == "csv-cp932":
        body = csvout.encode(report, "cp932")
    elif fmt == "xlsx":
        body = xlsx.to_xlsx(report)
    else:
        body = pdf.to_pdf(report, svg)
    return Rendered(body, media, f"{report.filename_stem}.{ext}")
