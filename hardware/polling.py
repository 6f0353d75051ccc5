"""The polling loop every real backend shares: tap semantics, status changes, retries, error loops.

A backend is only the thin I/O part (:class:`Driver`): open the device, make
one observation, close it. Everything a site depends on lives here once:

* **Tap semantics** (:class:`PresenceTracker`, pure): a card held is one tap;
  after a "no card" observation the same card is a new tap. A failed read
  changes nothing, so a flaky read never produces a second tap for a held
  card and a partial read never produces a tap at all.
* **Status changes**: reported once per change (``ok`` → ``unplugged`` →
  ``ok``), never once per poll. A run of read errors gives one ``read_error``
  (or ``bad_card``), then one ``read_errors_repeated``; the next good
  observation gives ``ok`` again. Every error is logged with its reason.
* **Retries**: an unavailable reader is retried every ``retry_interval``
  seconds forever, so a replugged reader or a restarted pcscd comes back
  without restarting the program.
* **No busy-waiting**: between polls the loop sleeps on an Event that
  :meth:`PollingReader.close` sets, so closing is prompt from any thread.

This module must never import nfcpy or pyscard; drivers do.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from hardware.base import ReaderEvent, ReaderStatus, StatusKind, Tap
from hardware.errors import BadCard, HardwareError, ReadError, ReaderUnavailable
from hardware.status import make_status, status_for_error
from shared.clock import Clock, SystemClock
from shared.errors import InvalidIdm
from shared.ids import Idm, parse_idm

log = logging.getLogger(__name__)

DEFAULT_POLL_INTERVAL = 0.25
"""Seconds between polls with no card: fast enough to feel instant, slow enough for < 2 % CPU."""
DEFAULT_RETRY_INTERVAL = 1.0
"""Seconds between attempts to open an unavailable reader; keeps disconnection-to-recovery under 2 s."""
REPEATED_ERRORS = 5
"""Consecutive read errors after which the site manager is told the reader itself may be at fault."""
MAX_ERROR_BACKOFF = 2.0


@dataclass(frozen=True, slots=True)
class DataBlock:
    """Where to read an extra card id from, for deployments that need one (FeliCa read without encryption).

    ``service_code`` is the 16-bit FeliCa service code (e.g. ``0x090F``);
    the bytes ``offset:offset+length`` of block ``block`` are delivered as
    upper-case hex in ``Tap.card_data``.
    """

    system_code: int = 0xFFFF
    service_code: int = 0x000B
    block: int = 0
    offset: int = 0
    length: int = 16

    def __post_init__(self) -> None:
        if not (0 <= self.system_code <= 0xFFFF and 0 <= self.service_code <= 0xFFFF):
            raise ValueError("system and service codes are 16-bit values")
        if not 0 <= self.block <= 0xFF:
            raise ValueError("block number must be 0–255")
        if not (0 <= self.offset < 16 and 1 <= self.length <= 16 - self.offset):
            raise ValueError("offset and length must lie within the 16-byte block")

    def extract(self, block: bytes) -> str:
        """The configured slice of a block, or :class:`BadCard` if the card returned too little."""
        if len(block) != 16:
            raise BadCard(f"data block is {len(block)} bytes, expected 16")
        return block[self.offset : self.offset + self.length].hex().upper()


@dataclass(frozen=True, slots=True)
class CardRead:
    """What a driver read from one card in one poll (raw bytes; validated by the loop)."""

    idm: bytes
    pmm: bytes | None = None
    system_code: bytes | None = None
    card_data: str | None = None
    detected_us: int | None = None
    """CLOCK_BOOTTIME µs when the card was seen, for a driver that queues what it saw (the simulator);
    None: now, when the loop takes the observation."""


class _Unchanged:
    """A driver's answer meaning "nothing changed since the last observation" (event-driven drivers)."""


UNCHANGED = _Unchanged()
Observation = CardRead | None | _Unchanged
"""A card, ``None`` for no card, or :data:`UNCHANGED`."""


