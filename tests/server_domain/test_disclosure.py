"""Disclosure policy (pure): who sees which worker fields and whose history rows."""

from __future__ import annotations

from datetime import date

from server.domain.disclosure import Principal, may_read_row, visible_employers, worker_view
from server.domain.registry import Site, Worker
from server.domain.roster import RosterEntry
from server.domain.structure import approve, invite, new_structure
from tests.server_domain.factory import OTHER, PRIME, SITE, SUB1, SUB2, W1, W2, jst

SITE_ = Site(SITE, "現場", PRIME)
WORKER = Worker(W1, "匠野 技", "タクミノ ワザ", SUB2, trade_minor="0201", level=3, health_insurance=True)


def structure():  # type: ignore[no-untyped-def]
    s, _ = new_structure(SITE, PRIME, "元請", jst(1, 9))
    s, _ = invite(s, parent=1, by=PRIME, company=SUB1, name="一次", at=jst(1, 10))
    s, _ = approve(s, member=2, by=SUB1, at=jst(1, 11))
    s, _ = invite(s, parent=2, by=SUB1, company=SUB2, name="二次", at=jst(1, 12))
    s, _ = approve(s, member=3, by=SUB2, at=jst(1, 13))
    return s


def test_employer_and_self_see_everything_uppers_see_roster_fields_others_nothing() -> None:
    s = structure()
    active = [(SITE_, s, RosterEntry(SITE, W1, SUB2, date(2026, 11, 1)))]
    full = worker_view(Principal("company", "u", company=SUB2), WORKER, active_rosters=active)
    assert full is not None and full["level"] == 3
    assert worker_view(Principal("worker", "u", worker=W1), WORKER, active_rosters=active) == full
    for upper in (Principal("prime", "u", company=PRIME), Principal("company", "u", company=SUB1)):
        seen = worker_view(upper, WORKER, active_rosters=active)
        assert seen is not None and "level" not in seen and seen["name"] == "匠野 技"
    # not active on any of the upper's sites: nothing
    assert worker_view(Principal("prime", "u", company=PRIME), WORKER, active_rosters=[]) is None
    assert worker_view(Principal("company", "u", company=OTHER), WORKER, active_rosters=active) is None
    assert worker_view(Principal("worker", "u", worker=W2), WORKER, active_rosters=active) is None


def test_disclosure_needs_both_worker_and_employer_consent() -> None:
    p = Principal("company", "u", company=OTHER)
    assert worker_view(p, WORKER, active_rosters=[], worker_consent=["level"]) is None
    both = worker_view(p, WORKER, active_rosters=[], worker_consent=["level"], employer_consent=["level"])
    assert both == {"worker": W1, "name": "匠野 技", "level": 3}


def test_history_scope_follows_the_structure() -> None:
    s = structure()
    assert visible_employers(Principal("admin", "a"), SITE_, s) is None
    assert visible_employers(Principal("prime", "u", company=PRIME), SITE_, s) is None
    assert visible_employers(Principal("company", "u", company=SUB1), SITE_, s) == {SUB1, SUB2}
    assert visible_employers(Principal("company", "u", company=SUB2), SITE_, s) == {SUB2}
    manager_elsewhere = Principal("prime", "u", company=PRIME, site="99190759824771")
    assert visible_employers(manager_elsewhere, SITE_, s) == set()
    me = Principal("worker", "u", worker=W1)
    scope = visible_employers(me, SITE_, s)
    assert may_read_row(me, W1, SUB2, scope) and not may_read_row(me, W2, SUB2, scope)
    sub2 = Principal("company", "u", company=SUB2)
    assert not may_read_row(sub2, W2, SUB1, visible_employers(sub2, SITE_, s))


def test_proxy_roster_registration_needs_agreement_and_a_place_above() -> None:
    from server.domain.disclosure import may_manage_roster

    s = structure()
    assert may_manage_roster(Principal("company", "u", company=SUB2), SITE_, SUB2, s)
    assert not may_manage_roster(Principal("prime", "u", company=PRIME), SITE_, SUB2, s)
    assert may_manage_roster(Principal("prime", "u", company=PRIME), SITE_, SUB2, s, proxies=[PRIME])
    assert may_manage_roster(Principal("company", "u", company=SUB1), SITE_, SUB2, s, proxies=[SUB1])
    assert not may_manage_roster(Principal("company", "u", company=SUB2), SITE_, SUB1, s, proxies=[SUB2])  # below
    assert not may_manage_roster(Principal("company", "u", company=OTHER), SITE_, SUB2, s, proxies=[OTHER])
    assert not may_manage_roster(Principal("worker", "u", worker=W1), SITE_, SUB2, s, proxies=[PRIME])


def test_csv_cells_never_start_a_formula() -> None:
    from server.domain.report import to_csv

    text = to_csv([{"site": SITE, "work_day": "2026-11-02", "worker": W1, "work_content": "=HYPERLINK(\"x\")",
                    "position": "@職長", "flags": ["entry_without_exit"], "minutes_on_site": 0}])
    line = text.splitlines()[1]
    assert "'=HYPERLINK" in line and "'@職長" in line and ",entry_without_exit," in line and ",0," in line
