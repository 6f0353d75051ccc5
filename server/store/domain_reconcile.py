"""Work history in the database: index raw events, recompute affected days, rebuild everything.

- :func:`reconcile_logs` is what the reconciling worker (:mod:`server.worker`)
  runs, in its own transaction and never inside an ingest request, for the
  batches it took from the queue (:mod:`server.store.queue`): it indexes their
  events into ``dom_taps`` / ``dom_binds`` — from the events ingest already
  parsed when it has them — turns kiosk ``manual`` events into correction
  requests, and recomputes only the work days they can change
  (:func:`server.domain.reconcile.affected_days`), once per site however many
  batches were queued.
- :func:`rebuild` deletes every derived row and recomputes from the raw
  ``events`` table, set-based: one ordered, streamed fetch, one Python pass
  per device log, one reconciliation per site over all its days, bulk writes
  (no per-event, per-card or per-day query); tests assert it gives exactly
  the rows the incremental path produced.

Events are never parsed from JSON in Python here: read back, they come as
typed columns the query extracts from the stored bytes (:func:`_log_select`);
handed off by ingest, they are converted field by field. Both become
:class:`server.domain.taps.LogEvent` rows for :func:`server.domain.taps.derive_log`.

The time a tap counts at is the sync server's corrected time (``server_at``,
ARCHITECTURE decision 5); its clock flags (``clock_backwards``,
``clock_jump``, ``before_server_time``) mark the tap ``clock_suspect``.
"""

from __future__ import annotations

import gc
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from server import devtime, site_policy
from server.domain import corrections as corr
from server.domain.errors import DomainError
from server.domain.reconcile import STORED, Attribution, Rules, affected_days, reconcile_stored, window
from server.domain.taps import Derived, LogEvent, SiteTap, derive_log
from server.security.schema import device_sites
from server.store import domain_records as rec
from server.store import domain_schema as t
from server.store.bulk import insert_rows, insert_tuples, upsert_tuples
from server.store.queue import lock_worker
from server.store.schema import devices as raw_devices
from server.store.schema import events as raw_events
from server.store.schema import site_config
from shared.event import Event
from shared.timefmt import parse_rfc3339

SUSPECT_FLAGS = devtime.SUSPECT_FLAGS  # one list of the clock flags that make a day clock-suspect
_CHUNK = 500


def _utc(moment: datetime) -> str:
    """``format_rfc3339`` of the moment in UTC (``…Z``), for an aware datetime: the form every derived time takes."""
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="milliseconds")[:-6] + "Z"


def rules_for(conn: sa.Connection, site: str) -> Rules:
    """The site's rules from the registry; else the device config table; else the defaults."""
    s = rec.site_rules(conn, site)
    if s is not None:  # as Rules.for_site of the registry's Site
        return Rules(day_boundary=time.fromisoformat(s[0]), tz=ZoneInfo(s[1]), repeat_window=timedelta(seconds=s[2]))
    row = conn.execute(sa.select(site_config).where(site_config.c.site == site)).first()
    if row is not None:
        return Rules(day_boundary=time.fromisoformat(row.day_boundary), tz=ZoneInfo(row.timezone),
                     repeat_window=timedelta(seconds=row.repeat_window_s))
    return Rules()


# ---------------------------------------------------------------- indexing

def _log_select(conn: sa.Connection, where: str, order: str, limit: str = "") -> sa.TextClause:
    """:func:`_log_sql` as a SQLAlchemy text clause (named ``:binds`` in ``where``)."""
    return sa.text(_log_sql(conn, where, order, limit))


def _log_sql(conn: sa.Connection, where: str, order: str, limit: str = "") -> str:
    """Stored events as :class:`LogEvent` columns: the database reads the fields reconciliation needs out of the
    stored JSON (C speed, in the query), so no Python JSON parsing or event object per event (issue 10).

    The bytes were verified when ingest stored them; they are read back without the checks again. On
    PostgreSQL a card event's ``idm`` and ``direction`` are found in the bytes (``position`` in the ``bytea``,
    no JSON parse: a quarter of the cost of ``::jsonb`` on the P5 month), which is exact for the verified
    canonical form (:func:`_card_fields_pg`); the rare other kinds are read through ``jsonb``.
    """
    other = "kind NOT IN ('tap', 'repeat')"
    if conn.dialect.name == "postgresql":
        j = "convert_from(data, 'UTF8')::jsonb"

        def field(name: str, cast: str = "") -> str:
            return f"({j} ->> '{name}'){cast}"
        idm, direction = _card_fields_pg()
        inner = f"SELECT * FROM {raw_events.name}"
        ref = field("ref", "::bigint")
    else:
        def field(name: str, cast: str = "") -> str:
            return f"json_extract(j, '$.{name}')"
        inner = f"SELECT *, CAST(data AS TEXT) AS j FROM {raw_events.name}"
        ref = field("ref")
        idm, direction = field("idm"), field("direction")
    sql = (f"SELECT device, epoch, seq, kind, at, boot, mono_us, site, {idm} AS idm, "
           f"{direction} AS direction, CASE WHEN kind = 'amend' THEN {ref} END AS ref, "
           f"CASE WHEN {other} THEN {field('worker')} END AS worker, "
           f"CASE WHEN {other} THEN {field('claimed_at')} END AS claimed_at, "
           f"CASE WHEN {other} THEN {field('reason')} END AS reason, server_at, time_flags "
           f"FROM ({inner}) AS e WHERE {where} ORDER BY {order} {limit}")
    return sql


