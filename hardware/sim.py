"""The simulated reader: taps from code, from standard input, or from a script — no hardware needed.

Used for demos on a machine with no reader and by the kiosk's tests, which
drive their whole pipeline through it. It is a *driver* behind the same
polling front end as the real readers (:class:`hardware.polling.PollingReader`),
as nfcpy's ``udp`` simulator sits behind nfcpy's one front end: the simulator
only says what a real reader would observe, in order (a card, no card, the
device gone, a failed read), and the front end decides what is a tap and
which status changes to report, by the very rules the kiosk meets with real
hardware: a card held is one tap; removed and presented again is a new tap; a
run of failed reads is one status, then "ok" with the next good read; a card
lying on an unplugged reader is not seen until the reader is plugged back in.

Feeding it from code (any thread)::

    reader = SimulatedReader()
    reader.tap("0123456789ABCDEF")        # present + remove
    reader.present("0123456789ABCDEF")    # card held ...
    reader.present("0123456789ABCDEF")    # ... still one tap
    reader.remove()
    reader.unplug(); reader.replug()      # status changes
    reader.fail("antenna noise")          # an error status; the next tap reports "ok" first
    reader.finish()                       # events() ends after what is queued
    for event in reader.events(): ...

Script format (``sim:FILE``) and standard-input format (``sim:-``), one command per line::

    # a comment; blank lines are ignored
    0123456789ABCDEF          a bare IDm (16 hex digits, any case) is a tap
    tap 0123456789ABCDEF      present and remove
    present 0123456789ABCDEF  put a card on the reader (and leave it there)
    remove                    take the card away
    wait 1.5                  pause (seconds, 0–3600) before the next command
    unplug                    the reader goes away (status "unplugged")
    replug                    the reader comes back (status "ok")
    fail some reason text     a failed read (status "read_error" with that detail); the next
                              good read reports "ok" first, as with the real backends

A script is checked completely when opened (a bad line raises
:class:`~hardware.errors.ScriptError` with its line number); it then plays
when ``events()`` is first iterated and the reader finishes at its end. A bad
line on standard input is a failed read with status ``bad_input`` and is
skipped; the reader finishes at end of input.

This module must never import nfcpy or pyscard.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TextIO

from hardware.base import ReaderEvent
from hardware.errors import BadCard, BadInput, ReadError, ReaderUnplugged, ScriptError
from hardware.paths import reader_id as make_reader_id
from hardware.polling import UNCHANGED, CardRead, Observation, PollingReader
from shared.clock import Clock, SystemClock
from shared.errors import InvalidIdm
from shared.ids import parse_idm

log = logging.getLogger(__name__)

MAX_LINE_LENGTH = 256
MAX_SCRIPT_BYTES = 1 << 20
MAX_WAIT_SECONDS = 3600.0
FAIL_CODES = ("read_error", "bad_card")
"""What ``fail`` can simulate; the front end itself reports ``read_errors_repeated`` after a run of them."""
SIM_POLL_INTERVAL = 0.25
"""How long one observation waits for the next simulated event: only a wake-up, as with PC/SC."""

Verb = Literal["tap", "present", "remove", "wait", "unplug", "replug", "fail"]


@dataclass(frozen=True, slots=True)
class Command:
    """One simulator command; ``arg`` is the IDm, the seconds or the failure detail."""

    verb: Verb
    arg: str = ""
    seconds: float = 0.0


def parse_command(line: str) -> Command | None:
    """Parse one script or stdin line; ``None`` for blank lines and comments; :class:`ValueError` if bad."""
    if len(line) > MAX_LINE_LENGTH:
        raise ValueError(f"line longer than {MAX_LINE_LENGTH} characters")
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    verb, _, arg = text.partition(" ")
    arg = arg.strip()
    lowered = verb.lower()
    if lowered in ("tap", "present"):
        return Command(lowered, _idm(arg))  # type: ignore[arg-type]
    if lowered in ("remove", "unplug", "replug"):
        if arg:
            raise ValueError(f"{lowered!r} takes no argument")
        return Command(lowered)  # type: ignore[arg-type]
    if lowered == "wait":
        try:
            seconds = float(arg)
        except ValueError:
            raise ValueError(f"wait needs a number of seconds, got {arg[:20]!r}") from None
        if not 0 <= seconds <= MAX_WAIT_SECONDS:  # also refuses nan and inf
            raise ValueError(f"wait must be 0–{MAX_WAIT_SECONDS:g} seconds")
        return Command("wait", seconds=seconds)
    if lowered == "fail":
        return Command("fail", arg or "simulated failure")
    if not arg:
        return Command("tap", _idm(verb))
    raise ValueError(f"unknown command {verb[:20]!r} (tap, present, remove, wait, unplug, replug, fail, or an IDm)")


def _idm(text: str) -> str:
    try:
        return parse_idm(text)
    except InvalidIdm as exc:
        raise ValueError(exc.message) from None


def parse_script(lines: Iterable[str]) -> list[Command]:
    """Parse a whole script, or raise :class:`ScriptError` naming the first bad line."""
    commands: list[Command] = []
    for number, line in enumerate(lines, start=1):
        try:
            command = parse_command(line)
        except ValueError as exc:
            raise ScriptError(str(exc), line=number) from None
        if command is not None:
            commands.append(command)
    return commands


def load_script(path: str | Path) -> list[Command]:
    """Read and parse a script file (UTF-8, at most 1 MiB)."""
    file = Path(path)
    try:
        with file.open("rb") as handle:
            data = handle.read(MAX_SCRIPT_BYTES + 1)
    except OSError as exc:
        raise ScriptError(f"cannot read simulator script {str(file)!r}: {exc.strerror or exc}") from None
    if len(data) > MAX_SCRIPT_BYTES:
        raise ScriptError(f"simulator script {str(file)!r} is larger than {MAX_SCRIPT_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScriptError(f"simulator script {str(file)!r} is not UTF-8 text: {exc.reason}") from None
    return parse_script(text.splitlines())


class _Gone:
    """The device went away (unplug)."""


class _Back:
    """The device is back (replug)."""


class _End:
    """Nothing more will be fed: the front end stops once everything before this was observed."""


_GONE, _BACK, _END = _Gone(), _Back(), _End()
_Item = CardRead | None | ReadError | _Gone | _Back | _End


class SimulatedDevice:
    """The simulated reader's hardware, as a :class:`hardware.polling.Driver`: what it observes, queued in order.

    Feeding (from any thread) appends observations; the front end's thread takes them one per ``observe``.
    Queued, not sampled: a tap (present then remove) fed faster than a poll is still seen, and each card
    carries the time it was presented (``detected_us``), not the time the front end got to it.
    """

    waits_in_observe = True  # observe() blocks until something happens, so the front end adds no sleep
    removal_polls = 1  # each removal is queued once

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._cond = threading.Condition()
        self._queue: deque[_Item] = deque()
        self._plugged = True  # the feeding side's view
        self._away = False  # the front end's view: it has seen the unplug and not yet the replug
        self._on_reader: str | None = None
        self._interrupted = False
        self.on_end: Callable[[], None] = lambda: None

    # -- feeding -----------------------------------------------------------------------------

    def present(self, idm: str) -> None:
        with self._cond:
            self._on_reader = idm
            if self._plugged:
                self._put(self._card(idm))
            else:
                log.info("simulated card %s lies on an unplugged reader: not seen", idm)

    def remove(self) -> None:
        with self._cond:
            self._on_reader = None
            if self._plugged:
                self._put(None)

    def unplug(self) -> None:
        with self._cond:
            if self._plugged:
                self._plugged = False
                self._put(_GONE)

    def replug(self) -> None:
        with self._cond:
            if not self._plugged:
                self._plugged = True
                self._put(_BACK)
                if self._on_reader is not None:  # a card lying on it is seen when it comes back
                    self._put(self._card(self._on_reader))

    def fail(self, error: ReadError) -> None:
        with self._cond:
            if self._plugged:
                self._put(error)

    def end(self) -> None:
        with self._cond:
            self._put(_END)

    # -- the Driver protocol (the front end's thread) ----------------------------------------

    def open(self) -> str:
        with self._cond:
            while self._away:
                self._cond.wait_for(lambda: bool(self._queue) or self._interrupted)
                if self._interrupted:
                    raise ReaderUnplugged("the simulated reader was closed")
                item = self._queue.popleft()
                if isinstance(item, _Back):
                    self._away = False
                elif isinstance(item, _End):
                    self.on_end()
                    raise ReaderUnplugged("the simulation ended with the reader unplugged")
                # anything else fed while away was not observable: dropped
        return "simulated reader"

    def observe(self, timeout: float) -> Observation:
        with self._cond:
            if not self._cond.wait_for(lambda: bool(self._queue) or self._interrupted, timeout):
                return UNCHANGED
            if self._interrupted:
                return UNCHANGED
            item = self._queue.popleft()
        if isinstance(item, _Gone):
            self._away = True
            raise ReaderUnplugged("simulated unplug")
        if isinstance(item, ReadError):
            raise item
        if isinstance(item, _End):
            self.on_end()
            return UNCHANGED
        if isinstance(item, _Back):
            return UNCHANGED
        return item

    def close(self) -> None:
        """Nothing to release: the simulated device stays as it is (unplugged or not) across reopenings."""

    def interrupt(self) -> None:
        with self._cond:
            self._interrupted = True
            self._cond.notify_all()

    # -- inside ------------------------------------------------------------------------------

    def _put(self, item: _Item) -> None:
        self._queue.append(item)
        self._cond.notify_all()

    def _card(self, idm: str) -> CardRead:
        return CardRead(idm=bytes.fromhex(idm), detected_us=self._clock.boottime_us())


class SimulatedReader:
    """A reader fed by commands; thread-safe; ``events()`` is the real polling front end over the simulation.

    ``script`` plays a parsed script, ``stream`` reads commands from a text stream
    (standard input); either starts when ``events()`` is first iterated, and the
    reader finishes at its end. With neither, the reader runs until :meth:`close`
    or :meth:`finish`.
    """

    def __init__(
        self,
        path: str = "sim",
        *,
        clock: Clock | None = None,
        reader_id: str | None = None,
        script: list[Command] | None = None,
        stream: TextIO | None = None,
        poll_interval: float = SIM_POLL_INTERVAL,
    ) -> None:
        """``poll_interval`` is the front end's, and so also sets its back-off after failed reads."""
        if script is not None and stream is not None:
            raise ValueError("give a script or a stream, not both")
        self._path = path
        self._id = make_reader_id(reader_id or "sim")
        self._clock: Clock = clock or SystemClock()
        self._script = script
        self._stream = stream
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._feeder: threading.Thread | None = None
        self._device = SimulatedDevice(self._clock)
        self._front = PollingReader(path, self._id, self._device, clock=self._clock, poll_interval=poll_interval)
        self._device.on_end = self._front.close  # the front end stops once it has observed everything fed

    @property
    def path(self) -> str:
        return self._path

    @property
    def reader_id(self) -> str:
        """The id every tap and status carries (``sim`` unless ``reader_id=`` was given)."""
        return self._id

    # -- feeding -----------------------------------------------------------------------------

    def present(self, idm: str | bytes) -> None:
        """Put a card on the reader; a tap is delivered unless the same card is already held."""
        card = parse_idm(idm)
        if not self._closed.is_set():
            self._device.present(card)

    def remove(self) -> None:
        """Take the card away; presenting it again is a new tap."""
        if not self._closed.is_set():
            self._device.remove()

    def tap(self, idm: str | bytes) -> None:
        """Present and remove a card: exactly one tap (if the reader is plugged in)."""
        card = parse_idm(idm)
        with self._lock:  # present and remove together, so taps fed from several threads never interleave
            self.present(card)
            self.remove()

    def unplug(self) -> None:
        """The reader goes away: one ``unplugged`` status; cards are not seen until :meth:`replug`."""
        if not self._closed.is_set():
            self._device.unplug()

    def replug(self) -> None:
        """The reader comes back: an ``ok`` status, then a tap if a card is lying on it."""
        if not self._closed.is_set():
            self._device.replug()

    def fail(self, reason: str, code: str = "read_error") -> None:
        """A failed read (``read_error``, or ``bad_card``): the reader keeps working."""
        if code not in FAIL_CODES:
            raise ValueError(f"fail code must be one of {', '.join(FAIL_CODES)}")
        if not self._closed.is_set():
            self._device.fail(BadCard(reason) if code == "bad_card" else ReadError(reason))

    def finish(self) -> None:
        """Let ``events()`` end once everything fed so far has been delivered."""
        self._device.end()

    def apply(self, command: Command) -> None:
        """Carry out one parsed command (``wait`` pauses, interrupted by :meth:`close`)."""
        if command.verb == "tap":
            self.tap(command.arg)
        elif command.verb == "present":
            self.present(command.arg)
        elif command.verb == "remove":
            self.remove()
        elif command.verb == "unplug":
            self.unplug()
        elif command.verb == "replug":
            self.replug()
        elif command.verb == "fail":
            self.fail(command.arg)
        elif command.verb == "wait":
            self._closed.wait(command.seconds)

    # -- consuming ---------------------------------------------------------------------------

    def events(self) -> Iterator[ReaderEvent]:
        """Yield taps and statuses until :meth:`close`, :meth:`finish` or the end of the script/stream."""
        if self._closed.is_set():
            return
        self._start_feeder()
        yield from self._front.events()

    def close(self) -> None:
        """Stop ``events()`` (from any thread); safe to call more than once."""
        self._closed.set()
        self._front.close()

    def __enter__(self) -> SimulatedReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- inside ------------------------------------------------------------------------------

    def _start_feeder(self) -> None:
        with self._lock:
            if self._feeder is not None or (self._script is None and self._stream is None):
                return
            target = self._play_script if self._script is not None else self._read_stream
            self._feeder = threading.Thread(target=target, name=f"sim-feeder-{self._id}", daemon=True)
            self._feeder.start()

    def _play_script(self) -> None:
        for command in self._script or []:
            if self._closed.is_set():
                return
            self.apply(command)
        self.finish()

    def _read_stream(self) -> None:
        assert self._stream is not None
        number = 0
        try:
            for line in self._stream:
                number += 1
                if self._closed.is_set():
                    return
                try:
                    command = parse_command(line.rstrip("\r\n"))
                except ValueError as exc:
                    log.warning("simulator input line %d refused: %s", number, exc)
                    self._device.fail(BadInput(f"line {number}: {exc}"))
                    continue
                if command is not None:
                    self.apply(command)
        except (OSError, ValueError, UnicodeDecodeError) as exc:  # a closed or undecodable stdin
            log.warning("simulator input stopped: %s", exc)
        finally:
            self.finish()
