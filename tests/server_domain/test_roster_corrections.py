"""Roster validity over time, card bindings, and the correction deadline (month ends, year end, leap years)."""

from __future__ import annotations

from datetime import date

import pytest

from server.domain import errors
from server.domain.corrections import Correction, check_window, deadline, decide, request
from server.domain.registry import CardBinding, check_new_binding, worker_for_card
from server.domain.roster import RosterEntry, check_roster_entry, entry_on
from server.domain.structure import approve, invite, new_structure
from tests.server_domain.factory import CARD1, OTHER, PRIME, SITE, SUB1, SUB2, W1, W2, jst


def structure():  # type: ignore[no-untyped-def]
    s, _ = new_structure(SITE, PRIME, "元請", jst(1, 9))
    s, _ = invite(s, parent=1, by=PRIME, company=SUB1, name="一次", at=jst(1, 10))
    s, _ = approve(s, member=2, by=SUB1, at=jst(1, 11))
    s, _ = invite(s, parent=2, by=SUB1, company=SUB2, name="二次(未承認)", at=jst(1, 12))
    return s


def test_roster_entry_needs_a_registered_company_on_the_site() -> None:
    s = structure()
    check_roster_entry(RosterEntry(SITE, W1, SUB1, date(2026, 11, 1)), s, [])
    for company in (SUB2, OTHER):  # pending, and not on the site at all
        with pytest.raises(errors.EmployerNotOnSite):
            check_roster_entry(RosterEntry(SITE, W1, company, date(2026, 11, 1)), s, [])


def test_roster_entries_of_one_worker_may_not_overlap() -> None:
    s = structure()
    old = RosterEntry(SITE, W1, SUB1, date(2026, 11, 1), date(2026, 11, 15), id=1)
    with pytest.raises(errors.OverlappingRoster):
        check_roster_entry(RosterEntry(SITE, W1, SUB1, date(2026, 11, 15)), s, [old])
    check_roster_entry(RosterEntry(SITE, W1, SUB1, date(2026, 11, 16)), s, [old])
    check_roster_entry(RosterEntry(SITE, W2, SUB1, date(2026, 11, 1)), s, [old])


def test_missing_trade_or_position_is_flagged_not_refused() -> None:
    assert RosterEntry(SITE, W1, SUB1, date(2026, 11, 1)).problems == ("missing_trade", "missing_position")
    assert RosterEntry(SITE, W1, SUB1, date(2026, 11, 1), trade_code="0201").problems == ("missing_position",)
    assert RosterEntry(SITE, W1, SUB1, date(2026, 11, 1), trade_code="0201", position="職長").complete


def test_entry_on_picks_the_entry_valid_that_day() -> None:
    a = RosterEntry(SITE, W1, SUB1, date(2026, 11, 1), date(2026, 11, 9), position="作業員")
    b = RosterEntry(SITE, W1, SUB1, date(2026, 11, 10), position="職長")
    assert entry_on([a, b], W1, date(2026, 11, 9)) is a
    assert entry_on([a, b], W1, date(2026, 11, 10)) is b
    assert entry_on([a, b], W1, date(2026, 10, 31)) is None


def test_roster_dates_must_be_in_order() -> None:
    with pytest.raises(errors.Invalid):
        RosterEntry(SITE, W1, SUB1, date(2026, 11, 10), date(2026, 11, 1))


def test_overlapping_card_bindings_are_refused() -> None:
    old = CardBinding(CARD1, W1, date(2026, 1, 1), date(2026, 6, 30), id=1)
    with pytest.raises(errors.OverlappingBinding):
        check_new_binding(CardBinding(CARD1, W2, date(2026, 6, 30)), [old])
    check_new_binding(CardBinding(CARD1, W2, date(2026, 7, 1)), [old])
    assert worker_for_card([old], CARD1, date(2026, 6, 30)) == W1
    assert worker_for_card([old], CARD1, date(2026, 7, 1)) is None
    with pytest.raises(errors.Invalid):
        CardBinding("0123456789abcdef", W1, date(2026, 1, 1))


@pytest.mark.parametrize("work_day, last", [
    (date(2026, 1, 31), date(2026, 2, 28)),
    (date(2026, 11, 1), date(2026, 12, 31)),
    (date(2026, 12, 15), date(2027, 1, 31)),
    (date(2027, 12, 31), date(2028, 1, 31)),
    (date(2028, 1, 10), date(2028, 2, 29)),  # leap year
    (date(2100, 1, 10), date(2100, 2, 28)),  # 2100 is not a leap year
    (date(2000, 1, 10), date(2000, 2, 29)),  # 2000 is
])
def test_deadline_is_the_end_of_the_following_month(work_day: date, last: date) -> None:
    assert deadline(work_day) == last
    check_window(work_day, last)
    with pytest.raises(errors.CorrectionTooLate) as exc:
        check_window(work_day, date.fromordinal(last.toordinal() + 1))
    assert exc.value.to_dict()["deadline"] == str(last)


def test_corrections_for_the_future_are_refused() -> None:
    check_window(date(2026, 11, 22), date(2026, 11, 22))
    with pytest.raises(errors.CorrectionInFuture):
        check_window(date(2026, 11, 23), date(2026, 11, 22))


def _c(**kw: object) -> Correction:
    base: dict[str, object] = dict(site=SITE, worker=W1, work_day=date(2026, 11, 3), entry_at=jst(3, 8),
                                   exit_at=jst(3, 17), origin="direct", requested_by=W1, requested_at=jst(4, 9), id=7)
    base.update(kw)
    return Correction(**base)  # type: ignore[arg-type]


def test_correction_needs_times_in_order() -> None:
    with pytest.raises(errors.Invalid):
        _c(entry_at=None, exit_at=None)
    with pytest.raises(errors.Invalid):
        _c(entry_at=jst(3, 17), exit_at=jst(3, 8))


def test_only_the_prime_decides_and_only_once() -> None:
    c, step = request(_c(), today=date(2026, 11, 22))
    assert step.action == "requested"
    with pytest.raises(errors.WrongApprover):
        decide(c, approve=True, by=SUB1, prime=PRIME, at=jst(5, 9))
    done, step = decide(c, approve=True, by=PRIME, prime=PRIME, at=jst(5, 9))
    assert (done.status, step.action, step.by) == ("approved", "approved", PRIME)
    with pytest.raises(errors.AlreadyDecided):
        decide(done, approve=False, by=PRIME, prime=PRIME, at=jst(5, 10))
    rejected, _ = decide(c, approve=False, by=PRIME, prime=PRIME, at=jst(5, 9), note="no evidence")
    assert rejected.status == "rejected"


def test_correction_times_must_belong_to_the_work_day() -> None:
    from server.domain.corrections import check_times
    from server.domain.reconcile import Rules

    day_of = Rules().work_day
    check_times(_c(entry_at=jst(3, 8), exit_at=jst(3, 17)), day_of)
    check_times(_c(entry_at=jst(3, 20), exit_at=jst(4, 5)), day_of)  # night shift
    check_times(_c(entry_at=None, exit_at=jst(4, 3, 30)), day_of)  # before the 04:00 boundary: still the 3rd
    check_times(_c(entry_at=None, exit_at=jst(4, 6)), day_of)  # the morning after a night shift
    for entry, exit_ in ((jst(4, 8), None), (jst(3, 3), jst(3, 9)), (None, jst(5, 6))):
        with pytest.raises(errors.Invalid):
            check_times(_c(entry_at=entry, exit_at=exit_), day_of)