def _card_fields_pg() -> tuple[str, str]:
    """SQL for ``idm`` and ``direction`` of a stored event on PostgreSQL, read from its bytes without a JSON parse.

    The stored bytes are the canonical JSON ingest verified (sorted keys, no spaces, every field at the top
    level, an IDm always 16 upper-case hex digits, a direction ``in`` or ``out``), so ``"idm":"`` can only
    be that key (inside a string value every ``"`` is escaped, and no other key ends in ``idm``), and the 16
    bytes after it are the IDm; likewise ``"direction":"in"`` / ``"direction":"out"``. An absent field gives
    NULL, as ``->>`` does (a property test compares with the JSON reading).
    """
    def hexed(text: str) -> str:
        return "'\\x" + text.encode().hex() + "'::bytea"
    key = f"position({hexed(chr(34) + 'idm' + chr(34) + ':' + chr(34))} IN data)"
    idm = f"CASE WHEN {key} > 0 THEN convert_from(substring(data FROM {key} + 7 FOR 16), 'UTF8') END"
    d_in = f"position({hexed(chr(34) + 'direction' + chr(34) + ':' + chr(34) + 'in' + chr(34))} IN data)"
    d_out = f"position({hexed(chr(34) + 'direction' + chr(34) + ':' + chr(34) + 'out' + chr(34))} IN data)"
    direction = f"CASE WHEN {d_in} > 0 THEN 'in' WHEN {d_out} > 0 THEN 'out' END"
    return idm, direction


def _previous(conn: sa.Connection, device: str, epoch: int, seq: int) -> LogEvent | None:
    rows = conn.execute(_log_select(conn, "device = :d AND epoch = :e AND seq = :s", "seq"),
                        {"d": device, "e": epoch, "s": seq - 1}).all()
    return parse_rows(rows)[0] if rows else None


@dataclass(frozen=True, slots=True)
class Parsed:
    """One stored event as ingest parsed and timed it: what indexing works from (never the raw bytes again)."""

    event: Event
    corrected: datetime
    flags: tuple[str, ...]

    def log_event(self) -> LogEvent:
        return LogEvent.of(self.event, self.corrected, not SUSPECT_FLAGS.isdisjoint(self.flags))


def parse_rows(rows: Sequence[Any]) -> list[LogEvent]:
    """Stored event rows (as :func:`_log_select` gives them) → :class:`LogEvent` (rebuild, a worker without hand-off).

    The JSON fields come typed from the database; only the corrected time is parsed here.
    """
    fromiso = datetime.fromisoformat
    suspect = SUSPECT_FLAGS.isdisjoint
    return [LogEvent(r[0], int(r[1]), int(r[2]), r[3], r[4], r[5], int(r[6]), r[7], r[8], r[9],
                     None if r[10] is None else int(r[10]), r[11], r[12], r[13], fromiso(r[14]),
                     bool(r[15]) and not suspect(r[15].split(",")))
            for r in rows]


def _assigned(conn: sa.Connection, events: Sequence[LogEvent],
              assignments: Sequence[site_policy.Assignment] | None = None) -> Sequence[LogEvent]:
    """The site an event counts for is its device's assignment at its seq, never the event's word alone
    (:func:`server.site_policy.as_assigned`, for one device log given as rows); ``assignments`` as
    :func:`server.site_policy.load` gives them, else read here."""
    if not events:
        return events
    if assignments is None:
        assignments = site_policy.load(conn, events[0].device, events[0].epoch)
    if len(assignments) == 1 and assignments[0].from_seq <= events[0].seq:
        only = assignments[0].site
        if all(e.site == only for e in events):
            return events
    out = []
    for e in events:
        site = site_policy.site_at(assignments, e.seq)
        out.append(e if site is None or site == e.site else e._replace(site=site))
    return out


def _interpret(conn: sa.Connection, events: Sequence[LogEvent], previous: LogEvent | None,
               assignments: Sequence[site_policy.Assignment] | None = None) -> Derived:
    """Events of one device log, contiguous, ascending; ``previous`` the one before the first."""
    return derive_log(_assigned(conn, events, assignments), previous)


