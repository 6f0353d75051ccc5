"""未タッチ者 and 退場漏れ: the shared definitions (shared.daylists) and the server's use of them."""

from __future__ import annotations

from shared.daylists import Presence, by_company, exit_missing, not_touched


def p(worker: str, company: str = "A", *, roster: bool = True, touches: int = 1, last: str | None = "out",
      worked: bool = True) -> Presence:
    return Presence(worker, company, roster, touches, last, worked)  # type: ignore[arg-type]


def test_not_touched_is_on_the_roster_without_a_card_touch() -> None:
    day = [p("w1"), p("w2", touches=0, last=None, worked=False), p("w3", "B", touches=0, last=None),
           p("w4", roster=False, touches=0, last=None, worked=True)]
    listed = not_touched(day)
    assert [(x.worker, x.worked) for x in listed] == [("w2", False), ("w3", True)]


def test_exit_missing_is_a_last_touch_that_is_an_entry() -> None:
    day = [p("w1", "B", last="in"), p("w2", last="out"), p("w3", "A", last="in"), p("w4", roster=False, last="in")]
    assert [x.worker for x in exit_missing(day)] == ["w3", "w4", "w1"]
    assert list(by_company(exit_missing(day))) == ["A", "B"]
