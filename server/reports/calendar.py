"""月別カレンダー (worker × day) and 出面表 (per subcontractor: days and person-days) as sheets.

Calendar cell: ``07:45-17:20`` (entry-exit, site-local), ``07:45-`` (no exit),
``-17:20`` (no entry), or ``手入力``/``補正`` for a day recorded without a card
time; a trailing ``!`` marks a problem flag (docs/reports.md lists them).
建退共 credited days: one per day with a row, **for members only** (non-members: —).
出面表 cell: 1 per worked day. Pure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from server.domain.report import BENIGN_FLAGS
from server.reports.loader import MonthData
from server.reports.model import Column, Sheet, day_columns


def _hm(stamp: str | None) -> str:
    return stamp[11:16] if stamp else ""


def day_cell(row: Mapping[str, Any]) -> str:
    entry, exit_ = _hm(row.get("first_entry")), _hm(row.get("last_exit"))
    text = f"{entry}-{exit_}" if entry or exit_ else "手入力" if row.get("source") == "manual" else "補正"
    serious = set(row.get("flags") or ()) - BENIGN_FLAGS
    return text + ("!" if serious else "")


def _subjects(data: MonthData) -> dict[str, dict[str, Mapping[str, Any]]]:
    per: dict[str, dict[str, Mapping[str, Any]]] = defaultdict(dict)
    for e in data.roster:
        per.setdefault(e.worker, {})
    for r in data.rows:
        per[r["worker"] or f"card:{r['idm']}"][r["work_day"]] = r
    return per


def _sort_key(data: MonthData, subject: str) -> tuple[str, str, str]:
    w = data.workers.get(subject)
    return (data.company_name(w.employer) if w else "~", w.furigana if w else "~", subject)


def calendar_sheet(data: MonthData) -> Sheet:
    days = data.days
    cols = [Column("No", 4, "num"), Column("氏名", 14), Column("所属事業者", 18), Column("職種", 10),
            Column("立場", 6), *day_columns(days, 6.5), Column("就業日数", 6, "num"),
            Column("建退共\n加入", 6, "flag"), Column("建退共\n充当日数", 7, "num")]
    sheet = Sheet("月別カレンダー", f"月別カレンダー {data.month}", cols, paper="A3", frozen_columns=2)
    per = _subjects(data)
    totals = [0] * len(days)
    for n, subject in enumerate(sorted(per, key=lambda s: _sort_key(data, s)), 1):
        w = data.workers.get(subject)
        entry = data.entry_of(subject) if w else None
        cells = []
        for i, d in enumerate(days):
            r = per[subject].get(d.isoformat())
            cells.append(day_cell(r) if r else "")
            totals[i] += 1 if r else 0
        worked = sum(1 for c in cells if c)
        member = w.retirement_fund if w else None
        credited: Any = worked if member else "—"
        name = w.name if w else f"未登録カード {subject[5:]}"
        sheet.add([n, name, data.company_name(w.employer) if w else "", (entry.trade_name if entry else None) or "",
                   (entry.position if entry else None) or "", *cells, worked, member, credited],
                  "" if w else "warn")
    sheet.add(["", "合計（人工）", "", "", "", *totals, sum(totals), None, ""], "total")
    sheet.notes = ["時刻は入場-退場（現場の現地時刻）。! は確認が必要な記録（退場なし・名簿外など）。",
                   "建退共充当日数は建退共加入者のみ、記録のある日を1日として数えます。"]
    return sheet


def attendance_sheets(data: MonthData) -> list[Sheet]:
    """出面表: one sheet per company (employer), 1 per worked day, person-days per day and in total."""
    days = data.days
    by_company: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for e in data.roster:
        by_company[e.employer].setdefault(e.worker, set())
    for r in data.rows:
        if r["worker"] and r["employer"]:
            by_company[r["employer"]][r["worker"]].add(r["work_day"])
    sheets = []
    summary = Sheet("集計", f"出面表 集計 {data.month}",
                    [Column("所属事業者", 24), Column("技能者数", 8, "num"), Column("延べ人工", 8, "num")],
                    landscape=False)
    grand = 0
    for company in sorted(by_company, key=data.company_name):
        name = data.company_name(company)
        cols = [Column("No", 4, "num"), Column("氏名", 14), Column("職種", 10), *day_columns(days, 3.6, "num"),
                Column("出面日数", 7, "num")]
        sheet = Sheet(name[:31], f"出面表 {name} {data.month}", cols, paper="A4", frozen_columns=2)
        per_day = [0] * len(days)
        workers = by_company[company]
        ordered = sorted(workers, key=lambda w: (data.workers[w].furigana, w))
        for n, w in enumerate(ordered, 1):
            entry = data.entry_of(w)
            marks: list[Any] = []
            for i, d in enumerate(days):
                hit = d.isoformat() in workers[w]
                marks.append(1 if hit else None)
                per_day[i] += hit
            sheet.add([n, data.workers[w].name, (entry.trade_name if entry else None) or "", *marks,
                       len(workers[w])])
        total = sum(per_day)
        grand += total
        sheet.add(["", "合計（人工）", "", *per_day, total], "total")
        sheets.append(sheet)
        summary.add([name, len(workers), total])
    summary.add(["合計", sum(len(v) for v in by_company.values()), grand], "total")
    return [summary, *sheets]
