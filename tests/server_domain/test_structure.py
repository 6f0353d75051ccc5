"""Site structure (施工体制): invitation and approval, placeholders, cycles, dated history."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from server.domain import errors
from server.domain.structure import (
    approve,
    as_of,
    invite,
    new_structure,
    place_unregistered,
    replace_placeholder,
    replay,
    set_work,
    tree_lines,
)
from tests.server_domain.factory import OTHER, PRIME, SITE, SUB1, SUB2, jst

SUB3 = "54896344545212"
NEWCO = "00296344578652"


def base():  # type: ignore[no-untyped-def]
    s, c0 = new_structure(SITE, PRIME, "(株)基本建設", jst(1, 9))
    s, c1 = invite(s, parent=1, by=PRIME, company=SUB1, name="アップ一級工務店(株)", at=jst(2, 9))
    return s, [c0, c1]


def test_invitation_is_pending_until_the_invited_company_approves() -> None:
    s, _ = base()
    assert s.get(2).status == "pending" and SUB1 not in s.registered_companies()
    s, change = approve(s, member=2, by=SUB1, at=jst(3, 9))
    assert s.get(2).status == "registered" and SUB1 in s.registered_companies()
    assert (change.action, change.by) == ("approve", SUB1)


def test_registered_as_of_a_day_counts_the_approval_on_the_sites_day() -> None:
    """Approved at 16:30 UTC on 11-02, which is 01:30 JST on 11-03: registered as of 11-03, not as of 11-02."""
    s, _ = base()
    s, _ = approve(s, member=2, by=SUB1, at=datetime(2026, 11, 2, 16, 30, tzinfo=UTC))
    assert SUB1 not in s.registered_companies(on=date(2026, 11, 2))
    assert SUB1 in s.registered_companies(on=date(2026, 11, 3)) and SUB1 in s.registered_companies()


def test_approving_twice_is_refused() -> None:
    s, _ = base()
    s, _ = approve(s, member=2, by=SUB1, at=jst(3, 9))
    with pytest.raises(errors.AlreadyApproved):
        approve(s, member=2, by=SUB1, at=jst(3, 10))


def test_only_the_invited_company_may_approve() -> None:
    s, _ = base()
    for wrong in (PRIME, OTHER):
        with pytest.raises(errors.WrongApprover):
            approve(s, member=2, by=wrong, at=jst(3, 9))


def test_pending_company_cannot_invite_below_itself_yet() -> None:
    s, _ = base()
    with pytest.raises(errors.Invalid):
        invite(s, parent=2, by=SUB1, company=SUB2, name="二次", at=jst(3, 9))


def test_only_upper_companies_may_invite_into_a_branch() -> None:
    s, _ = base()
    s, _ = approve(s, member=2, by=SUB1, at=jst(3, 9))
    s, _ = invite(s, parent=2, by=SUB1, company=SUB2, name="二次", at=jst(4, 9))
    s, _ = approve(s, member=3, by=SUB2, at=jst(4, 10))
    with pytest.raises(errors.Forbidden):
        invite(s, parent=2, by=SUB2, company=SUB3, name="三次", at=jst(5, 9))  # lower may not add beside itself
    s, _ = invite(s, parent=3, by=PRIME, company=SUB3, name="三次", at=jst(5, 9))  # prime may, anywhere
    assert s.get(4).tier == 3


def test_cycles_and_duplicates_are_refused() -> None:
    s, _ = base()
    s, _ = approve(s, member=2, by=SUB1, at=jst(3, 9))
    with pytest.raises(errors.Cycle):
        invite(s, parent=2, by=SUB1, company=PRIME, name="loop", at=jst(4, 9))
    with pytest.raises(errors.Cycle):
        invite(s, parent=2, by=SUB1, company=SUB1, name="self", at=jst(4, 9))
    s, _ = invite(s, parent=2, by=SUB1, company=SUB2, name="二次", at=jst(4, 9))
    with pytest.raises(errors.AlreadyOnSite):
        invite(s, parent=1, by=PRIME, company=SUB2, name="again", at=jst(4, 9))


def test_placeholder_is_replaced_without_losing_its_branch() -> None:
    s, _ = base()
    s, _ = approve(s, member=2, by=SUB1, at=jst(3, 9))
    s, _ = place_unregistered(s, parent=2, by=SUB1, name="CCUS建設", at=jst(4, 9))
    ph = s.get(3)
    assert ph.placeholder and ph.status == "registered" and ph.tier == 2
    s, _ = invite(s, parent=3, by=SUB1, company=SUB3, name="三次", at=jst(5, 9))
    with pytest.raises(errors.PendingBelowPlaceholder):
        replace_placeholder(s, member=3, by=SUB1, company=NEWCO, name="CCUS建設(株)", at=jst(6, 9))
    s, _ = approve(s, member=4, by=SUB3, at=jst(6, 9))
    with pytest.raises(errors.Forbidden):
        replace_placeholder(s, member=3, by=SUB3, company=NEWCO, name="x", at=jst(6, 9))  # below, not above
    s, change = replace_placeholder(s, member=3, by=SUB1, company=NEWCO, name="CCUS建設(株)", at=jst(7, 9))
    assert (s.get(3).company, s.get(3).name, s.get(4).parent) == (NEWCO, "CCUS建設(株)", 3)
    assert change.action == "replace"
    with pytest.raises(errors.NotPlaceholder):
        replace_placeholder(s, member=3, by=SUB1, company=OTHER, name="again", at=jst(8, 9))
    assert s.branch_companies(SUB1) == {SUB1, NEWCO, SUB3}


def test_history_replays_to_the_same_tree_and_answers_as_of_a_date() -> None:
    s, history = base()
    for step in (
        lambda s: approve(s, member=2, by=SUB1, at=jst(3, 9)),
        lambda s: set_work(s, member=2, by=SUB1, work_name="躯体工事", work_description="鉄筋・型枠", at=jst(3, 10)),
        lambda s: place_unregistered(s, parent=2, by=SUB1, name="CCUS建設", at=jst(4, 9)),
        lambda s: replace_placeholder(s, member=3, by=PRIME, company=NEWCO, name="CCUS建設(株)", at=jst(9, 9)),
    ):
        s, change = step(s)
        history.append(change)
    assert replay(history) == s
    earlier = as_of(history, jst(5, 0))
    assert earlier.get(3).placeholder and earlier.get(2).work_name == "躯体工事"
    assert tree_lines(s) == [
        f"元請 {PRIME} (株)基本建設 [登録]",
        f"  1次 {SUB1} アップ一級工務店(株) [登録] — 躯体工事",
        f"    2次 {NEWCO} CCUS建設(株) [登録]",
    ]


def test_unknown_member_is_not_found() -> None:
    s, _ = base()
    with pytest.raises(errors.NotFound):
        approve(s, member=99, by=SUB1, at=jst(3, 9))