def _assignments_of(conn: sa.Connection,
                    keys: Sequence[tuple[str, int]]) -> dict[tuple[str, int], list[site_policy.Assignment]]:
    """:func:`server.site_policy.load` for many device logs: their assignment rows in one statement, and the
    enrolled sites of those without any in one more (a worker round, not one read per log)."""
    if not keys:
        return {}
    history: dict[tuple[str, int], list[site_policy.Assignment]] = defaultdict(list)
    for r in rec.driver_rows(conn, "SELECT device, epoch, from_seq, site, previous_site, assigned_at, assigned_by, "
                                   f"reason FROM {device_sites.name} WHERE 1 = 1", (), column="device",
                             values=[k[0] for k in keys], tail=" ORDER BY id"):
        history[(r[0], int(r[1]))].append(site_policy.Assignment(int(r[2]), r[3], r[4], r[5], r[6], r[7]))
    bare = {k[0] for k in keys if k not in history}
    if bare:
        for r in rec.driver_rows(conn, f"SELECT device, epoch, site FROM {raw_devices.name} WHERE 1 = 1", (),
                                 column="device", values=bare):
            if r[2] is not None:
                history.setdefault((r[0], int(r[1])), [site_policy.Assignment(1, str(r[2]))])
    return {k: site_policy.effective(history[k]) if k in history else [] for k in keys}


ALL = "*"
"""In a :data:`Touched` map: every subject of the site (a card's attribution changed)."""
Touched = dict[str, dict[str, set[datetime]]]
"""site → card IDm (or :data:`ALL`) → times of taps whose rows must be recomputed."""


def _touched() -> Touched:
    return defaultdict(lambda: defaultdict(set))


def merge(into: Touched, more: Touched) -> None:
    for site, by_idm in more.items():
        for idm, moments in by_idm.items():
            into[site][idm] |= moments


def index_log(conn: sa.Connection, rows: Sequence[Any]) -> Touched:
    """Index a contiguous range of one device log given as raw rows (parsed here)."""
    if not rows:
        return {}
    parsed = parse_rows(rows)
    first = parsed[0]
    return index_parsed(conn, parsed, _previous(conn, first.device, first.epoch, first.seq))


def index_parsed(conn: sa.Connection, events: Sequence[LogEvent], previous: LogEvent | None,
                 assignments: Sequence[site_policy.Assignment] | None = None) -> Touched:
    """Index a contiguous range of one device log; return what must be recomputed (see :data:`Touched`)."""
    if not events:
        return {}
    touched = _touched()
    _store(conn, _interpret(conn, events, previous, assignments), touched)
    return touched


def _store(conn: sa.Connection, derived: Derived, touched: Touched | None) -> set[str]:
    """Write what a range of one device log derived (bulk), turn manual records into corrections.

    With ``touched``, note the tap times whose rows must be recomputed (the
    incremental path); rebuild passes ``None`` and recomputes every site.
    Returns the sites whose already stored taps an amend changed.
    """
    amended_sites: set[str] = set()
    if derived.taps:
        utc = _utc
        insert_tuples(conn, t.taps, _TAP_INSERT, [
            (x.device, x.epoch, x.seq, x.site, utc(x.at), x.kind, x.idm, x.direction,
             x.direction if not x.amended else ("out" if x.direction == "in" else "in"), x.clock_suspect)
            for x in derived.taps])
        if touched is not None:
            for x in derived.taps:
                touched[x.site][x.idm].add(x.at)
    in_batch = {x.key for x in derived.taps} if derived.amends else set()
    for (device, epoch, seq), direction in derived.amends.items():
        if (device, epoch, seq) in in_batch:
            continue
        tc = t.taps.c
        old = conn.execute(sa.select(tc.site, tc.at, tc.idm).where(tc.device == device, tc.epoch == epoch,
                                                                   tc.seq == seq)).first()
        if old is None:
            continue  # an amend of an event that is not a tap: nothing to change
        conn.execute(t.taps.update().where(tc.device == device, tc.epoch == epoch, tc.seq == seq)
                     .values(direction=direction))
        amended_sites.add(old.site)
        if touched is not None:
            touched[old.site][old.idm].add(parse_rfc3339(old.at))
    insert_rows(conn, t.binds, [{"device": b.key[0], "epoch": b.key[1], "seq": b.key[2], "site": b.site,
                                 "idm": b.idm, "worker": b.worker, "at": _utc(b.at)} for b in derived.binds])
    if touched is not None:
        for b in derived.binds:
            q = sa.select(t.taps.c.at).where(t.taps.c.site == b.site, t.taps.c.idm == b.idm)
            touched[b.site][ALL] |= {parse_rfc3339(r.at) for r in conn.execute(q)}
    for m in derived.manuals:
        _manual_to_correction(conn, m)
    return amended_sites


def _manual_to_correction(conn: sa.Connection, m: Any) -> None:
    """A kiosk ``manual`` event becomes a correction request (or a refused one, kept for the audit trail)."""
    if rec.source_exists(conn, m.key):
        return
    rules = rules_for(conn, m.site)
    c = corr.Correction(site=m.site, worker=m.worker, work_day=rules.work_day(m.claimed_at),
                        entry_at=m.claimed_at if m.direction == "in" else None,
                        exit_at=m.claimed_at if m.direction == "out" else None, origin="manual",
                        requested_by=f"device:{m.key[0]}", requested_at=m.recorded_at, reason=m.reason or "",
                        source_event=m.key)
    try:
        c, step = corr.request(c, today=m.recorded_at.astimezone(rules.tz).date())
    except DomainError as exc:
        c = replace(c, status="rejected", decided_at=m.recorded_at, decision_note=exc.code)
        step = corr.AuditStep(None, m.recorded_at, "refused", c.requested_by, exc.message)
    rec.add_correction(conn, c, step)


