"""Shared fixtures: an emulated FeliCa card on nfcpy's udp link, and a collector that runs a reader."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator

import pytest

from hardware.base import Reader, ReaderEvent, ReaderStatus, Tap
from hardware.emulated import FelicaCardPeer
from hardware.vicc import ViccCard
from tests.hardware.pcsc_stack import PcscStack  # first: fixes PCSCLITE_CSOCK_NAME before any PC/SC call

WAIT = 20.0
"""Upper bound for anything to happen; only reached when a test is failing (never a timing assertion)."""


class Collector:
    """Runs ``reader.events()`` in a thread and hands the events to the test in order."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.events: queue.Queue[ReaderEvent] = queue.Queue()
        self.seen: list[ReaderEvent] = []
        self.finished = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            for event in self.reader.events():
                self.events.put(event)
        finally:
            self.finished.set()

    def next(self, timeout: float = WAIT) -> ReaderEvent:
        event = self.events.get(timeout=timeout)
        self.seen.append(event)
        return event

    def until(self, predicate: Callable[[ReaderEvent], bool], timeout: float = WAIT) -> ReaderEvent:
        """The first event matching ``predicate``; everything before it is kept in ``seen``."""
        while True:
            event = self.next(timeout)
            if predicate(event):
                return event

    def next_tap(self) -> Tap:
        event = self.until(lambda e: isinstance(e, Tap))
        assert isinstance(event, Tap)
        return event

    def next_status(self, code: str | None = None) -> ReaderStatus:
        event = self.until(lambda e: isinstance(e, ReaderStatus) and (code is None or e.code == code))
        assert isinstance(event, ReaderStatus)
        return event

    def pending(self) -> list[ReaderEvent]:
        """Everything delivered so far and not yet taken."""
        out: list[ReaderEvent] = []
        while True:
            try:
                out.append(self.next(timeout=0))
            except queue.Empty:
                return out

    def stop(self) -> None:
        self.reader.close()
        self._thread.join(timeout=WAIT)
        assert self.finished.is_set(), "events() did not return after close()"


@pytest.fixture
def peer() -> Iterator[FelicaCardPeer]:
    with FelicaCardPeer() as card_peer:
        yield card_peer


@pytest.fixture
def collect() -> Iterator[Callable[[Reader], Collector]]:
    started: list[Collector] = []

    def start(reader: Reader) -> Collector:
        collector = Collector(reader)
        started.append(collector)
        return collector

    yield start
    for collector in started:
        collector.stop()


@pytest.fixture(scope="session")
def pcsc_stack() -> Iterator[PcscStack]:
    stack = PcscStack()
    reason = stack.why_not()
    if reason is not None:
        pytest.skip(reason)
    stack.start()
    yield stack
    stack.stop()


@pytest.fixture
def pcscd(pcsc_stack: PcscStack) -> Iterator[PcscStack]:
    """The private pcscd, running (restarted if an earlier test stopped it)."""
    pcsc_stack.start()
    yield pcsc_stack


@pytest.fixture
def vicc(pcscd: PcscStack) -> Iterator[ViccCard]:
    """A virtual card for the first vpcd slot; not on the reader until ``present``."""
    pcscd.wait_for_card(present=False)  # the last test's card is gone as far as pcscd knows
    card = ViccCard(port=pcscd.port)
    yield card
    card.remove()
    if pcscd.running:
        pcscd.wait_for_card(present=False)
