"""The site's day as the tablet shows it, folded from the journal by the web thread itself.

The tablet view never asks the touch screen's thread to read: it opens its
own read-only connections to journal.db and state.db (SQLite WAL lets readers
run beside the kiosk's writer) and keeps its own :class:`kiosk.today.Today`,
the same fold the kiosk uses, brought up to date on each request by reading
only the rows appended since the last one. A roll call of a thousand people
therefore costs one short query plus rendering, and never delays a tap.

Also here, for the same reason: who was on site in the last working days (for
未タッチ者), the roster by worker id, and the manager's corrections with their
sync state. Nothing in this module writes anything.

The day is the whole site's: the fold also takes the events syncd received and
verified from the site's other gates (state.db ``sibling_events``, read through
a :class:`shared.state.siblings.SiblingFeed`), so the roll call counts everyone
on site whichever gate they used, and a worker who entered at gate A and left at
gate B is out. The Gates view lists the sibling gates and their alarms.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from kiosk.direction import LastMark
from kiosk.today import STOP_AFTER_OLDER, Presence, Today
from kiosk.web.actions import QueueRunner
from shared.event import Direction, Event
from shared.journal import connect
from shared.paths import DataDir
from shared.siterules import work_day
from shared.state import RosterWorker, StateReader
from shared.state.corrections import correction_states
from shared.state.siblings import SiblingAlarm, SiblingFeed, SiblingPeer, sibling_alarms, sibling_peers
from shared.timefmt import parse_rfc3339

HISTORY_WORK_DAYS = 7
"""未タッチ者: roster workers seen on this many of the site's most recent working days (days with taps)."""
HISTORY_SCAN_LIMIT = 200_000
"""At most this many journal rows are read (newest first) to find those days."""
DEFAULT_END_OF_DAY = time(18, 0)
MANAGER_POSITION = "職長"


@dataclass(frozen=True, slots=True)
class Person:
    """One worker (or unknown card) today, joined with the roster."""

    key: str
    worker: str | None
    idm: str | None
    name: str
    company: str
    trade: str
    position: str
    on_roster: bool
    inside: bool
    first_in: datetime | None
    last_out: datetime | None
    last_at: datetime | None
    last_direction: Direction | None
    gate: str
    marks: int
    ref: int | None = None
    """Seq of the latest entry/exit (what "fix the direction" amends)."""


@dataclass(frozen=True, slots=True)
class Company:
    name: str
    people: tuple[Person, ...]
    foremen: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return len(self.people)


@dataclass(frozen=True, slots=True)
class Correction:
    seq: int
    kind: str
    at: datetime
    worker: str | None
    name: str
    direction: Direction | None
    claimed_at: datetime | None
    reason: str
    sent: bool
    status: str | None = None
    """The back office's decision as the server last reported it: ``pending``, ``approved``, ``rejected``."""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything the views show, read at one moment (plain data; safe to hand to templates)."""

    now: datetime
    day: date
    site: str | None
    site_name: str
    device: str
    people: tuple[Person, ...]
    roster: tuple[RosterWorker, ...]
    seen_recently: frozenset[str]
    end_of_day: datetime
    corrections: tuple[Correction, ...] = ()
    """Filled only for ``SiteDay.snapshot(corrections=True)``."""
    acked: dict[int, int] = field(default_factory=dict)
    siblings: tuple[SiblingPeer, ...] = ()
    """The site's other gates this gate exchanges journals with (syncd)."""
    alarms: tuple[SiblingAlarm, ...] = ()
    """Sibling batches refused as forged, forked or of another site."""

    def inside(self) -> list[Person]:
        return [p for p in self.people if p.inside]

    def by_company(self, people: list[Person]) -> list[Company]:
        groups: dict[str, list[Person]] = defaultdict(list)
        for p in people:
            groups[p.company].append(p)
        foremen: dict[str, list[str]] = defaultdict(list)
        for w in self.roster:
            if w.on_roster and w.position == MANAGER_POSITION:
                foremen[w.employer_name].append(w.name)
        return [Company(name, tuple(ps), tuple(foremen.get(name, ())))
                for name, ps in sorted(groups.items(), key=lambda kv: (kv[0] == "", kv[0]))]

    def not_yet_tapped(self) -> list[Person]:
        """未タッチ者: roster workers on site in the last working days with no tap today."""
        today = {p.worker for p in self.people if p.worker}
        out = []
        for w in self.roster:
            if w.on_roster and w.worker in self.seen_recently and w.worker not in today:
                out.append(_roster_person(w))
        return out

    def missing_exit(self) -> list[Person]:
        """退場漏れ: entered and still inside once the site's end of day has passed."""
        if self.now < self.end_of_day:
            return []
        return self.inside()

    def unknown(self) -> list[Person]:
        """Cards nobody is bound to, and cardholders not on this site's roster: the manager binds them."""
        return [p for p in self.people if p.worker is None or not p.on_roster]


