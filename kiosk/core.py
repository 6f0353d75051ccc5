"""The kiosk without its screen: journal, site view, today's state, pipeline and manager, wired once.

Both faces of the kiosk use this one object: the touch screen (kiosk.ui) and
the headless logger. It owns the journal writer (the only writer of
journal.db) and reads state.db; it never touches Qt, so every behaviour
behind the screen is tested without a display.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from hardware.base import ReaderEvent, ReaderStatus, Tap
from kiosk.direction import GateMode
from kiosk.manager import ManagerActions, PinGate
from kiosk.pipeline import Appender, Outcome, OutcomeKind, TapPipeline
from kiosk.settings import KioskSettings, load_settings, save_settings
from kiosk.sources import SiteView, SyncSummary
from kiosk.today import Today
from shared.clock import Clock, SystemClock
from shared.errors import GenbaError, JournalError
from shared.event import NO_SITE, Direction
from shared.ids import Idm
from shared.journal import EventDraft, JournalWriter, StoredEvent
from shared.kioskstatus import ERROR_WINDOW_S, KioskStatus, write_status
from shared.paths import DataDir

log = logging.getLogger(__name__)

KIOSK_READER = "kiosk"
"""The ``reader`` field of events a site manager records on the screen (bind, amend, manual)."""


@dataclass(frozen=True, slots=True)
class IdleStatus:
    """Everything the idle screen shows, read at one moment."""

    site: str | None
    site_name: str
    now: datetime
    mode: GateMode
    forced: Direction | None
    inside: int
    reader: ReaderStatus | None
    sync: SyncSummary
    problems: tuple[str, ...]
    """Machine codes, most urgent first: ``journal_lost``, ``journal_write_failed``, ``clock_behind``,
    ``no_site``, ``reader_waiting``, ``reader_disconnected``, ``reader_error``, ``state_unreadable``,
    ``roster_missing``, ``sync_error``."""
    clock_behind: datetime | None = None
    """The latest journaled time, while the wall clock reads earlier than it (the clock was set back)."""


class RefusingJournal:
    """The journal while it must not be written (see :func:`shared.state.check_continuity`): every append
    raises the reason, so each tap shows "NOT recorded"; reading (today's list) goes on."""

    def __init__(self, inner: Appender, reason: GenbaError) -> None:
        self.inner, self.reason = inner, reason

    def append(self, draft: EventDraft) -> StoredEvent:
        raise self.reason

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


class KioskCore:
    def __init__(self, *, root: Path | None, journal: Appender, site: SiteView, clock: Clock,
                 settings: KioskSettings | None = None, journal_conn: object | None = None,
                 pruner: Callable[[], int] | None = None) -> None:
        self.root, self.journal, self.site, self.clock = root, journal, site, clock
        self.settings = settings or KioskSettings()
        config = site.settings()
        self.today = Today(self._resolve, day_boundary=config.day_boundary, tz=config.timezone)
        conn = journal_conn if journal_conn is not None else getattr(journal, "conn", None)
        if conn is not None:
            self.today.rebuild(conn, clock.wall())  # type: ignore[arg-type]
        self.pipeline = TapPipeline(journal, site, self.today, clock, mode=self.settings.mode)
        self.pins = PinGate(self.settings.pin)
        self.reader_status: ReaderStatus | None = None
        self.last_failure: Outcome | None = None
        self._pruner = pruner
        self._reader_errors: deque[int] = deque(maxlen=100_000)
        """CLOCK_BOOTTIME (µs) of the reader errors of the last hour, for :meth:`publish_status`."""

    @classmethod
    def open(cls, data: DataDir, *, clock: Clock | None = None) -> KioskCore:
        """Open the device's journal (taking the writer lock) and state.db, read-only."""
        from kiosk.state_view import StateSiteView
        from shared.device import load_or_create_identity
        from shared.state import StateReader, check_continuity, prunable
        from shared.state.siblings import SiblingFeed

        clock = clock or SystemClock()
        identity, key = load_or_create_identity(data)
        journal = JournalWriter.open(data.journal, identity, key, clock=clock)
        try:
            state = StateReader(data.state)
            site = StateSiteView(state, fallback_site=identity.site, journal=journal)
            appender: Appender = journal
            try:
                check_continuity(state, journal, identity.epoch)
            except JournalError as exc:
                log.error("recording refused: %s", exc.message)
                appender = RefusingJournal(journal, exc)
            except GenbaError as exc:  # state.db unreadable: shown as state_unreadable; taps go on
                log.error("cannot compare the journal with state.db: %s", exc.message)

            def prune() -> int:
                removed = 0
                for spec in prunable(state, journal, now=clock.wall()):
                    removed += journal.prune_through(spec.epoch, spec.seq, spec.head)
                return removed

            core = cls(root=data.root, journal=appender, site=site, clock=clock, settings=load_settings(data.root),
                       pruner=prune)
            # the site's other gates (verified by syncd, kept apart in state.db): whole-site directions and counts
            core.today.attach_siblings(SiblingFeed(data.state))
            return core
        except BaseException:
            journal.close()
            raise

    def close(self) -> None:
        self.publish_status(stopped=True)
        close = getattr(self.journal, "close", None)
        if close is not None:
            close()

    def _resolve(self, idm: Idm) -> str | None:
        holder = self.site.lookup(idm)
        return None if holder is None else holder.worker

    # -- taps ----------------------------------------------------------------------------------
    def on_event(self, event: ReaderEvent) -> Outcome | None:
        """Handle one reader event: a tap gives an outcome; a status change is remembered."""
        if isinstance(event, Tap):
            outcome = self.pipeline.handle(event)
            if outcome.kind is OutcomeKind.NOT_RECORDED:
                self.last_failure = outcome
                log.error("tap NOT recorded (%s): %s", outcome.error_code, outcome.error_message)
            elif outcome.recorded:
                self.last_failure = None
            return outcome
        self.reader_status = event
        if event.kind == "error":
            self._reader_errors.append(self.clock.boottime_us())
        self.publish_status()
        return None

    def reader_errors(self) -> int:
        """Reader errors in the last :data:`~shared.kioskstatus.ERROR_WINDOW_S` seconds (this boot)."""
        since = self.clock.boottime_us() - ERROR_WINDOW_S * 1_000_000
        while self._reader_errors and self._reader_errors[0] < since:
            self._reader_errors.popleft()
        return len(self._reader_errors)

    def publish_status(self, *, stopped: bool = False) -> None:
        """Leave the reader state in ``kiosk-status.json`` for syncd's status report (shared/kioskstatus.py).

        Called at every reader change, by the screen's heartbeat and at close. Housekeeping: a failure is
        logged and never stops the kiosk."""
        if self.root is None:
            return
        status = self.reader_status
        if stopped:
            state, code = "stopped", "stopped"
        elif status is None:
            state, code = "waiting", "waiting"
        else:
            state, code = status.kind, status.code
        try:
            report = KioskStatus(state, code, self.reader_errors(), self.clock.boot_id(), self.clock.boottime_us())
        except GenbaError:  # a backend's code outside a-z0-9_: keep the state, name the code generically
            report = KioskStatus(state, "reader_error", self.reader_errors(), self.clock.boot_id(),
                                 self.clock.boottime_us())
        try:
            write_status(self.root, report)
        except OSError as exc:
            log.warning("cannot write the kiosk status for syncd: %s", exc)

    def force_next(self, direction: Direction | None) -> None:
        self.pipeline.force_next(direction)

    def idle(self) -> IdleStatus:
        config = self.site.settings()
        problems: list[str] = []
        now = self.clock.wall().astimezone(config.timezone)  # the site's local time, whatever the machine's zone
        refused = isinstance(self.journal, RefusingJournal)
        if refused:
            problems.append("journal_lost")
        elif self.last_failure is not None:
            problems.append("journal_write_failed")
        behind = self.clock_behind(now)
        if behind is not None and not refused:  # while nothing is recorded, the clock marks nothing: one warning
            problems.append("clock_behind")
        if config.site is None:
            problems.append("no_site")
        status = self.reader_status
        if status is None:
            problems.append("reader_waiting")
        elif status.kind == "disconnected":
            problems.append("reader_disconnected")
        elif status.kind == "error":
            problems.append("reader_error")
        problems.extend(config.problems)
        sync = self.site.sync()
        if sync.last_error:
            problems.append("sync_error")
        self.today.roll_to(now)
        return IdleStatus(site=config.site, site_name=config.site_name, now=now, mode=self.pipeline.mode,
                          forced=self.pipeline.forced, inside=self.today.count_inside, reader=status, sync=sync,
                          problems=tuple(problems), clock_behind=behind)

    def clock_behind(self, now: datetime | None = None) -> datetime | None:
        """The latest journaled time while the wall clock reads earlier (see JournalWriter.clock_behind)."""
        check = getattr(self.journal, "clock_behind", None)
        return None if check is None else check(now or self.clock.wall())

    # -- manager -------------------------------------------------------------------------------
    def unlock(self, pin: str) -> None:
        """Check a manager PIN (rate-limited); raises kiosk.errors.PinError subclasses.

        The stored hash is re-read first, so ``genba kiosk set-pin`` takes effect without a restart."""
        if self.root is not None:
            self.pins.stored = load_settings(self.root).pin
        self.pins.check(pin, self.clock.boottime_us())

    def set_pin(self, pin: str) -> None:
        from kiosk.manager import hash_pin

        self.settings = self.settings.with_changes(pin=hash_pin(pin))
        self.pins.stored = self.settings.pin
        self._save()

    def set_mode(self, mode: GateMode) -> None:
        self.pipeline.mode = mode
        self.settings = self.settings.with_changes(mode=mode)
        self._save()

    def set_theme(self, theme: str) -> None:
        """``dark``, or ``light`` (the high-contrast daylight screen); kept in kiosk.json."""
        from kiosk.settings import THEMES

        if theme not in THEMES:
            raise ValueError(f"theme must be one of {', '.join(THEMES)}, not {theme!r}")
        self.settings = self.settings.with_changes(theme=theme)
        self._save()

    def _save(self) -> None:
        if self.root is not None:
            save_settings(self.root, self.settings)

    def _actions(self) -> ManagerActions:
        # No site yet: the manager's action is journaled like a tap, with NO_SITE (attributed by the server).
        return ManagerActions(site=self.site.settings().site or NO_SITE, reader=KIOSK_READER)

    def bind(self, idm: Idm, worker: str) -> StoredEvent:
        return self.pipeline.record(self._actions().bind(idm, worker, self.today))

    def amend(self, ref: int, direction: Direction) -> StoredEvent:
        return self.pipeline.record(self._actions().amend(ref, direction, self.today))

    def manual(self, worker: str, direction: Direction, claimed_at: datetime) -> StoredEvent:
        return self.pipeline.record(self._actions().manual(worker, direction, claimed_at, self.now()))

    def now(self) -> datetime:
        """The wall clock in the site's time zone: what every screen shows, and the zone a time the manager
        types (a forgotten card's "07:30") is read in. The machine's own zone plays no part, so a kiosk whose
        system zone is UTC or Europe/London (Raspberry Pi OS's default) shows and records the site's hours."""
        return self.clock.wall().astimezone(self.today.tz)

    def prune(self) -> int:
        """Remove acknowledged events older than the retention period (see shared.state.prune)."""
        if self._pruner is None:
            return 0
        try:
            removed = self._pruner()
        except Exception as exc:  # retention is housekeeping: it must never stop the kiosk
            log.error("journal retention failed: %s", exc)
            return 0
        if removed:
            log.info("journal retention: removed %d acknowledged events", removed)
        return removed
