"""Today at this site, derived from the journal: who is in now, who has left, unknown cards.

The journal is the truth (ARCHITECTURE decision 1); this module only folds
its events into a per-person summary for the current work day, so the idle
screen can show "on site now", the manager can see today's list, and the
direction decision knows each person's last entry or exit.

Memory is bounded by the number of people and cards seen today, never by the
number of taps: each person keeps one :class:`Presence`, and only the last
:data:`RECENT_LIMIT` events are kept for the manager's "amend a recent tap".
Card bindings made on this kiosk (``bind`` events) are kept across days until
the roster in state.db carries them.

**The whole site.** With a sibling feed attached (:meth:`Today.attach_siblings`:
the events syncd received and verified from the site's other gates, kept in
state.db apart from the journal), the fold takes every gate's taps: a worker
who entered at gate A and taps at gate B is decided as an exit at B, and the
roll call counts the whole site. Sibling events keep their own gate's seq, so
they are never offered for amending here.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, tzinfo

from kiosk.direction import LastMark
from shared.event import Direction, Event, Kind
from shared.ids import Idm
from shared.siterules import DEFAULT_DAY_BOUNDARY, work_day, worker_key
from shared.state.siblings import SiblingFeed
from shared.timefmt import JST, parse_rfc3339

RECENT_LIMIT = 200
"""How many recent events the manager can pick from to amend."""

STOP_AFTER_OLDER = 50
"""Rebuild scans the journal backwards and stops after this many events of earlier days in a row
(a few out-of-order wall clocks must not hide the rest of today)."""


def card_key(idm: Idm) -> str:
    return worker_key(None, idm)


@dataclass(slots=True)
class Presence:
    """One person (or one unknown card) today."""

    key: str
    worker: str | None
    idm: Idm | None
    first_in: datetime | None = None
    last_out: datetime | None = None
    last: LastMark | None = None
    marks: int = 0
    """Entries and exits today (repeats are not counted)."""

    @property
    def inside(self) -> bool:
        return self.last is not None and self.last.direction == "in"


@dataclass(frozen=True, slots=True)
class RecentEvent:
    seq: int
    kind: Kind
    direction: Direction | None
    at: datetime
    key: str
    idm: Idm | None
    worker: str | None
    amended_to: Direction | None = None
    device: str = ""
    sibling: bool = False


class Today:
    """The current work day's summary. Feed it every journaled event with :meth:`apply`."""

    def __init__(
        self,
        resolve: Callable[[Idm], str | None],
        *,
        day_boundary: time = DEFAULT_DAY_BOUNDARY,
        tz: tzinfo = JST,
    ) -> None:
        self._resolve = resolve
        self.day_boundary = day_boundary
        self.tz = tz
        self.day: date | None = None
        self.people: dict[str, Presence] = {}
        self.bindings: dict[Idm, str] = {}
        self._recent: deque[RecentEvent] = deque(maxlen=RECENT_LIMIT)
        self._inside_count: int | None = 0
        self._siblings: SiblingFeed | None = None
        self._refreshing = False
        self.sibling_error: str | None = None
        """Why sibling events could not be read (state.db damaged); the fold goes on with this gate's own."""

    # -- queries -----------------------------------------------------------------------------
    def worker_for(self, idm: Idm) -> str | None:
        return self.bindings.get(idm) or self._resolve(idm)

    def key_for(self, idm: Idm) -> str:
        worker = self.worker_for(idm)
        return worker_key(worker, idm)

    def last_for(self, key: str) -> LastMark | None:
        person = self.people.get(key)
        return None if person is None else person.last

    def inside(self) -> list[Presence]:
        return sorted((p for p in self.people.values() if p.inside), key=_by_time)

    def left(self) -> list[Presence]:
        return sorted((p for p in self.people.values() if p.last and not p.inside), key=_by_time)

    def unknown_cards(self) -> list[Presence]:
        return sorted((p for p in self.people.values() if p.worker is None), key=_by_time)

    @property
    def count_inside(self) -> int:
        """People on site now (cached: the idle screen asks every second and after every tap)."""
        if self._inside_count is None:
            self._inside_count = sum(1 for p in self.people.values() if p.inside)
        return self._inside_count

    def recent(self, n: int = 20, *, kinds: Iterable[str] = ("tap", "manual"),
               siblings: bool = False) -> list[RecentEvent]:
        """This gate's recent events (what the manager may amend); ``siblings``: other gates' too."""
        wanted = set(kinds)
        return [e for e in reversed(self._recent) if e.kind in wanted and (siblings or not e.sibling)][:n]

    def recent_event(self, seq: int) -> RecentEvent | None:
        for e in self._recent:
            if e.seq == seq and not e.sibling:
                return e
        return None

    # -- updates -----------------------------------------------------------------------------
    def attach_siblings(self, feed: SiblingFeed) -> None:
        """Fold the site's other gates' verified events too (from today's start, then as they arrive)."""
        self._siblings = feed
        feed.reset()
        self.refresh_siblings()

    def refresh_siblings(self) -> int:
        """Fold sibling events stored since the last call; returns how many. Never raises for state.db."""
        feed = self._siblings
        if feed is None or self._refreshing or self.day is None:
            return 0
        self._refreshing = True
        try:
            start = datetime.combine(self.day, self.day_boundary, self.tz)
            try:
                events = feed.since(start)
                self.sibling_error = None
            except Exception as exc:  # a damaged state.db must not stop the gate: its own taps go on
                self.sibling_error = str(exc)
                return 0
            for event in events:
                self.apply(event, sibling=True)
            return len(events)
        finally:
            self._refreshing = False

    def roll_to(self, moment: datetime) -> None:
        """Start a new work day when ``moment`` belongs to a later one; fold new sibling events."""
        self._roll(moment)
        self.refresh_siblings()

    def _roll(self, moment: datetime) -> None:
        day = work_day(moment, self.day_boundary, self.tz)
        if self.day is None or day > self.day:
            self.day = day
            self.people.clear()
            self._recent.clear()
            self._inside_count = 0

    def apply(self, event: Event, *, sibling: bool = False) -> None:
        """Fold one event: this gate's own (from the journal), or a sibling gate's (``sibling``)."""
        self._inside_count = None
        if event.kind == "bind":
            assert event.idm is not None and event.worker is not None
            self._bind(event.idm, event.worker)
            return
        # in the site's zone whatever offset the journal's text carries (a kiosk once run in UTC wrote +00:00)
        at = parse_rfc3339(event.claimed_at if event.kind == "manual" else event.at).astimezone(self.tz)
        self._roll(at)
        if work_day(at, self.day_boundary, self.tz) != self.day:
            return  # an event of an earlier day (a late manual entry, a clock set back): not today's state
        idm: Idm | None
        worker: str | None
        if event.kind == "manual":
            assert event.worker is not None
            key, idm, worker = event.worker, None, event.worker
        elif event.kind == "amend":
            self._amend(event, sibling)
            return
        else:
            assert event.idm is not None
            idm, worker = event.idm, self.worker_for(event.idm)
            key = worker if worker is not None else card_key(event.idm)
        self._recent.append(RecentEvent(event.seq, event.kind, event.direction, at, key, idm, worker,
                                        device=event.device, sibling=sibling))
        if event.kind == "repeat" or event.direction is None:
            return
        person = self.people.get(key)
        if person is None:
            person = self.people[key] = Presence(key, worker, idm)
        mark = LastMark(event.seq, event.direction, at, event.boot if event.kind == "tap" else None,
                        event.mono_us if event.kind == "tap" else None, device=event.device, sibling=sibling)
        _add_mark(person, mark)

    def _amend(self, event: Event, sibling: bool = False) -> None:
        """An amendment refers to a seq of its own gate's journal."""
        assert event.ref is not None and event.direction is not None
        for i, old in enumerate(self._recent):
            if old.seq == event.ref and old.sibling == sibling and (not sibling or old.device == event.device):
                self._recent[i] = replace(old, amended_to=event.direction)
                person = self.people.get(old.key)
                if person is not None and person.last is not None and person.last.seq == event.ref \
                        and person.last.sibling == sibling and person.last.device == old.device:
                    person.last = replace(person.last, direction=event.direction)
                    if event.direction == "out":
                        person.last_out = max(person.last_out or old.at, old.at)
                    elif person.first_in is None or old.at < person.first_in:
                        person.first_in = old.at
                return

    def _bind(self, idm: Idm, worker: str) -> None:
        self.bindings[idm] = worker
        card = self.people.pop(card_key(idm), None)
        if card is None:
            return
        person = self.people.get(worker)
        if person is None:
            card.key, card.worker = worker, worker
            self.people[worker] = card
            return
        for mark in [card.last] if card.last else []:
            _add_mark(person, mark, count=False)
        person.marks += card.marks
        if card.first_in and (person.first_in is None or card.first_in < person.first_in):
            person.first_in = card.first_in
        if card.last_out and (person.last_out is None or card.last_out > person.last_out):
            person.last_out = card.last_out

    def rebuild(self, conn: sqlite3.Connection, now: datetime) -> None:
        """Fold today's events (and every binding) from a journal connection, newest epoch first."""
        self.roll_to(now)
        binds = conn.execute("SELECT data FROM events WHERE instr(data, ?) > 0 ORDER BY epoch, seq",
                             (b'"kind":"bind"',))
        for (data,) in binds:
            self.apply(Event.from_bytes(bytes(data)))
        todays: list[Event] = []
        older = 0
        for (data,) in conn.execute("SELECT data FROM events ORDER BY epoch DESC, seq DESC"):
            event = Event.from_bytes(bytes(data))
            stamp = event.claimed_at if event.kind == "manual" and event.claimed_at else event.at
            if work_day(parse_rfc3339(stamp), self.day_boundary, self.tz) == self.day:
                todays.append(event)
                older = 0
            else:
                older += 1
                if older >= STOP_AFTER_OLDER:
                    break
        for event in reversed(todays):
            if event.kind != "bind":
                self.apply(event)


def _add_mark(person: Presence, mark: LastMark, *, count: bool = True) -> None:
    if count:
        person.marks += 1
    if person.last is None or mark.at >= person.last.at:
        person.last = mark
    if mark.direction == "in" and (person.first_in is None or mark.at < person.first_in):
        person.first_in = mark.at
    if mark.direction == "out" and (person.last_out is None or mark.at > person.last_out):
        person.last_out = mark.at


def _by_time(p: Presence) -> datetime:
    assert p.last is not None or p.first_in is not None
    return p.first_in or p.last.at  # type: ignore[union-attr]
