"""From raw device events to the taps reconciliation works on.

Raw events are kept forever exactly as the device signed them; this module
derives, per device log, what each event *means* for work history:

- ``tap`` / ``repeat``: a card touch; its direction is the device's, unless a
  later ``amend`` event of the same device log changed it (the last amend, by
  seq, wins; the original event is never edited);
- ``amend``: consumed here (it only changes the direction of its ``ref``);
- ``manual``: a worker without a card, recorded by the site manager: becomes
  a correction request (事後補正) that needs the prime contractor's approval;
- ``bind``: the site manager bound a card to a worker at the kiosk.

It also flags *device clock suspect* events: within one boot of one device,
the wall clock must advance with the monotonic clock (CLOCK_BOOTTIME); a jump
or a step backwards (:func:`shared.clockrules.clock_jumped`, the rule ingest flags ``clock_jump`` by) marks
the event after the discontinuity. Pure functions only.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, NamedTuple

from shared.clockrules import clock_jumped
from shared.event import Event
from shared.timefmt import parse_rfc3339

EventKey = tuple[str, int, int]
"""(device, epoch, seq): the identity of a raw event."""


class SiteTap(NamedTuple):
    """A card touch as reconciliation sees it (direction after amends).

    A named tuple, not a dataclass: reconciliation builds and reads one per
    tap of every recomputed day (the worker re-reads days around each batch,
    rebuild every tap), and a tuple is built and read at C speed.
    """

    site: str
    device: str
    epoch: int
    seq: int
    at: datetime
    kind: Literal["tap", "repeat"]
    idm: str
    direction: Literal["in", "out"]
    amended: bool = False
    clock_suspect: bool = False

    @property
    def key(self) -> EventKey:
        return (self.device, self.epoch, self.seq)

    @property
    def order(self) -> tuple[datetime, str, int, int]:
        """Total order used everywhere: time, then device log position (deterministic across arrival orders)."""
        return (self.at, self.device, self.epoch, self.seq)


@dataclass(frozen=True, slots=True)
class KioskBind:
    """A card bound to a worker at the kiosk (``bind`` event)."""

    site: str
    idm: str
    worker: str
    at: datetime
    key: EventKey


@dataclass(frozen=True, slots=True)
class ManualClaim:
    """A ``manual`` event: the worker forgot the card; the manager recorded the claimed time."""

    site: str
    worker: str
    direction: Literal["in", "out"]
    claimed_at: datetime
    recorded_at: datetime
    reason: str | None
    key: EventKey


@dataclass(frozen=True, slots=True)
class Derived:
    taps: list[SiteTap]
    binds: list[KioskBind]
    manuals: list[ManualClaim]
    amends: dict[EventKey, str]
    """Referenced tap → its direction after the last amend among the events passed (for taps stored earlier)."""


def clock_jumps(events: Sequence[Event], walls: Mapping[EventKey, datetime] | None = None) -> set[EventKey]:
    """Events whose wall clock disagrees with the monotonic clock since the previous event of the same boot.

    ``events`` must be one device log (one device and epoch), in any order;
    ``walls`` may carry their parsed wall clocks (parsing is the costly part).
    """
    suspect: set[EventKey] = set()
    ordered = sorted(events, key=lambda e: e.seq)

    def wall(e: Event) -> datetime:
        got = walls.get((e.device, e.epoch, e.seq)) if walls is not None else None
        return got if got is not None else parse_rfc3339(e.at)

    prev_wall: datetime | None = None
    for prev, cur in itertools.pairwise(ordered):
        if prev_wall is None:
            prev_wall = wall(prev)
        cur_wall = wall(cur)
        if cur.boot == prev.boot:
            mono = timedelta(microseconds=cur.mono_us - prev.mono_us)
            if clock_jumped(cur_wall - prev_wall, mono):
                suspect.add((cur.device, cur.epoch, cur.seq))
        prev_wall = cur_wall
    return suspect


def _recorded(key: EventKey, walls: Mapping[EventKey, datetime],
              retimed: Mapping[EventKey, datetime] | None) -> datetime:
    """When a bind or manual entry was recorded: the device's wall clock, unless that clock read an impossible
    year (1, 9999 …) — then the server's corrected time, so that nothing downstream overflows (issue 9 item 3)."""
    wall = walls[key]
    if wall.year in range(2000, 2100) or retimed is None or key not in retimed:
        return wall
    return retimed[key]


def derive(
    events: Iterable[Event],
    *,
    extra_suspect: set[EventKey] | frozenset[EventKey] = frozenset(),
    retimed: Mapping[EventKey, datetime] | None = None,
    previous: Mapping[tuple[str, int], Event] | None = None,
) -> Derived:
    """Interpret raw events (any devices, any order) as taps, kiosk binds and manual claims.

    ``extra_suspect`` adds clock findings made elsewhere (the sync server's
    ``time_flags``); ``retimed`` replaces a tap's device wall clock by the
    server's corrected time for it; ``previous`` gives, per device log, the
    event just before the first one passed (so a batch alone is judged exactly
    as the whole log would be).
    """
    logs: dict[tuple[str, int], list[Event]] = defaultdict(list)
    for e in events:
        logs[(e.device, e.epoch)].append(e)
    taps: list[SiteTap] = []
    binds: list[KioskBind] = []
    manuals: list[ManualClaim] = []
    amends: dict[EventKey, str] = {}
    for (device, epoch), log in logs.items():
        before = (previous or {}).get((device, epoch))
        walls = {(e.device, e.epoch, e.seq): parse_rfc3339(e.at) for e in log}
        suspect = clock_jumps([before, *log] if before is not None else log, walls) | set(extra_suspect)
        amended: dict[int, tuple[int, str]] = {}
        for e in log:
            if e.kind == "amend" and e.ref is not None and e.direction is not None:
                seen = amended.get(e.ref)
                if seen is None or e.seq > seen[0]:
                    amended[e.ref] = (e.seq, e.direction)
        amends.update({(device, epoch, ref): fix[1] for ref, fix in amended.items()})
        for e in log:
            key = (e.device, e.epoch, e.seq)
            if e.kind in ("tap", "repeat") and e.idm is not None and e.direction is not None:
                fix = amended.get(e.seq)
                direction = fix[1] if fix else e.direction
                at = retimed.get(key) if retimed is not None else None
                taps.append(SiteTap(site=e.site, device=e.device, epoch=e.epoch, seq=e.seq, at=at or walls[key],
                                kind=e.kind, idm=e.idm, direction=direction,  # type: ignore[arg-type]
                                amended=fix is not None and fix[1] != e.direction, clock_suspect=key in suspect))
            elif e.kind == "bind" and e.idm is not None and e.worker is not None:
                binds.append(KioskBind(site=e.site, idm=e.idm, worker=e.worker, at=_recorded(key, walls, retimed),
                                       key=key))
            elif e.kind == "manual" and e.worker and e.direction and e.claimed_at:
                manuals.append(ManualClaim(site=e.site, worker=e.worker, direction=e.direction,
                                           claimed_at=parse_rfc3339(e.claimed_at),
                                           recorded_at=_recorded(key, walls, retimed),
                                           reason=e.reason, key=key))
    return Derived(taps=taps, binds=binds, manuals=manuals, amends=amends)
