"""``genba server report KIND --site ID --month YYYY-MM --format …``: every report of docs/reports.md.

The back office's command (it reads as the administrator: every row); the
same :func:`server.reports.render` as the API and the console. Registered
onto ``genba server`` with one line in genba/cli/__init__.py.
"""

from __future__ import annotations

import sys
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from genba.cli.common import fail, reported
from genba.cli.words import h
from shared.messages import t

# The fixed sets, spelled out so that --help lists them without importing the server (tests check they match).
Kind = Enum("Kind", {k.replace("-", "_"): k for k in (  # type: ignore[misc]
    "calendar", "attendance", "roster", "structure-chart", "structure-ledger", "kpi", "labour", "daily",
    "roster-insurance", "monthly-totals", "subcontractors")})
Format = Enum("Format", {f.replace("-", "_"): f for f in ("csv", "csv-cp932", "xlsx", "pdf")})  # type: ignore[misc]


REPORT_HELP = h("現場の1か月分の帳票を1つ書き出します（CSV、CP932 の CSV、XLSX、PDF）。",
                "Write one report of a site's month (CSV, CSV in CP932, XLSX or PDF).")


def report_cmd(
    ctx: typer.Context,
    kind: Annotated[Kind, typer.Argument(help=h(
        "帳票の種類（月別カレンダー、出面表、作業員名簿、施工体系図、施工体制台帳、KPI、週休2日・時間外、日次リスト、"
        "社会保険加入状況、月別集約、下請負業者一覧）。",
        "Which report (monthly calendar, attendance sheet, worker roster, structure chart, structure ledger, KPI, "
        "weekly days off and overtime, daily list, social insurance status, monthly totals, subcontractor list)."))],
    site: Annotated[str, typer.Option("--site", help=h("現場ID（14桁）。", "Site id (14 digits)."))],
    month: Annotated[str, typer.Option("--month", help=h("月、YYYY-MM。", "Month, YYYY-MM."))],
    fmt: Annotated[Format, typer.Option("--format", help=h(
        "csv（BOM付き UTF-8）、csv-cp932（Shift_JIS）、xlsx、pdf。",
        "csv (UTF-8 with BOM), csv-cp932 (Shift_JIS), xlsx, pdf."))]
    = Format.csv,  # type: ignore[attr-defined]
    out: Annotated[Path | None, typer.Option("--out", help=h(
        "書き出すファイル（既定: 標準出力）。", "Write to this file (default: standard output)."),
        dir_okay=False)] = None,
    day: Annotated[str | None, typer.Option("--day", help=h(
        "daily の日付、YYYY-MM-DD（既定: 今日、またはその月の最終日）。",
        "daily: the day, YYYY-MM-DD (default: today or the month's last day)."))] = None,
) -> None:
    """``genba server report`` (help: REPORT_HELP): renders through server.reports, as the console's download."""
    from genba.cli.server_domain import _open
    from server.api.routes.registry_common import ADMIN
    from server.reports import render

    if out is None and fmt.value in ("xlsx", "pdf") and sys.stdout.isatty():
        fail(t("XLSX と PDF は --out でファイルを指定してください。", "Give --out FILE for xlsx and pdf."))
    with reported():
        try:
            chosen = date.fromisoformat(day) if day else None
        except ValueError:
            shown = (day or "")[:20]
            fail(t(f"--day は YYYY-MM-DD で指定してください: {shown!r}", f"--day must be YYYY-MM-DD: {shown!r}"))
        c = _open(ctx)
        try:
            with c.engine.connect() as conn:
                result = render(conn, kind.value, site, month, fmt.value, ADMIN, now=c.now(), day=chosen)
        finally:
            c.close()
    if out is None:
        sys.stdout.buffer.write(result.content)
        sys.stdout.buffer.flush()
        return
    out.write_bytes(result.content)
    size = len(result.content)
    typer.echo(t(f"{out} に書き出しました（{size:,} バイト）", f"Wrote {out} ({size:,} bytes)"), err=True)