# ---------------------------------------------------------------- recomputation

_TAP_INSERT = ("device", "epoch", "seq", "site", "at", "kind", "idm", "direction", "orig_direction", "clock_suspect")

_TAP_COLUMNS = (t.taps.c.site, t.taps.c.device, t.taps.c.epoch, t.taps.c.seq, t.taps.c.at, t.taps.c.kind,
                t.taps.c.idm, t.taps.c.direction, t.taps.c.orig_direction, t.taps.c.clock_suspect)


def _tap(r: Any) -> SiteTap:
    """A ``dom_taps`` row (selected as :data:`_TAP_COLUMNS`) as a :class:`SiteTap`.

    ``at`` is text this module wrote (:func:`_utc`), so the C ISO parser reads it
    without the validating parser's checks: this runs for every tap of every
    recomputed day.
    """
    site, device, epoch, seq, at, kind, idm, direction, orig, suspect = r
    return SiteTap(site, device, epoch, seq, datetime.fromisoformat(at), kind, idm, direction, direction != orig,
               bool(suspect))


def _read_taps(conn: sa.Connection, query: sa.Select[Any]) -> list[SiteTap]:
    """The taps ``query`` selects (as :data:`_TAP_COLUMNS`), in one fetch from the driver's cursor: plain tuples,
    without a result row object per tap (the worker reads every tap of the days it recomputes)."""
    result = conn.execute(query)
    try:
        return [_tap(r) for r in result.cursor.fetchall()]
    finally:
        result.close()


_MANY_CARDS = 500
"""Above this many cards, a worker round reads a window of the site's taps by time, not card by card (SQLite,
1,000-worker site: 1,000 cards 28 ms by time vs 46 ms by card; 100 cards 11 ms vs 3 ms)."""


def recompute(conn: sa.Connection, site: str, days: set[date], idms: set[str] | None = None,
              rules: Rules | None = None) -> int:
    """Replace the site's rows for ``days`` by a fresh reconciliation; returns the number of rows written.

    With ``idms``, only the subjects those cards stand for on those days are recomputed (the workers
    they are bound to — with every other card of theirs — or the unknown cards themselves): the
    ingest hook's case, so a batch of a few taps costs a few workers' days, not the whole site's.
    """
    if not days:
        return 0
    lock_site(conn, site)  # every path that rewrites a site's rows serializes on the site (re-entrant)
    if rules is None:
        rules = rules_for(conn, site)
    lo, hi = window(days, rules)
    binds = _kiosk_binds(conn, site)
    query = (f"SELECT site, device, epoch, seq, at, kind, idm, direction, orig_direction, clock_suspect "
             f"FROM {t.taps.name} WHERE site = ? AND at >= ? AND at < ?")
    cards: set[str] | None = None
    targets: set[str] | None = None
    workers: set[str] | None = None
    if idms is not None:
        who = Attribution(rec.binding_terms(conn, idms), binds, rules)
        attributed = {(idm, who.worker(idm, d)) for idm in idms for d in days}
        workers = {w for _, w in attributed if w is not None}
        targets = workers | {f"card:{idm}" for idm, w in attributed if w is None}
        cards = set(idms)
        if workers:  # every card of those workers: one query for all of them
            cards |= {b.idm for b in rec.binding_terms(conn, workers=workers)}
        cards |= {b.idm for b in binds if b.worker in workers}
    # The driver's tuples, without the SQL expression layer: this runs in every worker round. A few cards are
    # read through (site, idm, at); for many, one range of (site, at) is cheaper, and SQLite (no statistics)
    # is told so by "+idm", which keeps the term off any index.
    column = None if cards is None else ("+idm" if len(cards) > _MANY_CARDS and conn.dialect.name == "sqlite"
                                         else "idm")
    taps = [_tap(r) for r in rec.driver_rows(conn, query, (site, _utc(lo), _utc(hi)), column, cards)]
    bindings = rec.binding_terms(conn, {x.idm for x in taps})
    # only the recomputed workers' roster entries: a 1,000-worker site's whole roster was most of a small round
    roster = rec.roster_terms(conn, site, workers)
    approved = [c for c in rec.approved_corrections(conn, site, days) if targets is None or c.worker in targets]
    workers_seen = {b.worker for b in bindings} | {b.worker for b in binds} | {c.worker for c in approved}
    rows = reconcile_stored(site, taps, rules=rules, bindings=bindings, binds=binds, roster=roster,
                            corrections=approved, employers=rec.employers_of(conn, workers_seen), days=days)
    if targets is not None:
        rows = [r for r in rows if r[2] in targets]
    day_text = sorted(d.isoformat() for d in days)
    wc = t.work_days.c
    for i in range(0, len(day_text), _CHUNK):
        delete = t.work_days.delete().where(wc.site == site, wc.work_day.in_(day_text[i:i + _CHUNK]))
        if targets is not None:
            delete = delete.where(wc.subject.in_(sorted(targets)))
        conn.execute(delete)
    insert_tuples(conn, t.work_days, STORED, rows)
    return len(rows)