class Driver(Protocol):
    """The I/O part of a backend. Raise the hardware errors; the loop turns them into statuses.

    Optional extras the loop looks for: ``waits_in_observe`` (true when ``observe``
    itself blocks until something happens, as PC/SC does, so the loop adds no sleep),
    ``removal_polls`` (see :class:`PresenceTracker`; default 1; read after each open;
    must be 1 for an event-driven driver, which reports a removal only once) and ``interrupt()``
    (wake a blocked ``observe`` from another thread on close).
    """

    def open(self) -> str:
        """Open the device; return a description for the log. Raises :class:`ReaderUnavailable`."""
        ...

    def observe(self, timeout: float) -> Observation:
        """One poll, blocking at most about ``timeout`` s. Raises :class:`ReadError` or :class:`ReaderUnavailable`."""
        ...

    def close(self) -> None:
        """Release the device; idempotent; never raises."""
        ...


class PresenceTracker:
    """Pure tap semantics: which observations are new taps.

    ``removal_polls`` is how many "no card" observations in a row mean the card
    was taken away. Over a real radio link one poll can miss a card lying at the
    edge of the field; counting that as a removal would turn one held card into
    two taps. Two empty polls (0.5 s at the default interval) is shorter than
    any hand can take a card away and bring it back.
    """

    def __init__(self, removal_polls: int = 1) -> None:
        if removal_polls < 1:
            raise ValueError("removal_polls must be at least 1")
        self.removal_polls = removal_polls
        self.held: str | None = None
        self._absent = 0

    def observe(self, idm: str | None) -> bool:
        """Record a card (or ``None``: no card); True when this is a new tap."""
        if idm is None:
            if self.held is not None:
                self._absent += 1
                if self._absent >= self.removal_polls:
                    self.held, self._absent = None, 0
            return False
        self._absent = 0
        if idm == self.held:
            return False
        self.held = idm
        return True

    def forget(self) -> None:
        """The reader went away: whatever lies on it when it comes back is a new tap."""
        self.held, self._absent = None, 0


def validate(read: CardRead) -> tuple[Idm, str | None, str | None]:
    """The IDm, PMm and system code as hex text, or :class:`BadCard` (a wrong-length IDm, PMm or code).

    The hardware edge: the one place a card's IDm is checked (:func:`shared.ids.parse_idm`) for every
    polling backend (nfcpy, PC/SC, the simulator); the :class:`~hardware.base.Tap` carries the typed IDm."""
    try:
        idm = parse_idm(bytes(read.idm))
    except InvalidIdm as exc:
        raise BadCard(f"card answered an IDm of {len(read.idm)} bytes ({bytes(read.idm)[:16].hex()}): {exc.message}")\
            from None
    if read.pmm is not None and len(read.pmm) != 8:
        raise BadCard(f"card answered a PMm of {len(read.pmm)} bytes")
    if read.system_code is not None and len(read.system_code) != 2:
        raise BadCard(f"card answered a system code of {len(read.system_code)} bytes")
    pmm = read.pmm.hex().upper() if read.pmm is not None else None
    code = read.system_code.hex().upper() if read.system_code is not None else None
    return idm, pmm, code


