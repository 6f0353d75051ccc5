"""KPI definitions: hand-computed fixtures, and hypothesis against a straightforward recomputation."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from server.reports.kpi import DayRow, Member, day_kpis, month_kpis, status

D1, D2, D3 = date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4)
# prime(1) → A(2) → B(3); placeholder(4) under A placed on D2; C(5, record typed locally) under prime
MEMBERS = [Member(1, None, "P", True, D1), Member(2, 1, "A", True, D1), Member(3, 2, "B", True, D1),
           Member(4, 2, None, False, D2), Member(5, 1, "C", False, D1)]
REG = {"w1": True, "w2": True, "w3": False}


def test_company_registration_counts_placeholders_from_the_day_they_are_placed() -> None:
    assert day_kpis(D1, MEMBERS, [], REG).company_registration == 3 / 4
    assert day_kpis(D2, MEMBERS, [], REG).company_registration == 3 / 5


def test_company_registration_of_a_company_covers_its_branch() -> None:
    assert day_kpis(D2, MEMBERS, [], REG, company="A").company_registration == 2 / 3
    assert day_kpis(D2, MEMBERS, [], REG, company="B").company_registration == 1.0


def test_a_worked_day_without_a_touch_counts_in_the_denominator_only() -> None:
    rows = [DayRow(D1, "w1", "A", True), DayRow(D1, "w2", "A", False),  # w2: manual record / correction
            DayRow(D1, None, None, True),  # an unbound card: worked, not accumulated, not a known worker
            DayRow(D1, "w3", "B", True)]
    k = day_kpis(D1, MEMBERS, rows, REG)
    assert (k.touches.num, k.touches.den) == (2, 4)  # type: ignore[union-attr]
    assert (k.workers.num, k.workers.den) == (2, 3)  # type: ignore[union-attr]
    assert day_kpis(D1, MEMBERS, rows, REG, company="A").touch == 0.5


def test_month_registration_is_the_mean_of_worked_days_and_touch_is_person_day_weighted() -> None:
    rows = [DayRow(D1, "w1", "A", True), DayRow(D1, "w3", "A", True),
            DayRow(D3, "w1", "A", True), DayRow(D3, "w2", "A", False), DayRow(D3, "w3", "A", False),
            DayRow(D3, "w3", "A", False)]
    month, series = month_kpis([D1, D2, D3], MEMBERS, rows, REG)
    assert [d for d, _ in series] == [D1, D3]  # D2: nobody worked, not a day of the average
    assert month.worker_registration == (1 / 2 + 2 / 3) / 2
    assert month.company_registration == (3 / 4 + 3 / 5) / 2
    assert month.touch == 3 / 6


def test_status_against_target_floor_and_bonus() -> None:
    assert status("touch", 0.5) == "target" and status("touch", 0.49) == "ok" and status("touch", 0.29) == \
        "below_floor"
    assert status("worker_registration", 0.9) == "bonus" and status("worker_registration", 0.8) == "target"
    assert status("company_registration", 0.69) == "below_floor" and status("company_registration", None) == ""


rows_st = st.lists(st.builds(DayRow, st.sampled_from([D1, D2, D3]), st.sampled_from(["w1", "w2", "w3", None]),
                             st.sampled_from(["A", "B", "C", None]), st.booleans()), max_size=30)


@settings(max_examples=150, deadline=None)
@given(rows=rows_st, company=st.sampled_from([None, "A", "B", "C"]))
def test_month_kpis_match_a_plain_recomputation(rows: list[DayRow], company: str | None) -> None:
    days = [D1, D2, D3]
    month, series = month_kpis(days, MEMBERS, rows, REG, company)
    mine = [r for r in rows if company is None or r.employer == company]
    site_days = sorted({r.day for r in rows})
    assert [d for d, _ in series] == site_days
    worked, touched, wrates = 0, 0, []
    for d in site_days:
        today = [r for r in mine if r.day == d]
        worked += len(today)
        touched += len([r for r in today if r.card and r.worker])
        people = {r.worker for r in today if r.worker}
        if people:
            wrates.append(len([p for p in people if REG[p]]) / len(people))
    assert month.touch == (touched / worked if worked else None)
    expected_w = sum(wrates) / len(wrates) if wrates else None
    assert (month.worker_registration is None) == (expected_w is None)
    if expected_w is not None:
        assert abs(month.worker_registration - expected_w) < 1e-12  # type: ignore[operator]
    for d, k in series:
        assert k.touches is not None and 0 <= k.touches.num <= k.touches.den
        assert d - timedelta(days=0) in days
