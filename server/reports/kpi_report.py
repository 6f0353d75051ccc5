"""The KPI and labour-rule reports as sheets, from a loaded month (the numbers come from kpi.py / labour.py)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from server.reports import kpi, labour
from server.reports.loader import MonthData
from server.reports.model import Column, Sheet

KPI_KEYS = ("company_registration", "worker_registration", "touch")


@dataclass(frozen=True, slots=True)
class KpiChart:
    """What the PDF draws: the daily series of each KPI with its target and floor lines, and the monthly trend."""

    days: list[date]
    series: dict[str, list[float | None]]
    months: list[str]
    monthly: dict[str, list[float | None]]


def _members(data: MonthData) -> list[kpi.Member]:
    tz = ZoneInfo(data.site.timezone)
    out = []
    for m in data.structure.members:
        c = data.companies.get(m.company or "")
        ccus = bool(c and c.origin == "ccus")
        out.append(kpi.Member(m.member, m.parent, m.company, ccus, m.invited_at.astimezone(tz).date()))
    return out


def _rows(rows: list[dict[str, Any]]) -> list[kpi.DayRow]:
    return [kpi.DayRow(date.fromisoformat(r["work_day"]), r["worker"], r["employer"], r["source"] == "card")
            for r in rows]


def _pct(value: float | None) -> Any:
    return None if value is None else round(value * 100, 1)


def registered_workers(data: MonthData) -> dict[str, bool]:
    """Whether each worker of the month is registered in CCUS (record from CCUS): the KPI's definition."""
    return {w: x.origin == "ccus" for w, x in data.workers.items()}


def site_month_kpis(data: MonthData) -> tuple[kpi.Kpis, list[tuple[date, kpi.Kpis]]]:
    """The month's three KPIs and the daily series, exactly as the KPI report computes them.

    The public way for other views (the console's KPI page) to get the report's numbers from a loaded month."""
    return kpi.month_kpis(data.days, _members(data), _rows(data.rows), registered_workers(data))


def kpi_sheets(data: MonthData) -> tuple[list[Sheet], KpiChart]:
    members = _members(data)
    registered = registered_workers(data)
    rows = _rows(data.rows)
    month, series = site_month_kpis(data)
    summary = Sheet("KPI", f"KPI {data.month}（目標・下限）",
                    [Column("指標", 30), Column("今月(%)", 9, "num"), Column("目標(%)", 8, "num"),
                     Column("下限(%)", 8, "num"), Column("判定", 10), Column("前月(%)", 9, "num"),
                     Column("増減(pt)", 9, "num")], landscape=False)
    prev_key = labour.previous_months(data.month, 2)[0]
    earlier = _rows([r for r in data.earlier_rows if r["work_day"].startswith(prev_key)])
    prev_days = [d for d in sorted({r.day for r in earlier})]
    prev, _ = kpi.month_kpis(prev_days, members, earlier, registered)
    verdict = {"target": "目標達成", "bonus": "目標達成(加点2)", "ok": "目標未達", "below_floor": "下限未満", "": "—"}
    for key in KPI_KEYS:
        now, before = getattr(month, key), getattr(prev, key)
        target, floor = kpi.TARGETS[key]
        delta = None if now is None or before is None else round((now - before) * 100, 1)
        summary.add([kpi.KPI_NAMES_JA[key], _pct(now), target * 100, floor * 100, verdict[kpi.status(key, now)],
                     _pct(before), delta], "warn" if kpi.status(key, now) == "below_floor" else "")
    summary.notes = ["登録率は現場の稼働日の日ごとの率の平均、蓄積率は延べ人日での割合（定義は docs/reports.md）。"]
    daily = Sheet("日別", f"KPI 日別 {data.month}",
                  [Column("日", 11), Column("事業者(登録/全体)", 14), Column("事業者登録率(%)", 12, "num"),
                   Column("技能者(登録/就業)", 14), Column("技能者登録率(%)", 12, "num"),
                   Column("タッチ/就業(人日)", 14), Column("蓄積率(%)", 10, "num")], landscape=False)
    for d, k in series:
        assert k.companies and k.workers and k.touches
        daily.add([d.isoformat(), f"{k.companies.num}/{k.companies.den}", _pct(k.company_registration),
                   f"{k.workers.num}/{k.workers.den}", _pct(k.worker_registration),
                   f"{k.touches.num}/{k.touches.den}", _pct(k.touch)])
    per_company = Sheet("事業者別", f"KPI 事業者別 {data.month}",
                        [Column("所属事業者", 26), Column("事業者登録率(%)", 12, "num"),
                         Column("技能者登録率(%)", 12, "num"), Column("蓄積率(%)", 10, "num"),
                         Column("就業(人日)", 9, "num")], landscape=False)
    for company in sorted({r.employer for r in rows if r.employer}, key=data.company_name):
        m, _ = kpi.month_kpis(data.days, members, rows, registered, company)
        per_company.add([data.company_name(company), _pct(m.company_registration), _pct(m.worker_registration),
                         _pct(m.touch), m.touches.den if m.touches else 0],
                        "warn" if kpi.status("touch", m.touch) == "below_floor" else "")
    months = labour.previous_months(data.month, 6)
    all_rows = _rows(data.earlier_rows) + rows
    monthly: dict[str, list[float | None]] = defaultdict(list)
    for key_month in months:
        mine = [r for r in all_rows if r.day.isoformat().startswith(key_month)]
        mk, _ = kpi.month_kpis(sorted({r.day for r in mine}), members, mine, registered)
        for key in KPI_KEYS:
            monthly[key].append(getattr(mk, key))
    chart = KpiChart([d for d, _ in series], {key: [getattr(k, key) for _, k in series] for key in KPI_KEYS},
                     months, dict(monthly))
    return [summary, daily, per_company], chart


