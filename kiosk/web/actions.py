"""What the tablet may ask the kiosk to do, and how the request reaches the kiosk's own thread.

The journal has one writer, the kiosk process, and its connection belongs to
one thread (the Qt event loop's, or a test's core thread). The web server's
threads therefore never touch :class:`kiosk.core.KioskCore`: they hand a
closure to a :data:`Runner`, which runs it on that thread and returns its
result (or raises its exception). Every manager action goes through the same
functions the touch screen's manager mode uses (``kiosk.manager`` drafts,
``KioskCore`` → the tap pipeline's durable append).
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import queue
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol, TypeVar

from kiosk.core import KIOSK_READER, IdleStatus, KioskCore
from kiosk.errors import ManagerActionRefused
from kiosk.manager import MANUAL_REASON, ManagerActions
from kiosk.web.errors import KioskUnavailable
from shared.event import Direction
from shared.ids import Idm
from shared.journal import StoredEvent

T = TypeVar("T")
CALL_TIMEOUT_S = 10.0
MAX_REASON = 200


class Runner(Protocol):
    def __call__(self, fn: Callable[[], T]) -> T: ...


class KioskActions:
    """The kiosk's manager actions for the tablet. Call only on the kiosk's thread (through a Runner).

    ``changed`` is called after each recorded action so the touch screen redraws (its signals)."""

    def __init__(self, core: KioskCore, changed: Callable[[], None] | None = None) -> None:
        self.core = core
        self._changed = changed or (lambda: None)

    def status(self) -> IdleStatus:
        return self.core.idle()

    def bind(self, idm: Idm, worker: str) -> StoredEvent:
        stored = self.core.bind(idm, worker)
        self._changed()
        return stored

    def amend(self, ref: int, direction: Direction) -> StoredEvent:
        stored = self.core.amend(ref, direction)
        self._changed()
        return stored

    def manual(self, worker: str, direction: Direction, claimed_at: datetime, reason: str) -> StoredEvent:
        """A forgotten card, as the manager screen records it, with the manager's reason added."""
        site = self.core.site.settings().site
        if site is None:
            raise ManagerActionRefused("this kiosk has no site yet")
        draft = ManagerActions(site=site, reader=KIOSK_READER).manual(worker, direction, claimed_at,
                                                                      self.core.clock.wall())
        if reason:
            draft = dataclasses.replace(draft, reason=f"{MANUAL_REASON}: {reason[:MAX_REASON]}")
        stored = self.core.pipeline.record(draft)
        self._changed()
        return stored


class QueueRunner:
    """A Runner for a thread that drains a queue (tests, and anything that is not a Qt loop)."""

    def __init__(self) -> None:
        self.jobs: queue.Queue[tuple[Callable[[], Any], concurrent.futures.Future[Any]] | None] = queue.Queue()

    def __call__(self, fn: Callable[[], T]) -> T:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        self.jobs.put((fn, future))
        return wait(future)

    def serve(self, stop: threading.Event) -> None:
        """Run jobs on the calling thread until ``stop`` is set (or ``None`` is queued)."""
        while not stop.is_set():
            try:
                job = self.jobs.get(timeout=0.1)
            except queue.Empty:
                continue
            if job is None:
                return
            run_job(*job)


def run_job(fn: Callable[[], T], future: concurrent.futures.Future[T]) -> None:
    if not future.set_running_or_notify_cancel():
        return
    try:
        future.set_result(fn())
    except BaseException as exc:  # handed back to the web thread, which answers with it
        future.set_exception(exc)


def wait(future: concurrent.futures.Future[T]) -> T:
    try:
        return future.result(timeout=CALL_TIMEOUT_S)
    except concurrent.futures.TimeoutError:
        future.cancel()
        raise KioskUnavailable(f"the kiosk did not answer within {CALL_TIMEOUT_S:.0f} s") from None
