"""The long-running edge daemon: APScheduler 3.x jobs around one :class:`SyncEngine`.

Jobs (registered once by id, ``coalesce`` and ``max_instances=1``, all on ONE
worker thread so state.db and the client are never used concurrently):

    watch    every ``watch_s`` (0.5 s)    journal.db / journal.db-wal changed → upload once the journal
                                          has been quiet for ``quiet_s`` (1.5 s), or at the latest
                                          ``max_delay_s`` (10 s) after the first unsent change: a burst of
                                          taps at the gate is ONE upload a moment later, not one per tap;
                                          the ``sync-now`` file was touched → a full cycle now,
                                          back-off reset (a person asked for it)
    upload   every ``upload_s`` (60 s)    upload (the "at least every minute" floor)
    pull     every ``pull_s`` (300 s)     site config + roster (ETag: unchanged costs a 304)
    status   every ``status_s`` (60 s)    report unsent count / oldest age to the server
    audit    every ``audit_s`` (3600 s)   check the server's audit log against the checkpoint kept from the
                                          last check (syncd.audit; outcome in log-check.json)

After a failure the daemon backs off exponentially with jitter
(:class:`syncd.timing.Backoff`); jobs that fire during the back-off wait skip,
except that a success resets it. Retention (pruning the journal) is the
kiosk's job — see :mod:`shared.state.prune` — because syncd never writes
journal.db.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from apscheduler.events import EVENT_SCHEDULER_STARTED, SchedulerEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.blocking import BlockingScheduler

from shared.errors import GenbaError
from shared.files import stamps
from shared.paths import DataDir
from syncd.audit import scheduled_check
from syncd.engine import CycleReport, SyncEngine
from syncd.siblings import SiblingExchange
from syncd.timing import Backoff

log = logging.getLogger("genba.syncd")

TRIGGER_FILE = "sync-now"
"""Touch ``<data dir>/sync-now`` (the kiosk's "sync now" button) to upload at the next watch tick."""


@dataclass(frozen=True, slots=True)
class Intervals:
    watch_s: float = 0.5
    quiet_s: float = 1.5
    """Upload after the journal has not changed for this long (a burst coalesces into one upload)."""
    max_delay_s: float = 10.0
    """... but never later than this after the first change not yet uploaded (a steady stream still flows)."""
    upload_s: float = 60.0
    pull_s: float = 300.0
    status_s: float = 60.0
    siblings_s: float = 5.0
    """Pull sibling gates' journals (docs/syncd.md "Sibling gates")."""
    audit_s: float = 3600.0
    """Check the server's audit log against the checkpoint kept from the last check (0: never)."""


class Daemon:
    def __init__(self, engine: SyncEngine | None, *, intervals: Intervals | None = None,
                 backoff: Backoff | None = None, monotonic: Callable[[], float] = time.monotonic,
                 siblings: SiblingExchange | None = None, data: DataDir | None = None) -> None:
        """``engine`` None: a gate of a site that has never been online — only the sibling exchange runs."""
        self.engine = engine
        self.siblings = siblings
        self.intervals = intervals or Intervals()
        self.backoff = backoff or Backoff()
        self._monotonic = monotonic
        self._not_before = 0.0
        data = data or (engine.data if engine is not None else None)
        if data is None:
            raise ValueError("Daemon needs the data directory (an engine, or data=)")
        root = data.root
        self._watched = [data.journal, root / "journal.db-wal"]
        self._trigger = [root / TRIGGER_FILE]
        self._last_stamp = stamps(self._watched)
        self._last_trigger = stamps(self._trigger)
        self._changed_first: float | None = None  # first journal change not yet uploaded
        self._changed_last = 0.0
        self.scheduler = BlockingScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
        )
        self.stopped = threading.Event()
        self._stop_asked = threading.Event()
        # A stop asked for before the scheduler runs (SIGTERM during the first cycle, or a caller's stop() that
        # overtakes run()) is honoured the moment it starts, instead of being lost and the daemon then running on.
        self.scheduler.add_listener(self._stop_if_asked, EVENT_SCHEDULER_STARTED)

    def _guarded(self, name: str, *, upload: bool, pull: bool, report_status: bool) -> CycleReport | None:
        if self.engine is None or self._monotonic() < self._not_before:
            return None
        try:
            report = self.engine.run_once(upload=upload, pull=pull, report_status=report_status)
        except GenbaError as exc:  # state.db itself failed: log and back off
            log.error("syncd %s failed: %s", name, exc.message)
            self._not_before = self._monotonic() + self.backoff.next_delay()
            return None
        except Exception:  # a bug must not silence the daemon: log it, back off, keep the jobs running
            log.exception("syncd %s failed unexpectedly", name)
            self._not_before = self._monotonic() + self.backoff.next_delay()
            return None
        if report.ok:
            self.backoff.reset()
            if report.acknowledged:
                log.info("uploaded: %d events acknowledged in %d batches", report.acknowledged, report.batches)
        else:
            delay = self.backoff.next_delay()
            self._not_before = self._monotonic() + delay
            log.warning("syncd %s failed (%s): %s; next try in %.0f s", name, report.errors[0].code,
                        report.errors[0].message, delay)
        return report

    def job_watch(self) -> None:
        trigger = stamps(self._trigger)
        if trigger != self._last_trigger:
            # A person asked ("sync now" on the kiosk, or `genba syncd --once` while this daemon runs):
            # try everything at once, whatever the back-off says.
            self._last_trigger = trigger
            self._last_stamp = stamps(self._watched)
            self._not_before = 0.0
            self.backoff.reset()
            self._guarded("sync-now", upload=True, pull=True, report_status=True)
            return
        stamp, now = stamps(self._watched), self._monotonic()
        if stamp != self._last_stamp:
            self._last_stamp = stamp
            self._changed_last = now
            if self._changed_first is None:
                self._changed_first = now
        if self._changed_first is None:
            return
        iv = self.intervals
        if now - self._changed_last >= iv.quiet_s or now - self._changed_first >= iv.max_delay_s:
            self._changed_first = None
            self._guarded("upload", upload=True, pull=False, report_status=False)

    def job_upload(self) -> None:
        self._guarded("upload", upload=True, pull=False, report_status=False)

    def job_pull(self) -> None:
        self._guarded("pull", upload=False, pull=True, report_status=False)

    def job_siblings(self) -> None:
        """Pull every sibling gate's journal (the LAN needs no back-off: a gate that is off is skipped quickly)."""
        if self.siblings is None:
            return
        try:
            report = self.siblings.run_once()
        except GenbaError as exc:
            log.error("sibling exchange failed: %s", exc.message)
            return
        except Exception:  # a bug must not silence the daemon
            log.exception("sibling exchange failed unexpectedly")
            return
        if report.pulled:
            log.info("siblings: %d events from %d gates", report.pulled, report.peers)

    def job_status(self) -> None:
        if self.engine is None or self._monotonic() < self._not_before:
            return
        try:
            self.engine.report_status()
        except GenbaError as exc:
            log.info("status report not delivered: %s", exc.message)

    def job_audit(self) -> None:
        if self.engine is None or self._monotonic() < self._not_before:
            return  # the server is failing: the sync back-off applies to the log check too
        try:
            scheduled_check(self.engine, datetime.now().astimezone())
        except GenbaError as exc:  # state.db or the data directory failed
            log.error("audit log check failed: %s", exc.message)
        except Exception:
            log.exception("audit log check failed unexpectedly")

    def install(self) -> None:
        iv = self.intervals
        add = self.scheduler.add_job
        add(self.job_watch, "interval", seconds=iv.watch_s, id="watch", replace_existing=True)
        add(self.job_upload, "interval", seconds=iv.upload_s, id="upload", replace_existing=True)
        add(self.job_pull, "interval", seconds=iv.pull_s, id="pull", replace_existing=True)
        add(self.job_status, "interval", seconds=iv.status_s, id="status", replace_existing=True)
        if self.siblings is not None:
            add(self.job_siblings, "interval", seconds=iv.siblings_s, id="siblings", replace_existing=True)
        if iv.audit_s > 0 and self.engine is not None:
            add(self.job_audit, "interval", seconds=iv.audit_s, id="audit", replace_existing=True)

    def run(self) -> None:
        """A full cycle first (upload, pull, status), then the jobs until :meth:`stop` or a signal."""
        self._guarded("start", upload=True, pull=True, report_status=True)
        self.job_siblings()
        self.install()
        try:
            self.scheduler.start()
        finally:
            self.stopped.set()

    def stop(self) -> None:
        """Stop the jobs, now or, when :meth:`run` has not started them yet, as soon as it does."""
        self._stop_asked.set()
        self._shutdown()

    def _stop_if_asked(self, _event: SchedulerEvent) -> None:
        if self._stop_asked.is_set():
            self._shutdown()

    def _shutdown(self) -> None:
        try:
            if self.scheduler.running:
                self.scheduler.shutdown(wait=True)
        except SchedulerNotRunningError:
            pass  # the other side of a stop racing the start shut it down first