def labour_sheets(data: MonthData) -> list[Sheet]:
    per: dict[str, dict[date, int | None]] = defaultdict(dict)
    for r in data.earlier_rows + data.rows:
        if r["worker"]:
            per[r["worker"]][date.fromisoformat(r["work_day"])] = r["minutes_on_site"]
    for e in data.roster:
        per.setdefault(e.worker, {})

    def h(minutes: int) -> float:
        return round(minutes / 60, 1)

    cols = [Column("所属事業者", 20), Column("氏名", 14), Column("就業日数", 7, "num"), Column("休日数", 7, "num"),
            Column("週休（4週N休）", 11), Column("在場時間(h)", 9, "num"), Column("時刻不明日", 7, "num"),
            Column("推定時間外(h)", 9, "num"), Column("推定休日労働(h)", 10, "num"),
            Column("年度累計時間外(h)", 10, "num"), Column("2〜6か月平均最大(h)", 11, "num"),
            Column("在場12h超日数", 8, "num"), Column("最長在場(h)", 8, "num"), Column("注意", 40)]
    sheet = Sheet("労働時間", f"在場時間にもとづく週休2日・時間外の目安 {data.month}", cols, paper="A3")
    for w in sorted(per, key=lambda x: (data.company_name(data.workers[x].employer), data.workers[x].furigana)):
        m = labour.worker_month(w, data.month, data.days, per[w])
        worker = data.workers[w]
        sheet.add([data.company_name(worker.employer), worker.name, m.days_worked, m.days_off, m.four_week,
                   h(m.on_site), m.hours_unknown, h(m.overtime), h(m.holiday), h(m.overtime_ytd),
                   h(m.worst_average), m.long_days, h(m.longest),
                   "、".join(labour.WARNINGS_JA[x] for x in m.warnings)],
                  "warn" if set(m.warnings) - {"below_4w8", "long_day"} else "")
    worked = {date.fromisoformat(r["work_day"]) for r in data.rows}
    closed, label = labour.site_closed_days(data.days, worked)
    site = Sheet("現場閉所", f"現場閉所（週休2日） {data.month}",
                 [Column("期間", 20), Column("暦日数", 8, "num"), Column("閉所日数", 8, "num"), Column("達成", 12)],
                 landscape=False)
    site.add([f"{data.days[0].isoformat()}〜{data.days[-1].isoformat()}", len(data.days), closed, label],
             "" if label == labour.FOUR_WEEK[0][1] else "warn")
    note = ("在場時間（入場から退場まで）にもとづく推定で、給与計算上の労働時間ではありません。"
            "6時間を超える日は休憩60分を差し引き、日曜を法定休日として計算しています。この現場の記録のみを数えます。")
    sheet.notes = [note]
    site.notes = ["記録が1件もない日を閉所日として数えます（4週8休 = 閉所率28.5%以上）。"]
    return [sheet, site]