def _kiosk_binds(conn: sa.Connection, site: str) -> list[Any]:
    from server.domain.taps import KioskBind

    rows = rec.driver_rows(conn, f"SELECT site, idm, worker, at, device, epoch, seq FROM {t.binds.name} WHERE site = ?",
                           (site,))
    return [KioskBind(site=r[0], idm=r[1], worker=r[2], at=parse_rfc3339(r[3]), key=(r[4], int(r[5]), int(r[6])))
            for r in rows]


def recompute_moments(conn: sa.Connection, touched: Touched) -> int:
    n = 0
    for site, by_idm in touched.items():
        moments = set().union(*by_idm.values()) if by_idm else set()
        if not moments:
            continue
        rules = rules_for(conn, site)
        n += recompute(conn, site, affected_days(moments, rules), None if ALL in by_idm else set(by_idm), rules)
    return n


def recompute_worker(conn: sa.Connection, site: str, worker: str) -> int:
    """After a roster or correction change: the days the worker has rows or taps on at the site."""
    q = sa.select(t.work_days.c.work_day).where(t.work_days.c.site == site, t.work_days.c.worker == worker)
    days = {date.fromisoformat(r.work_day) for r in conn.execute(q)}
    return recompute(conn, site, days)


def recompute_card(conn: sa.Connection, idm: str) -> int:
    """After a card binding change: every day the card was tapped, at every site."""
    touched = _touched()
    for r in conn.execute(sa.select(t.taps.c.site, t.taps.c.at).where(t.taps.c.idm == idm)):
        touched[r.site][ALL].add(parse_rfc3339(r.at))
    return recompute_moments(conn, touched)


def recompute_day(conn: sa.Connection, site: str, day: date) -> int:
    return recompute(conn, site, {day - timedelta(days=1), day, day + timedelta(days=1)})


# ---------------------------------------------------------------- the ingest hook and rebuild

def lock_site(conn: sa.Connection, site: str) -> None:
    """Serialize reconciliation of one site (PostgreSQL advisory lock; SQLite writers are serialized already)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": int(site)})


def catch_up(conn: sa.Connection, device: str, epoch: int, *, handed: Sequence[Parsed] = (),
             handed_previous: Event | None = None, chunk: int = 5000) -> tuple[int, Touched]:
    """Index one device log's events after its mark (:func:`catch_up_logs` for one log)."""
    return catch_up_logs(conn, {(device, epoch): (handed, handed_previous)}, chunk=chunk)


Handed = Mapping[tuple[str, int], tuple[Sequence[Parsed], Event | None]]
"""Device log → (events ingest parsed and handed off for it, possibly none; the event before the first)."""

_MARKS_PER_READ = 500
"""Device logs whose events after the mark one statement reads."""


def catch_up_logs(conn: sa.Connection, logs: Handed, *, chunk: int = 5000) -> tuple[int, Touched]:
    """Index each device log's events after its mark, in seq order; return (events indexed, touched times).

    The hand-off (``logs``): the run of handed events that continues a log's
    mark is indexed as given, without reading or parsing their raw bytes again;
    anything else (events of another process, a restart, a rebuild) is read
    from ``events`` and parsed. A constant number of statements however many
    logs (one a :data:`_MARKS_PER_READ`), not one per log (P6: 50 one-event
    logs a round): one read of every log's mark, one of their site assignments
    (two when a log has none: its enrolled site), one read of every log's events
    after what was handed off (``chunk`` rows at most per statement, repeated
    while a statement comes back full), one upsert of the marks. Literal SQL on
    the driver, as reconciliation's other per-round reads.
    """
    keys = sorted(logs)
    marks = _read_marks(conn, keys)
    run = _CatchUp(conn, _assignments_of(conn, keys))
    for key in keys:
        run.handed(key, marks.get(key, 0), *logs[key])
    run.stored(keys, max(chunk, 2))  # a read may begin with a log's event before its next: always progress
    moved = [(k[0], k[1], run.start[k]) for k in keys if run.start[k] != marks.get(k, 0)]
    upsert_tuples(conn, t.index_marks, ("device", "epoch", "last_seq"), ("device", "epoch"), moved)
    return run.n, run.touched


