"""Reconciliation: raw taps → one work-history row (就業履歴) per worker × site × work day.

The rules, in the order they are applied:

1. **Who.** A tap's card (IDm) is attributed to the worker bound to it on the
   tap's work day: registry bindings first (they carry validity dates, so a
   lost and reissued card keeps history right); else the kiosk ``bind`` events
   of that card, each valid from its own work day until the next one — the
   earliest also covers the days *before* it, so binding an unknown card later
   re-attributes its past taps. A card nobody is bound to gives a row keyed by
   the card, flagged ``unknown_card``.
2. **Which day.** The work day is the site-local date of the tap minus the
   site's day boundary (default 04:00: a tap at 02:30 belongs to the day
   before). A night shift stays on the day of entry: an exit whose previous
   tap (same worker, any kiosk) is an entry on an earlier work day, at most
   :data:`MAX_SHIFT` before, closes that earlier day's row.
3. **Repeats.** ``repeat`` events, and a tap in the same direction as the
   worker's previous tap within the site's repeat window (two kiosks, or a
   double touch), are collapsed: they change no time, and flag the row.
4. **Times.** First entry = earliest entry; last exit = latest exit; time on
   site = the difference in whole minutes when both exist.
5. **Corrections** approved by the prime contractor add their entry/exit to
   the worker's row of that day (creating it if needed); flag ``corrected``.
6. **What as.** Employer, trade, position, work content and hazardous
   handling come from the roster entry valid that day; none → ``not_on_roster``
   (employer then from the registry); an entry without trade or position →
   ``roster_incomplete`` (not valid for level assessment).
7. **Flags** ``entry_without_exit`` (the row's last effective tap is an entry),
   ``exit_without_entry`` (no entry at all), ``clock_suspect`` (a tap whose
   device clock jumped), ``amended`` (a direction changed by the site manager).

Taps are processed in one total order (time, device, epoch, seq), so the rows
depend only on the *set* of events, never on the order batches arrived in.
Rows for a day depend only on taps within :data:`MAX_SHIFT` of that day, which
is what lets the store recompute just the days an ingest touched
(:func:`affected_days`). Pure: no I/O.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from operator import attrgetter
from typing import NamedTuple
from zoneinfo import ZoneInfo

from server.domain.corrections import Correction
from server.domain.registry import CardBinding, Site
from server.domain.roster import RosterEntry
from server.domain.taps import KioskBind, SiteTap
from shared.siterules import DEFAULT_DAY_BOUNDARY, DEFAULT_REPEAT_WINDOW_S, DEFAULT_TIMEZONE, day_start

MAX_SHIFT = timedelta(hours=20)
FLAGS: tuple[str, ...] = (
    "entry_without_exit", "exit_without_entry", "repeats_collapsed", "unknown_card", "not_on_roster",
    "roster_incomplete", "clock_suspect", "amended", "corrected",
)


_OFFSETS: dict[tuple[tzinfo, int], int] = {}
_DAYS: dict[int, date] = {}
_FIRST = datetime(1, 1, 1, tzinfo=UTC)
"""0001-01-01T00:00Z: second 86,400 of the ordinal count :meth:`Rules.work_day` uses."""


def _local_offset_s(tz: tzinfo, utc_s: int, at: datetime) -> int:
    """``at.astimezone(tz).utcoffset()`` in whole seconds, remembered per quarter hour.

    Converting to a ``ZoneInfo`` zone is the costly step of reconciling a tap
    and every tap asks for it; UTC offsets only ever change on a quarter hour,
    so one conversion per zone and quarter hour gives the same answer.
    ``utc_s`` is ``at`` in seconds since 0001-01-01 UTC (the cache key).
    """
    key = (tz, utc_s // 900)
    found = _OFFSETS.get(key)
    if found is None:
        found = int((at.astimezone(tz).utcoffset() or timedelta(0)).total_seconds())
        if len(_OFFSETS) > 200_000:
            _OFFSETS.clear()
        _OFFSETS[key] = found
    return found


def _day(ordinal: int) -> date:
    found = _DAYS.get(ordinal)
    if found is None:
        if len(_DAYS) > 200_000:
            _DAYS.clear()
        found = _DAYS[ordinal] = date.fromordinal(ordinal)
    return found


@dataclass(frozen=True, slots=True)
class Rules:
    """A site's reconciliation settings."""

    day_boundary: time = DEFAULT_DAY_BOUNDARY
    tz: tzinfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))
    repeat_window: timedelta = timedelta(seconds=DEFAULT_REPEAT_WINDOW_S)

    @classmethod
    def for_site(cls, site: Site) -> Rules:
        return cls(day_boundary=site.day_boundary, tz=ZoneInfo(site.timezone),
                   repeat_window=timedelta(seconds=site.repeat_window_s))

    def work_day(self, at: datetime) -> date:
        # shared.siterules.work_day in integer seconds, with a cached UTC offset (tests/test_siterules.py and
        # tests/server_domain/test_reconcile_rules.py: same answer). Microseconds cannot move a day: every other
        # term is whole seconds.
        own = at.utcoffset()
        utc_s = (at.toordinal() * 86400 + at.hour * 3600 + at.minute * 60 + at.second
                 - (int(own.total_seconds()) if own else 0))
        b = self.day_boundary
        local_s = utc_s + _local_offset_s(self.tz, utc_s, at) - (b.hour * 3600 + b.minute * 60)
        return _day(local_s // 86400)

    def work_day_span(self, at: datetime) -> tuple[date, datetime | None, datetime | None]:
        """:meth:`work_day` of ``at``, and a UTC range [lo, hi) around it where every time has that same day
        (the part of ``at``'s quarter hour on that day: the offset is constant there), so a caller walking
        sorted times computes the day once per range (None, None: no range, past the calendar's end)."""
        own = at.utcoffset()
        utc_s = (at.toordinal() * 86400 + at.hour * 3600 + at.minute * 60 + at.second
                 - (int(own.total_seconds()) if own else 0))
        b = self.day_boundary
        shift = _local_offset_s(self.tz, utc_s, at) - (b.hour * 3600 + b.minute * 60)
        ordinal = (utc_s + shift) // 86400
        day_lo = ordinal * 86400 - shift
        block = utc_s - utc_s % 900
        lo_s, hi_s = max(block, day_lo), min(block + 900, day_lo + 86400)
        try:
            return _day(ordinal), _FIRST + timedelta(seconds=lo_s - 86400), _FIRST + timedelta(seconds=hi_s - 86400)
        except OverflowError:
            return _day(ordinal), None, None

    def day_start(self, day: date) -> datetime:
        return day_start(day, self.day_boundary, self.tz)


class RosterTerms(NamedTuple):
    """What reconciliation reads of a roster entry (rule 6), as the store reads it back for a worker round or a
    rebuild: without the entry's lists (health checks, qualifications) and without re-checking what was
    checked when it was written. Behaves as :class:`RosterEntry` for :func:`reconcile`."""

    site: str
    worker: str
    employer: str
    valid_from: date
    valid_to: date | None
    trade_code: str | None
    trade_name: str | None
    position: str | None
    work_content: str
    hazardous: str

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    @property
    def complete(self) -> bool:
        return bool(self.trade_code) and bool(self.position)


class BindingTerms(NamedTuple):
    """What reconciliation reads of a card binding (rule 1), read back without re-checking it; behaves as
    :class:`CardBinding` for :class:`Attribution`."""

    idm: str
    worker: str
    valid_from: date
    valid_to: date | None

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


Roster = RosterEntry | RosterTerms
Binding = CardBinding | BindingTerms


@dataclass(frozen=True, slots=True)
class WorkDay:
    """One 就業履歴 row."""

    site: str
    work_day: date
    worker: str | None
    """None when the card is unknown on that day (see ``idm``)."""
    idm: str | None
    """The card, for rows of unknown cards only."""
    employer: str | None
    trade_code: str | None
    trade_name: str | None
    position: str | None
    work_content: str
    hazardous: str
    first_entry: datetime | None
    last_exit: datetime | None
    minutes_on_site: int | None
    source: str
    """``card`` (any card tap), ``manual`` (only a kiosk manual record, approved) or ``correction``."""
    taps: int
    devices: tuple[str, ...]
    flags: tuple[str, ...]

    @property
    def valid_for_assessment(self) -> bool:
        """Counts for level assessment: a known worker on the roster with trade and position."""
        return self.worker is not None and not {"not_on_roster", "roster_incomplete"} & set(self.flags)


class _Acc:
    """What one row accumulates (a plain slotted class: one is built per row, and a dataclass's
    default factories cost twice as much)."""

    __slots__ = ("card_taps", "devices", "effective", "flags", "ins", "origins", "outs", "taps")

    def __init__(self) -> None:
        self.ins: list[datetime] = []
        self.outs: list[datetime] = []
        self.effective: list[tuple[datetime, str]] = []
        self.taps = 0
        self.devices: set[str] = set()
        self.flags: set[str] = set()
        self.card_taps = 0
        self.origins: set[str] = set()


class Attribution:
    """Card → worker on a day, from registry bindings and kiosk bind events (rule 1)."""

    def __init__(self, bindings: Iterable[Binding], binds: Iterable[KioskBind], rules: Rules) -> None:
        self._registry: dict[str, list[Binding]] = defaultdict(list)
        for b in bindings:
            self._registry[b.idm].append(b)
        self._kiosk: dict[str, list[tuple[date, tuple[datetime, tuple[str, int, int]], str]]] = defaultdict(list)
        for k in binds:
            self._kiosk[k.idm].append((rules.work_day(k.at), (k.at, k.key), k.worker))
        for seq in self._kiosk.values():
            seq.sort(key=lambda x: x[1])

    def worker(self, idm: str, day: date) -> str | None:
        for b in self._registry.get(idm, ()):
            if b.covers(day):
                return b.worker
        kiosk = self._kiosk.get(idm)
        if not kiosk:
            return None
        chosen = kiosk[0][2]
        for bind_day, _, worker in kiosk:
            if bind_day <= day:
                chosen = worker
        return chosen


def reconcile(
    site: str,
    taps: Iterable[SiteTap],
    *,
    rules: Rules,
    bindings: Iterable[Binding] = (),
    binds: Iterable[KioskBind] = (),
    roster: Iterable[Roster] = (),
    corrections: Iterable[Correction] = (),
    employers: Mapping[str, str] | None = None,
    days: set[date] | None = None,
) -> list[WorkDay]:
    """Rows for ``site`` (only ``days`` if given), sorted by day, worker, card.

    ``employers`` maps worker → registry employer, used for workers not on the roster.
    """
    rows, by_worker = _accumulate(site, taps, rules, bindings, binds, roster, corrections)
    out = [
        _row(site, worker, idm, day, acc, rules, by_worker, employers or {})
        for (worker, idm, day), acc in rows.items()
        if days is None or day in days
    ]
    out.sort(key=lambda r: (r.work_day, r.worker or "", r.idm or ""))
    return out


STORED: tuple[str, ...] = (
    "site", "work_day", "subject", "worker", "idm", "employer", "trade_code", "trade_name", "position", "work_content",
    "hazardous", "first_entry", "last_exit", "minutes_on_site", "source", "taps", "devices", "flags")
"""The columns of a stored work-history row (``dom_work_days``), in :func:`reconcile_stored`'s order."""


def reconcile_stored(
    site: str,
    taps: Iterable[SiteTap],
    *,
    rules: Rules,
    bindings: Iterable[Binding] = (),
    binds: Iterable[KioskBind] = (),
    roster: Iterable[Roster] = (),
    corrections: Iterable[Correction] = (),
    employers: Mapping[str, str] | None = None,
    days: set[date] | None = None,
) -> list[tuple[str | int | None, ...]]:
    """:func:`reconcile`'s rows as the store writes them (:data:`STORED` order, in no particular row order):
    day as ``YYYY-MM-DD``, the subject (worker id, or ``card:<IDm>``), times as site-local RFC 3339 text
    with milliseconds, devices and flags space-separated — built straight from each row's accumulator, with
    no :class:`WorkDay` per row (rebuild and the worker write thousands; tests check both agree)."""
    rows, by_worker = _accumulate(site, taps, rules, bindings, binds, roster, corrections)
    employers = employers or {}
    local = rules.tz
    out: list[tuple[str | int | None, ...]] = []
    for (worker, idm, day), acc in rows.items():
        if days is not None and day not in days:
            continue
        first, last, minutes, entry, source = _summary(worker, day, acc, by_worker)
        flags = acc.flags
        out.append((
            site, day.isoformat(), worker if worker is not None else f"card:{idm}", worker, idm,
            entry.employer if entry else (employers.get(worker) if worker else None),
            entry.trade_code if entry else None, entry.trade_name if entry else None,
            entry.position if entry else None, entry.work_content if entry else "",
            entry.hazardous if entry else "",
            local_text(first.astimezone(local)) if first else None,
            local_text(last.astimezone(local)) if last else None,
            minutes, source, acc.taps,
            " ".join(sorted(devices)) if len(devices := acc.devices) > 1 else "".join(devices),
            " ".join([f for f in FLAGS if f in flags])))
    return out


def local_text(moment: datetime) -> str:
    """``format_rfc3339`` of an aware datetime (a row's site-local time), without its checks: one per row time."""
    text = moment.isoformat(timespec="milliseconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _accumulate(
    site: str, taps: Iterable[SiteTap], rules: Rules, bindings: Iterable[Binding], binds: Iterable[KioskBind],
    roster: Iterable[Roster], corrections: Iterable[Correction],
) -> tuple[dict[tuple[str | None, str | None, date], _Acc], dict[str, list[Roster]]]:
    """Rules 1–5: every row's accumulator, and the site's roster by worker."""
    who = Attribution(bindings, (b for b in binds if b.site == site), rules)
    per_key: dict[tuple[str | None, str | None], list[tuple[SiteTap, date]]] = defaultdict(list)
    span = rules.work_day_span
    day: date | None = None
    lo: datetime | None = None
    hi: datetime | None = None
    whom: dict[tuple[str, date], str | None] = {}
    # One sort in the total order (time, device, epoch, seq), so every subject's taps come out in order; the
    # work day (a time-zone conversion) is computed once per quarter hour of taps, not once per tap.
    for t in _in_order([t for t in taps if t.site == site]):
        at = t.at
        if lo is None or hi is None or not lo <= at < hi:
            day, lo, hi = span(at)
        assert day is not None
        found = whom.get((t.idm, day), _UNSEEN)
        worker = who.worker(t.idm, day) if found is _UNSEEN else found
        if found is _UNSEEN:
            whom[(t.idm, day)] = worker
        per_key[(worker, None) if worker else (None, t.idm)].append((t, day))

    rows: dict[tuple[str | None, str | None, date], _Acc] = defaultdict(_Acc)
    for (worker, idm), seq in per_key.items():
        _walk(worker, idm, seq, rules, rows)

    for c in corrections:
        if c.site != site or c.status != "approved":
            continue
        acc = rows[(c.worker, None, c.work_day)]
        acc.flags.add("corrected")
        acc.origins.add(c.origin)
        if c.entry_at is not None:
            acc.ins.append(c.entry_at)
            acc.effective.append((c.entry_at, "in"))
        if c.exit_at is not None:
            acc.outs.append(c.exit_at)
            acc.effective.append((c.exit_at, "out"))

    by_worker: dict[str, list[Roster]] = defaultdict(list)
    for e in roster:
        if e.site == site:
            by_worker[e.worker].append(e)
    return rows, by_worker


_UNSEEN = "?"
"""Not yet attributed (no worker id is ``?``)."""

_ORDER = attrgetter("at", "device", "epoch", "seq")
""":attr:`SiteTap.order`, as a C-level sort key."""
_AT = attrgetter("at")


def _in_order(taps: list[SiteTap]) -> list[SiteTap]:
    """``taps`` sorted by :data:`_ORDER`: by time alone (a cheaper key: half the cost of the four-field one), then
    each run of equal times (rare) by device log position."""
    taps.sort(key=_AT)
    i, n = 1, len(taps)
    while i < n:
        if taps[i].at == taps[i - 1].at:
            j = i + 1
            while j < n and taps[j].at == taps[i].at:
                j += 1
            taps[i - 1:j] = sorted(taps[i - 1:j], key=_ORDER)
            i = j
        i += 1
    return taps


def _walk(worker: str | None, idm: str | None, taps: Sequence[tuple[SiteTap, date]], rules: Rules,
          rows: dict[tuple[str | None, str | None, date], _Acc]) -> None:
    """Rules 2–4 for one worker's (or unknown card's) taps, each with its work day, in total order."""
    # direction, time and row day of the previous effective tap (none yet: direction "")
    p_dir, p_at, p_day = "", _EPOCH, _NO_DAY
    repeat_window = rules.repeat_window
    acc_key: date | None = None  # the row last added to: consecutive taps mostly land on the same one
    acc = _Acc()
    for t, day in taps:
        if t.kind == "repeat":
            row_day = p_day if p_dir and t.at - p_at <= MAX_SHIFT else day
            if row_day != acc_key:
                acc, acc_key = rows[(worker, idm, row_day)], row_day
            acc.taps += 1
            acc.card_taps += 1
            acc.devices.add(t.device)
            acc.flags.add("repeats_collapsed")
            if t.clock_suspect:
                acc.flags.add("clock_suspect")
            continue
        collapsed = False
        row_day = day
        direction = t.direction
        if p_dir:
            if direction == "out" and p_dir == "in" and p_day < day and t.at - p_at <= MAX_SHIFT:
                row_day = p_day  # night shift: stays on the day of entry
            elif direction == p_dir and t.at - p_at <= repeat_window:
                row_day, collapsed = p_day, True
        if row_day != acc_key:
            acc, acc_key = rows[(worker, idm, row_day)], row_day
        acc.taps += 1
        acc.card_taps += 1
        acc.devices.add(t.device)
        if t.clock_suspect:
            acc.flags.add("clock_suspect")
        if t.amended:
            acc.flags.add("amended")
        if collapsed:
            acc.flags.add("repeats_collapsed")
        else:
            (acc.ins if direction == "in" else acc.outs).append(t.at)
            acc.effective.append((t.at, direction))
        p_dir, p_at, p_day = direction, t.at, row_day


_EPOCH = datetime.min.replace(tzinfo=UTC)
_NO_DAY = date.min


def _summary(worker: str | None, day: date, acc: _Acc, roster: Mapping[str, list[Roster]],
             ) -> tuple[datetime | None, datetime | None, int | None, Roster | None, str]:
    """Rules 4, 6, 7 for one row: (first entry, last exit, minutes on site, roster entry, source); completes the
    accumulator's flags in place (it is used once)."""
    flags = acc.flags
    first = min(acc.ins) if acc.ins else None
    last = max(acc.outs) if acc.outs else None
    if acc.effective:
        final = max(acc.effective)
        if final[1] == "in":
            flags.add("entry_without_exit")
    if not acc.ins and acc.outs:
        flags.add("exit_without_entry")
    minutes = int((last - first).total_seconds() // 60) if first and last and last >= first else None
    entry: Roster | None = None
    if worker is None:
        flags.add("unknown_card")
    else:
        for e in roster.get(worker, ()):
            if e.covers(day):
                entry = e
                break
        if entry is None:
            flags.add("not_on_roster")
        elif not entry.complete:
            flags.add("roster_incomplete")
    if acc.card_taps:
        source = "card"
    elif "direct" in acc.origins:
        source = "correction"
    else:
        source = "manual"
    return first, last, minutes, entry, source


def _row(site: str, worker: str | None, idm: str | None, day: date, acc: _Acc, rules: Rules,
         roster: Mapping[str, list[Roster]], employers: Mapping[str, str]) -> WorkDay:
    first, last, minutes, entry, source = _summary(worker, day, acc, roster)
    local = rules.tz
    return WorkDay(
        site=site, work_day=day, worker=worker, idm=idm,
        employer=entry.employer if entry else (employers.get(worker) if worker else None),
        trade_code=entry.trade_code if entry else None,
        trade_name=entry.trade_name if entry else None,
        position=entry.position if entry else None,
        work_content=entry.work_content if entry else "",
        hazardous=entry.hazardous if entry else "",
        first_entry=first.astimezone(local) if first else None,
        last_exit=last.astimezone(local) if last else None,
        minutes_on_site=minutes, source=source, taps=acc.taps,
        devices=tuple(sorted(acc.devices)),
        flags=tuple(f for f in FLAGS if f in acc.flags),
    )


def affected_days(moments: Iterable[datetime], rules: Rules) -> set[date]:
    """Work days whose rows may change when taps at ``moments`` arrive (a day's neighbours via night shifts)."""
    work_day = rules.work_day
    days = {work_day(m) for m in moments}
    one = timedelta(days=1)
    return days | {d - one for d in days} | {d + one for d in days}


def window(days: Iterable[date], rules: Rules) -> tuple[datetime, datetime]:
    """The time range of taps needed to recompute ``days`` exactly (see module docstring)."""
    ds = sorted(days)
    return rules.day_start(ds[0]) - MAX_SHIFT, rules.day_start(ds[-1] + timedelta(days=1)) + MAX_SHIFT
