"""Labour rules estimated from time on site (在場時間) — never payroll hours.

A work-history row gives the first entry and last exit; the time between is
*time on site*, which includes breaks and waiting. The rules below turn it into
an **estimate** of working time so the site can see who is near a cap; the
employer's attendance records decide. Every output says so.

- estimated working time of a day = time on site − 60 min when on site more than
  6 h (the statutory break, 労基法34条), else time on site;
- the legal holiday (法定休日) is Sunday; all time on site on it is holiday work
  (休日労働); weeks run Sunday–Saturday;
- overtime (時間外労働) = per day the part over 8 h, plus per week the part of the
  remaining hours over 40 h (the week's days in order);
- caps since April 2024 (建設業の上限規制): overtime ≤ 45 h/month and ≤ 360 h/year;
  with a special clause (特別条項) ≤ 720 h/year, overtime + holiday work < 100 h in
  any month and ≤ 80 h averaged over every 2–6 month window, and more than 45 h in
  at most 6 months a year. The year is the fiscal year from April;
- a long day: more than 12 h on site;
- 週休2日 (4週8休): days off ÷ calendar days in the period ≥ 8/28 (28.5 %); 4週7休 ≥
  7/28, 4週6休 ≥ 6/28. For a worker a day off is a day without a row on this site;
  for the site a closed day (現場閉所) is a day without any row.

Only this site's rows are counted: a worker's hours on another site of another
prime are not visible here. Pure: plain numbers in, numbers out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

DAY_LIMIT = 8 * 60
WEEK_LIMIT = 40 * 60
BREAK_AFTER = 6 * 60
BREAK = 60
LEGAL_HOLIDAY = 6  # Sunday
LONG_DAY = 12 * 60
MONTH_CAP = 45 * 60
YEAR_CAP = 360 * 60
SPECIAL_YEAR_CAP = 720 * 60
SPECIAL_MONTH_CAP = 100 * 60
SPECIAL_AVERAGE_CAP = 80 * 60
SPECIAL_MONTHS = 6
FOUR_WEEK = ((8, "4週8休以上"), (7, "4週7休"), (6, "4週6休"))


def estimated_work(on_site: int) -> int:
    """Estimated working minutes of a day from its minutes on site."""
    return on_site - BREAK if on_site > BREAK_AFTER else on_site


@dataclass(frozen=True, slots=True)
class DayHours:
    overtime: int
    holiday: int


def week_start(day: date) -> date:
    return day - timedelta(days=(day.weekday() + 1) % 7)


def split_hours(on_site: Mapping[date, int]) -> dict[date, DayHours]:
    """Overtime and holiday-work minutes of each day, from minutes on site per day."""
    out: dict[date, DayHours] = {}
    weekly: dict[date, int] = defaultdict(int)
    for day in sorted(on_site):
        work = estimated_work(on_site[day])
        if day.weekday() == LEGAL_HOLIDAY:
            out[day] = DayHours(0, work)
            continue
        regular = min(work, DAY_LIMIT)
        overtime = work - regular
        week = week_start(day)
        room = max(0, WEEK_LIMIT - weekly[week])
        weekly[week] += regular
        overtime += max(0, regular - room)
        out[day] = DayHours(overtime, 0)
    return out


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def fiscal_year_start(month: str) -> date:
    y, m = int(month[:4]), int(month[5:7])
    return date(y if m >= 4 else y - 1, 4, 1)


def previous_months(month: str, n: int) -> list[str]:
    """``month`` and the ``n - 1`` months before it, oldest first."""
    y, m = int(month[:4]), int(month[5:7])
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def four_week_label(off: int, calendar_days: int) -> str:
    """The 4週N休 class reached by ``off`` days off in ``calendar_days`` days."""
    if calendar_days <= 0:
        return ""
    for n, label in FOUR_WEEK:
        if off * 28 >= n * calendar_days:
            return label
    return "4週6休未満"


@dataclass(frozen=True, slots=True)
class WorkerMonth:
    worker: str
    days_worked: int
    days_off: int
    four_week: str
    on_site: int
    """Minutes on site in the month (days with both entry and exit)."""
    hours_unknown: int
    """Days worked whose time on site is unknown (no exit or no entry)."""
    overtime: int
    holiday: int
    overtime_ytd: int
    worst_average: int
    """The highest 2–6 month average of overtime + holiday work ending this month (minutes)."""
    months_over_45: int
    long_days: int
    longest: int
    warnings: tuple[str, ...] = field(default=())


WARNINGS_JA = {
    "over_45h_month": "時間外が月45時間超（原則の上限）",
    "over_360h_year": "時間外が年360時間超（原則の上限）",
    "over_720h_year": "時間外が年720時間超（特別条項の上限）",
    "100h_month": "時間外＋休日労働が月100時間以上",
    "over_80h_average": "時間外＋休日労働の2〜6か月平均が80時間超",
    "over_45h_more_than_6_months": "月45時間超が年6か月超",
    "long_day": "在場12時間超の日あり",
    "below_4w8": "4週8休未満",
}


def worker_month(worker: str, month: str, days: Sequence[date], on_site: Mapping[date, int | None]) -> WorkerMonth:
    """One worker's month on this site. ``on_site``: minutes on site per worked day (None if unknown), covering
    at least the fiscal year to date and the five months before ``month`` (for the averages)."""
    known = {d: m for d, m in on_site.items() if m is not None}
    hours = split_hours(known)
    per_month: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for d, h in hours.items():
        per_month[month_of(d)][0] += h.overtime
        per_month[month_of(d)][1] += h.holiday
    ot, hol = per_month[month][0], per_month[month][1]
    fy = fiscal_year_start(month)
    ytd_months = [m for m in per_month if fiscal_year_start(m) == fy and m <= month]
    overtime_ytd = sum(per_month[m][0] for m in ytd_months)
    months_over_45 = sum(1 for m in ytd_months if per_month[m][0] > MONTH_CAP)
    window = previous_months(month, 6)
    worst = 0
    for n in range(2, 7):
        total = sum(sum(per_month[m]) if m in per_month else 0 for m in window[-n:])
        worst = max(worst, total // n)
    in_month = [d for d in days if d in on_site]
    minutes = [known[d] for d in in_month if d in known]
    days_off = len(days) - len(in_month)
    four = four_week_label(days_off, len(days))
    long_days = sum(1 for m in minutes if m > LONG_DAY)
    warnings = [name for name, hit in (
        ("over_45h_month", ot > MONTH_CAP), ("over_360h_year", overtime_ytd > YEAR_CAP),
        ("over_720h_year", overtime_ytd > SPECIAL_YEAR_CAP), ("100h_month", ot + hol >= SPECIAL_MONTH_CAP),
        ("over_80h_average", worst > SPECIAL_AVERAGE_CAP),
        ("over_45h_more_than_6_months", months_over_45 > SPECIAL_MONTHS),
        ("long_day", long_days > 0), ("below_4w8", four != FOUR_WEEK[0][1])) if hit]
    return WorkerMonth(worker, len(in_month), days_off, four, sum(minutes), len(in_month) - len(minutes), ot, hol,
                       overtime_ytd, worst, months_over_45, long_days, max(minutes, default=0), tuple(warnings))


def site_closed_days(days: Sequence[date], worked: set[date]) -> tuple[int, str]:
    """現場閉所: days of the period without any row; and the 4週N休 class it reaches."""
    closed = sum(1 for d in days if d not in worked)
    return closed, four_week_label(closed, len(days))