@dataclass
class _CatchUp:
    """One :func:`catch_up_logs`: per device log, the seq indexed up to (``start``) and the last event indexed
    (``last``, the previous of the next range); the events indexed (``n``) and what they touched."""

    conn: sa.Connection
    assigned: dict[tuple[str, int], list[site_policy.Assignment]]
    touched: Touched = field(default_factory=_touched)
    start: dict[tuple[str, int], int] = field(default_factory=dict)
    last: dict[tuple[str, int], LogEvent] = field(default_factory=dict)
    n: int = 0

    def index(self, key: tuple[str, int], events: Sequence[LogEvent], previous: LogEvent | None) -> None:
        merge(self.touched, index_parsed(self.conn, events, previous, self.assigned[key]))
        self.n += len(events)
        self.start[key] = events[-1].seq
        self.last[key] = events[-1]

    def handed(self, key: tuple[str, int], mark: int, handed: Sequence[Parsed],
               handed_previous: Event | None) -> None:
        """Index the run of handed events that continues the log's ``mark``, if any."""
        self.start[key] = mark
        by_seq = {p.event.seq: p for p in handed}
        run: list[LogEvent] = []
        while mark + len(run) + 1 in by_seq:
            run.append(by_seq[mark + len(run) + 1].log_event())
        if not run:
            return
        previous: LogEvent | None
        if mark == 0:
            previous = None
        elif mark in by_seq:
            previous = by_seq[mark].log_event()
        elif handed_previous is not None and handed_previous.seq == mark:
            previous = LogEvent.of(handed_previous)
        else:
            previous = _previous(self.conn, key[0], key[1], mark + 1)
        self.index(key, run, previous)

    def stored(self, keys: Sequence[tuple[str, int]], chunk: int) -> None:
        """Index each log's stored events after what is indexed, reading :data:`_MARKS_PER_READ` logs a
        statement, ``chunk`` rows at most, again while a statement comes back full."""
        pending = list(keys)
        while pending:
            part, rest = pending[:_MARKS_PER_READ], pending[_MARKS_PER_READ:]
            # from the event before a log's next one when no range of it was indexed yet (its ``previous``)
            rows = _events_from(self.conn, [(k, self.start[k] + (k in self.last or self.start[k] == 0))
                                            for k in part], chunk)
            seen: set[tuple[str, int]] = set()
            for key, group in groupby(rows, key=lambda r: (r[0], int(r[1]))):
                seen.add(key)
                self.stored_range(key, parse_rows(list(group)))
            if len(rows) < chunk:
                pending = rest
            else:  # full: the last log read may have more, and logs not read may not have been reached; read again
                seen.discard((rows[-1][0], int(rows[-1][1])))
                pending = [k for k in part if k not in seen] + rest

    def stored_range(self, key: tuple[str, int], parsed: list[LogEvent]) -> None:
        """Index a range of one log read back, which may begin with the event before its next (its previous)."""
        previous = self.last.get(key)
        if parsed[0].seq == self.start[key]:  # the one before, read with them
            previous = self.last[key] = parsed.pop(0)
            if not parsed:
                return
        if previous is None and self.start[key] > 0:  # pragma: no cover - a log's seqs have no gaps
            previous = _previous(self.conn, key[0], key[1], parsed[0].seq)
        self.index(key, parsed, previous)


def _read_marks(conn: sa.Connection, keys: Sequence[tuple[str, int]]) -> dict[tuple[str, int], int]:
    """The index marks of the device logs ``keys`` (absent: nothing indexed yet), in one statement
    (:func:`server.store.domain_records.driver_rows`, one per few thousand devices)."""
    wanted = set(keys)
    found: dict[tuple[str, int], int] = {}
    for r in rec.driver_rows(conn, f"SELECT device, epoch, last_seq FROM {t.index_marks.name} WHERE 1 = 1", (),
                             column="device", values=[k[0] for k in keys]):
        key = (r[0], int(r[1]))
        if key in wanted:
            found[key] = int(r[2])
    return found


def _events_from(conn: sa.Connection, after: Sequence[tuple[tuple[str, int], int]], chunk: int) -> list[Any]:
    """Stored events (as :func:`_log_sql` gives them) of each device log from its seq on, ordered by log and seq,
    at most ``chunk``: one statement for all the logs."""
    where = " OR ".join(["(device = ? AND epoch = ? AND seq >= ?)"] * len(after))
    params = tuple(v for (device, epoch), seq in after for v in (device, epoch, seq))
    return rec.driver_rows(conn, _log_sql(conn, f"({where})", "device, epoch, seq", f"LIMIT {int(chunk)}"), params)


def reconcile_logs(conn: sa.Connection, logs: Handed, sites: Iterable[str]) -> tuple[int, int]:
    """The worker's work, in one transaction: catch the device logs up, recompute the days they touched.

    ``logs`` maps each device log to what was handed off for it (possibly
    nothing); ``sites`` are the sites the queued batches came from. Every
    site involved is locked in one order before anything is recomputed, so two
    writers (the worker, a correction) never wait on each other in a cycle.
    Returns (events indexed, rows written).
    """
    n_events, touched = catch_up_logs(conn, logs)
    for site in sorted(set(sites) | set(touched)):
        lock_site(conn, site)
    return n_events, recompute_moments(conn, touched)


REBUILD_FETCH = 20_000
"""Raw rows taken per fetch by :func:`rebuild` (one ordered query, streamed), and per indexed range of a log."""
REBUILD_KEEP = 2_000_000
"""Taps :func:`rebuild` keeps in memory for the reconciliation pass; beyond, each site's are read back once."""


