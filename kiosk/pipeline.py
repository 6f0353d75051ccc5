"""The tap pipeline: reader tap → decide the direction → durable journal append → outcome.

The one rule this module exists for: an outcome says "recorded" only when
:meth:`JournalWriter.append` returned, i.e. the event is committed to disk.
Any failure to append (disk full, read-only file system, I/O error, a journal
changed under us) becomes a ``NOT_RECORDED`` outcome the screen must show as
such; nothing is counted, and a forced direction stays armed for the retry.

Every readable card is journaled, including unknown cards and workers not on
this site's roster (the server and the site manager sort them out); a repeat
within the repeat window is journaled as ``repeat`` and not counted. A kiosk
that does not know its site yet records the tap with ``site`` = "" (NO_SITE,
attributed later by the server; docs/protocol.md §2) and shows ``no_site`` to the
manager: a tap is never refused for lack of configuration.

No Qt here: the screens (kiosk.ui) and the headless logger show an
:class:`Outcome`; they never decide anything.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from hardware.base import Tap
from kiosk.direction import Decision, GateMode, TapMoment, decide
from kiosk.sources import CardHolder, SiteView
from kiosk.today import Today
from shared.clock import Clock
from shared.errors import GenbaError
from shared.event import NO_SITE, Direction
from shared.ids import Idm, to_reader_id
from shared.journal import EventDraft, StoredEvent
from shared.timefmt import parse_rfc3339


class OutcomeKind(StrEnum):
    RECORDED = "recorded"
    """A worker on this site's roster: entry or exit recorded."""
    REPEAT = "repeat"
    """Same person again within the repeat window: journaled as a repeat, not counted."""
    UNKNOWN_CARD = "unknown_card"
    """Recorded, but the card belongs to nobody on the roster: see the site manager."""
    NOT_ON_ROSTER = "not_on_roster"
    """Recorded, but the worker is not registered on this site's roster."""
    NOT_RECORDED = "not_recorded"
    """The journal append failed: the tap was NOT recorded."""


log = logging.getLogger(__name__)

REASON_UNKNOWN = "unknown card"
REASON_NOT_ON_ROSTER = "worker not on this site's roster"


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: OutcomeKind
    idm: Idm | None
    holder: CardHolder | None = None
    direction: Direction | None = None
    at: datetime | None = None
    """When it was recorded (the journal's wall clock)."""
    seq: int | None = None
    repeat_of: datetime | None = None
    error_code: str | None = None
    error_message: str | None = None
    forced: bool = False

    @property
    def recorded(self) -> bool:
        return self.kind is not OutcomeKind.NOT_RECORDED


class Appender(Protocol):
    def append(self, draft: EventDraft) -> StoredEvent: ...


class TapPipeline:
    """Turns taps into journaled events and outcomes. Single-threaded: call from one thread."""

    def __init__(self, journal: Appender, site: SiteView, today: Today, clock: Clock,
                 *, mode: GateMode = GateMode.AUTO) -> None:
        self.journal, self.site, self.today, self.clock = journal, site, today, clock
        self.mode = mode
        self.forced: Direction | None = None

    def force_next(self, direction: Direction | None) -> None:
        """Arm (or clear) the direction of the next tap, from the on-screen buttons."""
        self.forced = direction

    def record(self, draft: EventDraft) -> StoredEvent:
        """Append a manager action durably and fold it into today's state; raises on failure."""
        stored = self.journal.append(draft)
        self.today.apply(stored.event)
        return stored

    def handle(self, tap: Tap) -> Outcome:
        """Decide and journal one tap. The IDm was checked where the card was read (the hardware edge:
        a card that answers no valid IDm is a reader status, never a tap), so it is not checked again."""
        idm = tap.idm
        settings = self.site.settings()
        holder = self.site.lookup(idm)
        bound = self.today.bindings.get(idm)
        if bound is not None and (holder is None or holder.worker != bound):
            holder = self.site.worker(bound) or CardHolder(worker=bound, name=bound, on_site_roster=False)
        now = self.clock.wall().astimezone(settings.timezone)  # shown in the site's hours, whatever the machine's zone
        self.today.day_boundary, self.today.tz = settings.day_boundary, settings.timezone
        self.today.roll_to(now)
        key = holder.worker if holder is not None else self.today.key_for(idm)
        moment = TapMoment(now, self.clock.boot_id(), tap.mono_us)
        forced = self.forced
        decision: Decision = decide(self.today.last_for(key), moment, mode=self.mode, forced=forced,
                                    repeat_window_s=settings.repeat_window_s)
        if decision.kind == "repeat":
            reason = None
        elif holder is None:
            reason = REASON_UNKNOWN
        elif not holder.on_site_roster:
            reason = REASON_NOT_ON_ROSTER
        else:
            reason = None
        draft = EventDraft(kind=decision.kind, reader=to_reader_id(tap.reader), site=settings.site or NO_SITE, idm=idm,
                           direction=decision.direction, ref=decision.ref, reason=reason, mono_us=tap.mono_us)
        try:
            stored = self.journal.append(draft)
        except GenbaError as exc:
            return Outcome(OutcomeKind.NOT_RECORDED, idm, holder, decision.direction,
                           error_code=exc.code, error_message=exc.message, forced=forced is not None)
        try:
            self.today.apply(stored.event)
        except Exception:  # the record is safe on disk; a summary bug must not hide that from the worker
            log.exception("today's state could not take event seq %s", stored.seq)
        self.forced = None  # a force applies to the next recorded tap only
        if decision.kind == "repeat":
            kind = OutcomeKind.REPEAT
        elif holder is None:
            kind = OutcomeKind.UNKNOWN_CARD
        elif not holder.on_site_roster:
            kind = OutcomeKind.NOT_ON_ROSTER
        else:
            kind = OutcomeKind.RECORDED
        return Outcome(kind, idm, holder, decision.direction, parse_rfc3339(stored.event.at).astimezone(now.tzinfo),
                       stored.seq,
                       repeat_of=decision.repeat_of, forced=forced is not None)