def _roster_person(w: RosterWorker) -> Person:
    return Person(key=w.worker, worker=w.worker, idm=None, name=w.name, company=w.employer_name, trade=w.trade,
                  position=w.position, on_roster=w.on_roster, inside=False, first_in=None, last_out=None,
                  last_at=None, last_direction=None, gate="", marks=0)


class SiteDay:
    """The live fold of today at this site. One instance per web server; thread-safe."""

    def __init__(self, data: DataDir, now: Callable[[], datetime], *, device_label: str = "",
                 end_of_day: time = DEFAULT_END_OF_DAY) -> None:
        self.data, self._now = data, now
        self.device_label = device_label
        self.end_of_day_time = end_of_day
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._state = StateReader(data.state)
        self._feed = SiblingFeed(data.state)
        self._today: Today | None = None
        self._after: tuple[int, int] = (0, 0)
        self._events: dict[int, Event] = {}
        self._roster: dict[str, RosterWorker] = {}
        self._cards: dict[str, str] = {}
        self._roster_stamp: object = None
        self._seen: tuple[date, frozenset[str]] | None = None
        self._people: tuple[object, tuple[Person, ...]] | None = None
        self._person_cache: dict[str, tuple[tuple[object, ...], Person]] = {}
        """Each person's row as last built, with the presence it was built from (see :meth:`_people_now`)."""
        self._cache_base: object = None
        self._touched: set[str] | None = None
        """Keys of the people the events folded since the last snapshot changed (None: not known, compare all)."""
        # SQLite connections belong to the thread that opened them; the web server answers each request on
        # a thread of its own, so every read runs on this one reader thread instead.
        self._reader = QueueRunner()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._reader.serve, args=(self._stop,), name="tablet-reader",
                                        daemon=True)
        self._thread.start()

    def close(self) -> None:
        def shut() -> None:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
            self._state.close()
            self._feed.close()

        if self._thread.is_alive():
            self._reader(shut)
            self._stop.set()
            self._thread.join(5)

    # -- reading --------------------------------------------------------------------------------
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = connect(self.data.journal, readonly=True)
        return self._conn

    def _load_roster(self) -> None:
        try:
            st = self.data.state.stat()
            stamp: object = (st.st_mtime_ns, st.st_size, self._state.roster_etag())
        except FileNotFoundError:
            stamp = None
        if stamp == self._roster_stamp and self._roster_stamp is not None:
            return
        workers = self._state.roster()
        self._roster = {w.worker: w for w in workers}
        self._cards = {idm: w.worker for w in workers for idm in w.idms}
        self._roster_stamp = stamp
        self._today = None  # bindings may have changed who a card is: fold again

    def _resolve(self, idm: str) -> str | None:
        return self._cards.get(idm)

    def snapshot(self, *, corrections: bool = False) -> Snapshot:
        """Today as of now; ``corrections=True`` also lists the manager's corrections (a scan of the journal,
        so only the corrections page asks for it)."""
        return self._reader(lambda: self._snapshot(corrections))

    def roster(self) -> dict[str, RosterWorker]:
        def read() -> dict[str, RosterWorker]:
            self._load_roster()
            return dict(self._roster)

        return self._reader(read)

    def _snapshot(self, with_corrections: bool) -> Snapshot:
        with self._lock:
            config = self._state.site_config()
            self._load_roster()
            hour, minute = (int(x) for x in config.day_boundary.split(":"))
            boundary = time(hour, minute)
            tz = config.zone
            # the site's local time, whatever the machine's zone: every page shows it, and a time the manager
            # types (a forgotten card's 07:30) is read in its zone (views.manual takes snap.now's)
            now = self._now().astimezone(tz)
            today = self._today
            if today is None or today.day != work_day(now, boundary, tz) or today.tz != tz \
                    or today.day_boundary != boundary:
                today = self._today = Today(self._resolve, day_boundary=boundary, tz=tz)
                self._events.clear()
                self._after = (0, 0)
                changed = self._fold_new(today, now, first=True)
            else:
                changed = self._fold_new(today, now, first=False)
            assert today.day is not None
            day = today.day
            # The people (presence joined with the roster) change only with a new event, a new sibling event
            # or a new roster: a tablet polling an unchanged day reuses them.
            key = (id(today), self._after, self._roster_stamp)
            if changed or self._people is None or self._people[0] != key:
                self._people = (key, self._people_now(today, (id(today), self._roster_stamp)))
            people = self._people[1]
            device = self._device()
            end = datetime.combine(day, self.end_of_day_time, tz)
            if self.end_of_day_time < boundary:
                end += timedelta(days=1)
            return Snapshot(now=now, day=day, site=config.site, site_name=config.name, device=device,
                            people=people, roster=tuple(self._roster.values()),
                            seen_recently=self._seen_recently(today, now), end_of_day=end,
                            corrections=tuple(self._corrections(now)) if with_corrections else (),
                            acked=self._acked(),
                            siblings=tuple(sibling_peers(self._state)), alarms=tuple(sibling_alarms(self._state)))

    def _fold_new(self, today: Today, now: datetime, *, first: bool) -> int:
        """Fold what the journal and the sibling feed hold since the last call; how many events that was."""
        db = self._db()
        if first:
            today.rebuild(db, now)
            row = db.execute("SELECT epoch, seq FROM events ORDER BY epoch DESC, seq DESC LIMIT 1").fetchone()
            self._after = (row[0], row[1]) if row else (0, 0)
            # gates of today's entries/exits: the rebuild folded them; remember their events too
            for (data,) in db.execute("SELECT data FROM events ORDER BY epoch DESC, seq DESC LIMIT ?",
                                      (max(len(today.people) * 4, 400),)):
                event = Event.from_bytes(bytes(data))
                self._events.setdefault(event.seq, event)
            today.attach_siblings(self._feed)
            self._touched = None
            return max(1, len(today.people))
        rows = db.execute("SELECT epoch, seq, data FROM events WHERE (epoch, seq) > (?, ?) ORDER BY epoch, seq",
                          self._after).fetchall()
        for epoch, seq, data in rows:
            event = Event.from_bytes(bytes(data))
            today.apply(event)
            self._events[event.seq] = event
            self._after = (epoch, seq)
            self._note_touched(today, event)
        siblings = today.refresh_siblings()
        if siblings:
            self._touched = None  # sibling events are folded inside Today: compare every person
        return len(rows) + siblings

    def _note_touched(self, today: Today, event: Event) -> None:
        """Remember whose row a new event of this gate changes: a tap its card's holder, a forgotten card its
        worker. Bindings and amendments move marks between rows: after them every person is compared."""
        if self._touched is None:
            return
        if event.kind == "tap" and event.idm is not None:
            self._touched.add(today.key_for(event.idm))
        elif event.kind == "manual" and event.worker is not None:
            self._touched.add(event.worker)
        elif event.kind != "repeat":
            self._touched = None

    def _people_now(self, today: Today, base: object) -> tuple[Person, ...]:
        """Today's people joined with the roster, building again only the rows whose presence changed.

        A row depends on its presence (marks, times, holder) and on the roster; the cache starts again with a
        new fold of the day or a new roster. After a tap only that worker's row is built again: building all
        of a 1,000-worker day's rows costs about 10 ms, which the first poll after every tap used to pay.
        """
        if self._cache_base != base:
            self._person_cache.clear()
            self._cache_base = base
            self._touched = None
        cache = self._person_cache
        touched, self._touched = self._touched, set()
        out: list[Person] = []
        for k, p in today.people.items():
            hit = cache.get(k)
            if hit is not None:
                if touched is not None and k not in touched:
                    out.append(hit[1])
                    continue
                sig = (p.last, p.first_in, p.last_out, p.marks, p.worker, p.idm)
                if hit[0] == sig:
                    out.append(hit[1])
                    continue
            else:
                sig = (p.last, p.first_in, p.last_out, p.marks, p.worker, p.idm)
            person = self._person(p)
            cache[k] = (sig, person)
            out.append(person)
        if len(cache) > len(out) + 64:  # keys gone (an unknown card bound to a worker): forget their rows
            for gone in [k for k in cache if k not in today.people]:
                del cache[gone]
        return tuple(out)

    def _device(self) -> str:
        row = self._db().execute("SELECT value FROM meta WHERE key = 'device'").fetchone()
        return self.device_label or (str(row[0]) if row else "")

    def _gate(self, mark: LastMark) -> str:
        if mark.sibling:
            return mark.device or ""
        event = self._events.get(mark.seq)
        if event is None:
            return self._device()
        return "manager" if event.kind == "manual" else event.device

    def _person(self, p: Presence) -> Person:
        w = self._roster.get(p.worker) if p.worker else None
        return Person(key=p.key, worker=p.worker, idm=p.idm, name=w.name if w else "",
                      company=w.employer_name if w else "", trade=w.trade if w else "",
                      position=w.position if w else "", on_roster=bool(w and w.on_roster), inside=p.inside,
                      first_in=p.first_in, last_out=p.last_out, last_at=p.last.at if p.last else None,
                      last_direction=p.last.direction if p.last else None,
                      gate=self._gate(p.last) if p.last else "", marks=p.marks,
                      ref=p.last.seq if p.last and not p.last.sibling else None)

    def _seen_recently(self, today: Today, now: datetime) -> frozenset[str]:
        """Workers with an entry or exit on the site's last :data:`HISTORY_WORK_DAYS` working days before
        today, at any gate of the site (computed once per day: earlier days do not change)."""
        assert today.day is not None
        if self._seen is not None and self._seen[0] == today.day:
            return self._seen[1]
        by_day: dict[date, set[str]] = defaultdict(set)
        current = today.day

        def note(event: Event) -> date | None:
            if event.kind not in ("tap", "manual") or event.direction is None:
                return None
            stamp = event.claimed_at if event.kind == "manual" and event.claimed_at else event.at
            day = work_day(parse_rfc3339(stamp), today.day_boundary, today.tz)
            if day >= current:
                return None
            worker = event.worker if event.kind == "manual" else today.worker_for(event.idm) if event.idm else None
            if worker:
                by_day[day].add(worker)
            else:
                by_day.setdefault(day, set())
            return day

        days: set[date] = set()
        scanned = older = 0
        for (data,) in self._db().execute("SELECT data FROM events ORDER BY epoch DESC, seq DESC"):
            scanned += 1
            if scanned > HISTORY_SCAN_LIMIT:
                break
            event = Event.from_bytes(bytes(data))
            if event.kind not in ("tap", "manual") or event.direction is None:
                continue
            stamp = event.claimed_at if event.kind == "manual" and event.claimed_at else event.at
            day = work_day(parse_rfc3339(stamp), today.day_boundary, today.tz)
            if day >= current:
                continue
            if day not in days and len(days) >= HISTORY_WORK_DAYS and day < min(days):
                older += 1
                if older >= STOP_AFTER_OLDER:
                    break  # the journal is newest first: the rest is older still
                continue
            older = 0
            note(event)
            days.add(day)
        # the site's other gates: their verified events of the last weeks (a site may work at one gate only
        # some days, so the working days are the union of every gate's)
        start = datetime.combine(today.day - timedelta(days=HISTORY_WORK_DAYS * 3), today.day_boundary, today.tz)
        try:
            for event in self._feed.between(start, datetime.combine(today.day, today.day_boundary, today.tz)):
                note(event)
        except Exception:  # state.db unreadable: this gate's own history still counts
            pass
        recent = sorted(by_day, reverse=True)[:HISTORY_WORK_DAYS]
        result = frozenset(w for d in recent for w in by_day[d])
        self._seen = (today.day, result)
        return result

    def _acked(self) -> dict[int, int]:
        return {epoch: a.seq for epoch, a in self._state.acked().items()}

    def _corrections(self, now: datetime) -> list[Correction]:
        """Forgotten cards and amended directions recorded here, newest first, with their sync state."""
        tz = now.tzinfo  # the site's (see _snapshot)
        acked = self._acked()
        decided = correction_states(self._state)
        out: list[Correction] = []
        rows = self._db().execute(
            "SELECT epoch, data FROM events WHERE instr(data, ?) > 0 OR instr(data, ?) > 0 "
            "ORDER BY epoch DESC, seq DESC LIMIT 200", (b'"kind":"manual"', b'"kind":"amend"'))
        for epoch, data in rows:
            e = Event.from_bytes(bytes(data))
            w = self._roster.get(e.worker or "") or self._roster.get(self._cards.get(e.idm or "", ""))
            out.append(Correction(seq=e.seq, kind=e.kind, at=parse_rfc3339(e.at).astimezone(tz), worker=e.worker,
                                  name=w.name if w else (e.worker or e.idm or ""), direction=e.direction,
                                  claimed_at=parse_rfc3339(e.claimed_at).astimezone(tz) if e.claimed_at else None,
                                  reason=e.reason or "", sent=e.seq <= acked.get(epoch, 0),
                                  status=decided[(epoch, e.seq)].status if (epoch, e.seq) in decided else None,
                                  note=decided[(epoch, e.seq)].note if (epoch, e.seq) in decided else ""))
        return out