def rebuild(conn: sa.Connection) -> dict[str, int]:
    """Delete every derived row and recompute from the raw events (identical to the incremental result).

    Set-based: one ordered, streamed fetch of every raw event (device, epoch,
    seq), as typed columns (:func:`_log_select`); one Python pass interprets each device log in ranges of
    :data:`REBUILD_FETCH` and bulk-writes its taps and binds (``COPY`` /
    multi-row ``INSERT``); then each site is reconciled once over all its days
    from the taps kept in memory — never read back, unless an amend changed a
    tap stored in an earlier range or more than :data:`REBUILD_KEEP` taps were
    seen — and its rows are bulk-written. No per-event, per-card or per-day
    query; what needs judgement (kiosk manual records → corrections, amends of
    an earlier range) takes its own statements, as in the incremental path.

    Holds the reconciling worker's lock (PostgreSQL) so that no worker indexes beside it.
    """
    lock_worker(conn)
    with cyclic_gc_paused():
        return _rebuild(conn)


class _GcPause:
    """How many :func:`cyclic_gc_paused` blocks run (rebuild and a worker round may overlap), and whether the
    collector was on before the first began."""

    lock = threading.Lock()
    active = 0
    was_enabled = False


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic collector: rebuild and a worker round allocate many acyclic objects (taps, rows)
    and every full collection walks the whole heap (a quarter of rebuild's CPU, growing with the size; a
    large share of a worker round in a server holding handed-off events). Reference counting still frees
    everything; the collector resumes when the last overlapping pause ends."""
    with _GcPause.lock:
        if _GcPause.active == 0:
            _GcPause.was_enabled = gc.isenabled()
            gc.disable()
        _GcPause.active += 1
    try:
        yield
    finally:
        with _GcPause.lock:
            _GcPause.active -= 1
            if _GcPause.active == 0 and _GcPause.was_enabled:
                gc.enable()


def _clear_derived(conn: sa.Connection) -> None:
    """Delete every derived row. On PostgreSQL ``TRUNCATE`` (in the rebuild's transaction, undone with it): the
    rows written next then go into empty tables, where after a ``DELETE`` every key of the primary key would
    first be checked against its dead twin (``COPY`` of the P5 month's taps 1.05 s after ``DELETE``, 0.55 s
    after ``TRUNCATE``). Its lock makes readers of the derived tables (history queries) wait for the rebuild
    to commit instead of reading the old rows meanwhile. SQLite's ``DELETE`` without ``WHERE`` empties the
    tables as fast."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("TRUNCATE " + ", ".join(table.name for table in t.DERIVED))
        return
    for table in t.DERIVED:
        conn.execute(table.delete())


def _drop_indexes(conn: sa.Connection, table: sa.Table) -> list[sa.Index]:
    """Drop ``table``'s secondary indexes (inside the caller's transaction) and return them, to be built again once
    over the written rows (:func:`_create_indexes`): cheaper than maintaining them row by row (P5 month,
    dom_taps on PostgreSQL: 0.17 s + 0.21–0.25 s to build them, against 0.53–0.60 s). Their definitions are
    the schema's (:mod:`server.store.domain_schema`)."""
    indexes = sorted(table.indexes, key=lambda i: str(i.name))
    for index in indexes:
        index.drop(conn)
    return indexes


def _create_indexes(conn: sa.Connection, indexes: Sequence[sa.Index]) -> None:
    for index in indexes:
        index.create(conn)


@contextmanager
def _beside(work: Callable[[], None] | None) -> Iterator[None]:
    """Run ``work`` — statements on the rebuild's connection — in a thread while the caller computes in Python
    without touching the connection: the database builds the taps' indexes (SQLite and psycopg release the
    GIL while a statement runs) while Python reconciles. The thread is always joined before the connection is
    used again; its error, if any, is raised here."""
    if work is None:
        yield
        return
    failed: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # re-raised in the caller's thread below
            failed.append(exc)

    thread = threading.Thread(target=run, name="genba-rebuild-indexes", daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()
    if failed:
        raise failed[0]


def _rebuild(conn: sa.Connection) -> dict[str, int]:
    _clear_derived(conn)
    tap_indexes = _drop_indexes(conn, t.taps)
    n_events, kept, stale = _index_all(conn)
    build: Callable[[], None] | None = lambda: _create_indexes(conn, tap_indexes)  # noqa: E731
    if kept is None or stale:  # taps are read back: their indexes first
        _create_indexes(conn, tap_indexes)
        build = None
    sites = set(kept) if kept is not None else {r.site for r in conn.execute(sa.select(t.taps.c.site).distinct())}
    sites |= {r.site for r in conn.execute(sa.select(t.corrections.c.site).where(
        t.corrections.c.status == "approved").distinct())}
    n_rows = 0
    row_indexes = _drop_indexes(conn, t.work_days)
    for site in sorted(sites):
        lock_site(conn, site)
        taps = kept.get(site, []) if kept is not None and site not in stale else None
        n_rows += _reconcile_site(conn, site, taps, beside=build)  # the taps' indexes built beside the first site
        build = None
    if build is not None:
        build()
    _create_indexes(conn, row_indexes)
    return {"events": n_events, "rows": n_rows, "sites": len(sites)}


def _index_all(conn: sa.Connection) -> tuple[int, dict[str, list[SiteTap]] | None, set[str]]:
    """Rebuild's first pass: every device log interpreted, its taps and binds written; returns (events, the taps
    kept per site or None past :data:`REBUILD_KEEP`, the sites whose kept taps an amend made stale)."""
    query = _log_select(conn, "1 = 1", "device, epoch, seq")
    kept: dict[str, list[SiteTap]] | None = defaultdict(list)
    n_kept = 0
    stale: set[str] = set()  # sites whose kept taps an amend of an earlier range made out of date
    marks: list[tuple[str, int, int]] = []
    n_events = 0
    log: tuple[str, int] | None = None
    previous: LogEvent | None = None
    last_seq = 0
    # stream_results: a server-side cursor on PostgreSQL, so a national table is never held at once
    result = conn.execute(query, execution_options={"stream_results": True, "yield_per": REBUILD_FETCH})
    for part in result.partitions(REBUILD_FETCH):
        events = parse_rows(part)
        start = 0
        while start < len(events):
            head = events[start]
            if (head.device, head.epoch) != log:
                if log is not None:
                    marks.append((log[0], log[1], last_seq))
                log, previous = (head.device, head.epoch), None
            end = start + 1
            while end < len(events) and events[end].device == head.device and events[end].epoch == head.epoch:
                end += 1
            run = events[start:end]
            derived = _interpret(conn, run, previous)
            stale |= _store(conn, derived, None)
            if kept is not None:
                for x in derived.taps:
                    kept[x.site].append(x)
                n_kept += len(derived.taps)
                if n_kept > REBUILD_KEEP:
                    kept = None
            previous = run[-1]
            last_seq = previous.seq
            n_events += end - start
            start = end
    if log is not None:
        marks.append((log[0], log[1], last_seq))
    insert_tuples(conn, t.index_marks, ("device", "epoch", "last_seq"), marks)
    return n_events, kept, stale


def _reconcile_site(conn: sa.Connection, site: str, taps: list[SiteTap] | None,
                    beside: Callable[[], None] | None = None) -> int:
    """Rebuild's second pass for one site: every day at once, from ``taps`` (else the site's stored taps).

    Everything is read first; ``beside`` (statements on ``conn``) runs in a thread while the rows are computed."""
    rules = rules_for(conn, site)
    if taps is None:
        taps = _read_taps(conn, sa.select(*_TAP_COLUMNS).where(t.taps.c.site == site))
    binds = _kiosk_binds(conn, site)
    bindings = rec.binding_terms(conn, {x.idm for x in taps}) if taps else []
    approved = rec.approved_corrections(conn, site)
    workers_seen = {b.worker for b in bindings} | {b.worker for b in binds} | {c.worker for c in approved}
    roster = rec.roster_terms(conn, site)
    employers = rec.employers_of(conn, workers_seen)
    with _beside(beside):
        rows = reconcile_stored(site, taps, rules=rules, bindings=bindings, binds=binds, roster=roster,
                                corrections=approved, employers=employers)
    insert_tuples(conn, t.work_days, STORED, rows)
    return len(rows)


# ---------------------------------------------------------------- queries

def history(conn: sa.Connection, *, site: str | None = None, worker: str | None = None,
            employer: str | None = None, month: str | None = None) -> list[dict[str, Any]]:
    """Work-history rows, oldest first; ``month`` is ``YYYY-MM``."""
    c = t.work_days.c
    q = sa.select(t.work_days).order_by(c.work_day, c.subject, c.site)
    if site is not None:
        q = q.where(c.site == site)
    if worker is not None:
        q = q.where(c.worker == worker)
    if employer is not None:
        q = q.where(c.employer == employer)
    if month is not None:
        first = date.fromisoformat(month + "-01")
        nxt = (first + timedelta(days=32)).replace(day=1)
        q = q.where(c.work_day >= first.isoformat(), c.work_day < nxt.isoformat())
    result = conn.execute(q)
    names = list(result.keys())
    return [_public(dict(zip(names, r, strict=True))) for r in result.all()]


_NOT_ASSESSABLE = frozenset({"not_on_roster", "roster_incomplete"})


def _public(d: dict[str, Any]) -> dict[str, Any]:
    del d["subject"]
    d["devices"] = d["devices"].split() if d["devices"] else []
    flags = d["flags"] = d["flags"].split() if d["flags"] else []
    d["valid_for_assessment"] = d["worker"] is not None and _NOT_ASSESSABLE.isdisjoint(flags)
    return d


def all_rows(conn: sa.Connection) -> list[tuple[Any, ...]]:
    """Every derived row, in a stable order (used to compare rebuild with incremental)."""
    c = t.work_days.c
    return [tuple(r) for r in conn.execute(sa.select(t.work_days).order_by(c.site, c.work_day, c.subject))]
