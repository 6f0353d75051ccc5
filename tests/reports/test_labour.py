"""Labour rules from time on site: hand-computed fixtures and hypothesis against a plain recomputation."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from server.domain.report import month_days
from server.reports.labour import (
    estimated_work,
    four_week_label,
    site_closed_days,
    split_hours,
    week_start,
    worker_month,
)

H = 60
NOV = month_days("2026-11")  # 2026-11-01 is a Sunday


def test_a_break_is_deducted_only_from_days_over_six_hours() -> None:
    assert estimated_work(6 * H) == 6 * H
    assert estimated_work(6 * H + 1) == 5 * H + 1
    assert estimated_work(10 * H) == 9 * H


def test_daily_overtime_is_the_part_over_eight_hours() -> None:
    # Monday 2026-11-02: 11 h on site → 10 h estimated → 2 h overtime
    assert split_hours({date(2026, 11, 2): 11 * H})[date(2026, 11, 2)].overtime == 2 * H


def test_weekly_overtime_counts_hours_over_forty_in_the_week() -> None:
    # Mon–Sat 9 h on site each → 8 h estimated each: 48 h regular, the Saturday's 8 h are over 40 h
    week = {date(2026, 11, 2) + timedelta(days=i): 9 * H for i in range(6)}
    hours = split_hours(week)
    assert [hours[d].overtime for d in sorted(hours)] == [0, 0, 0, 0, 0, 8 * H]


def test_sunday_is_the_legal_holiday_and_all_of_it_is_holiday_work() -> None:
    hours = split_hours({date(2026, 11, 1): 9 * H})
    assert hours[date(2026, 11, 1)].holiday == 8 * H and hours[date(2026, 11, 1)].overtime == 0


def test_45_hours_a_month_and_long_days_are_flagged() -> None:
    # 21 weekdays of 12 h on site in November: 11 h estimated → 3 h overtime a day (weeks stay at 40 h regular)
    on_site = {d: 12 * H for d in NOV if d.weekday() < 5}
    m = worker_month("w", "2026-11", NOV, on_site)
    assert m.overtime == 3 * H * 21 == 63 * H
    assert "over_45h_month" in m.warnings and "long_day" not in m.warnings
    m = worker_month("w", "2026-11", NOV, {date(2026, 11, 2): 12 * H + 1})
    assert m.long_days == 1 and "long_day" in m.warnings and "over_45h_month" not in m.warnings


def test_100_hours_including_holiday_work_and_the_2_to_6_month_average() -> None:
    on_site = {d: 13 * H for d in NOV}  # every day, Sundays included: 12 h estimated
    m = worker_month("w", "2026-11", NOV, on_site)
    assert m.holiday == 5 * 12 * H  # five Sundays
    assert "100h_month" in m.warnings
    oct_days = month_days("2026-10")
    both = {**{d: 12 * H for d in oct_days if d.weekday() < 5}, **{d: 11 * H for d in NOV if d.weekday() < 5}}
    m = worker_month("w", "2026-11", NOV, both)
    # October: 22 weekdays × 3 h; November 21 weekdays... averages over 2–6 months, the worst one reported
    assert m.worst_average == max((22 * 3 * H + m.overtime) // 2, (22 * 3 * H + m.overtime) // 3)


def test_the_fiscal_year_starts_in_april() -> None:
    on_site = {}
    for month in ("2026-03", "2026-04"):
        on_site.update({d: 11 * H for d in month_days(month) if d.weekday() < 5})
    m = worker_month("w", "2026-04", month_days("2026-04"), on_site)
    assert m.overtime_ytd == m.overtime  # March belongs to the previous fiscal year


def test_unknown_hours_are_counted_as_worked_days_with_unknown_time() -> None:
    m = worker_month("w", "2026-11", NOV, {date(2026, 11, 2): None, date(2026, 11, 3): 9 * H})
    assert (m.days_worked, m.hours_unknown, m.on_site) == (2, 1, 9 * H)


def test_four_weeks_eight_days_off() -> None:
    assert four_week_label(8, 28) == "4週8休以上"
    assert four_week_label(7, 28) == "4週7休"
    assert four_week_label(6, 28) == "4週6休"
    assert four_week_label(5, 28) == "4週6休未満"
    assert four_week_label(9, 30) == "4週8休以上"  # 9/30 = 30 % ≥ 28.5 %
    assert four_week_label(8, 30) == "4週7休"  # 8/30 = 26.7 %
    assert site_closed_days(NOV, {d for d in NOV if d.weekday() < 5}) == (9, "4週8休以上")


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(month_days("2026-10") + NOV), st.integers(0, 20 * H), max_size=61))
def test_overtime_matches_a_plain_per_week_recomputation(on_site: dict[date, int]) -> None:
    hours = split_hours(on_site)
    weeks: dict[date, list[date]] = {}
    for d in on_site:
        weeks.setdefault(week_start(d), []).append(d)
    for days in weeks.values():
        work = {d: estimated_work(on_site[d]) for d in days}
        holiday = sum(w for d, w in work.items() if d.weekday() == 6)
        weekdays = [d for d in days if d.weekday() != 6]
        daily_over = sum(max(0, work[d] - 8 * H) for d in weekdays)
        regular = sum(min(work[d], 8 * H) for d in weekdays)
        expected = daily_over + max(0, regular - 40 * H)
        assert sum(hours[d].overtime for d in days) == expected
        assert sum(hours[d].holiday for d in days) == holiday