class PollingReader:
    """A :class:`~hardware.base.Reader` built from a :class:`Driver` and the rules above."""

    def __init__(
        self,
        path: str,
        reader_id: str,
        driver: Driver,
        *,
        clock: Clock | None = None,
        poll_interval: float | None = None,
        retry_interval: float | None = None,
    ) -> None:
        poll_interval = DEFAULT_POLL_INTERVAL if poll_interval is None else poll_interval
        retry_interval = DEFAULT_RETRY_INTERVAL if retry_interval is None else retry_interval
        if not 0 < poll_interval <= 10 or not 0 < retry_interval <= 60:
            raise ValueError("poll_interval must be in (0, 10] s and retry_interval in (0, 60] s")
        self._path = path
        self._id = reader_id
        self._driver = driver
        self._clock: Clock = clock or SystemClock()
        self._poll = poll_interval
        self._retry = retry_interval
        self._closed = threading.Event()
        self._io = threading.Lock()
        self._open = False
        self._last_code: str | None = None
        self._errors = 0
        self._tracker = PresenceTracker()

    @property
    def path(self) -> str:
        return self._path

    @property
    def reader_id(self) -> str:
        return self._id

    def events(self) -> Iterator[ReaderEvent]:
        """Poll until :meth:`close`; yield taps and status changes (see the module docstring)."""
        try:
            while not self._closed.is_set():
                if not self._open:
                    yield from self._try_open()
                    if not self._open:
                        self._closed.wait(self._retry)
                    continue
                yield from self._poll_once()
        finally:
            self._release()

    def close(self) -> None:
        """Stop :meth:`events` from any thread; releases the device now unless a poll is in flight."""
        self._closed.set()
        interrupt = getattr(self._driver, "interrupt", None)
        if interrupt is not None:
            interrupt()  # wake a driver blocked inside observe() (PC/SC waits for card events)
        if self._io.acquire(blocking=False):
            try:
                self._close_driver()
            finally:
                self._io.release()

    def __enter__(self) -> PollingReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- inside ------------------------------------------------------------------------------

    def _try_open(self) -> Iterator[ReaderEvent]:
        with self._io:
            if self._closed.is_set():
                return
            try:
                description = self._driver.open()
            except ReaderUnavailable as exc:
                self._driver.close()
                status = self._change(exc.code, exc.message, exc)
            except Exception as exc:  # a driver bug or an unexpected library error must not kill the kiosk
                log.exception("reader %s: unexpected error while opening", self._id)
                self._driver.close()
                status = self._change("reader_error", f"{type(exc).__name__}: {exc}", kind="disconnected")
            else:
                self._open = True
                self._errors = 0
                self._tracker.forget()
                self._tracker.removal_polls = max(1, int(getattr(self._driver, "removal_polls", 1)))
                log.info("reader %s: opened %s", self._id, description)
                status = self._change("ok", description)
        if status is not None:
            yield status

    def _poll_once(self) -> Iterator[ReaderEvent]:
        events: list[ReaderEvent] = []
        idm: Idm | None = None
        pmm: str | None = None
        code: str | None = None
        detected = 0
        with self._io:
            if self._closed.is_set():
                return
            try:
                observation = self._driver.observe(self._poll)
                if isinstance(observation, CardRead):
                    idm, pmm, code = validate(observation)
                    queued = observation.detected_us
                    detected = self._clock.boottime_us() if queued is None else queued
            except ReaderUnavailable as exc:
                self._driver.close()
                self._open = False
                self._tracker.forget()
                status = self._change(exc.code, exc.message, exc)
                if status is not None:
                    events.append(status)
            except ReadError as exc:
                events.extend(self._read_failed(exc))
            except Exception as exc:  # garbage from a library we did not foresee: log it, keep polling
                log.exception("reader %s: unexpected error while reading", self._id)
                events.extend(self._read_failed(ReadError(f"{type(exc).__name__}: {exc}")))
            else:
                if not isinstance(observation, _Unchanged):
                    self._errors = 0
                    status = self._change("ok", "reading again")
                    if status is not None:
                        events.append(status)
                    if self._tracker.observe(idm) and idm is not None and isinstance(observation, CardRead):
                        events.append(Tap(idm=idm, reader=self.reader_id, mono_us=detected, pmm=pmm,
                                          system_code=code, card_data=observation.card_data))
        yield from events
        if self._errors:
            self._closed.wait(min(MAX_ERROR_BACKOFF, self._poll * (2 ** min(self._errors, 16))))
        elif self._open and not getattr(self._driver, "waits_in_observe", False):
            self._closed.wait(self._poll)

    def _read_failed(self, exc: ReadError) -> list[ReaderEvent]:
        self._errors += 1
        if self._errors == 1:
            log.warning("reader %s: %s: %s (no tap recorded)", self._id, exc.code, exc.message)
        else:
            log.info("reader %s: %s again (%d in a row): %s", self._id, exc.code, self._errors, exc.message)
        if self._errors == REPEATED_ERRORS:
            status = self._change("read_errors_repeated", f"{self._errors} in a row; last: {exc.message}")
        elif self._errors < REPEATED_ERRORS:
            status = self._change(exc.code, exc.message, exc)
        else:
            status = None
        return [status] if status is not None else []

    def _change(self, code: str, detail: str, exc: HardwareError | None = None,
                kind: StatusKind | None = None) -> ReaderStatus | None:
        """A status if ``code`` differs from the last one reported, else None (one status per change)."""
        if code == self._last_code or (self._last_code == "unplugged" and code == "no_reader"):
            return None  # a reader that was unplugged and is still missing: "unplugged" already says it
        self._last_code = code
        mono = self._clock.boottime_us()
        if exc is not None:
            status = status_for_error(self.reader_id, exc, mono)
        else:
            status = make_status(self.reader_id, code, mono, detail, kind)
        if code != "ok":
            log.warning("reader %s: status %s (%s)", self._id, code, detail)
        return status

    def _release(self) -> None:
        with self._io:
            self._close_driver()

    def _close_driver(self) -> None:
        if self._open:
            self._open = False
        self._driver.close()
