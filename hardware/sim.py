"""The simulated reader: taps from code, from standard input, or from a script — no hardware needed.

Used for demos on a machine with no reader and by the kiosk's tests, which
drive their whole pipeline through it. It follows the same tap semantics as
the real backends: a card held is one tap; removed and presented again is a
new tap; a card lying on an unplugged reader is not seen until the reader is
plugged back in.

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
    fail some reason text     an error status (code "read_error") with that detail; the next
                              tap is preceded by an "ok" status, as with the real backends

A script is checked completely when opened (a bad line raises
:class:`~hardware.errors.ScriptError` with its line number); it then plays
when ``events()`` is first iterated and the reader finishes at its end. A bad
line on standard input is reported as a ``bad_input`` status and skipped; the
reader finishes at end of input.

This module must never import nfcpy or pyscard.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TextIO

from hardware.base import ReaderEvent, ReaderStatus, Tap
from hardware.errors import ScriptError
from hardware.paths import reader_id as make_reader_id
from hardware.status import make_status
from shared.clock import Clock, SystemClock
from shared.errors import InvalidIdm
from shared.ids import normalize_idm

log = logging.getLogger(__name__)

MAX_LINE_LENGTH = 256
MAX_SCRIPT_BYTES = 1 << 20
MAX_WAIT_SECONDS = 3600.0
FAIL_CODES = ("read_error", "bad_card", "read_errors_repeated", "reader_error")

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
        return normalize_idm(text)
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


class _End:
    """Queue sentinel: ``events()`` stops when it reaches this."""


_END = _End()


class SimulatedReader:
    """A reader fed by commands; thread-safe; ``events()`` blocks on a queue (no busy-waiting).

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
    ) -> None:
        if script is not None and stream is not None:
            raise ValueError("give a script or a stream, not both")
        self._path = path
        self._id = make_reader_id(reader_id or "sim")
        self._clock: Clock = clock or SystemClock()
        self._script = script
        self._stream = stream
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[ReaderEvent | _End] = queue.SimpleQueue()
        self._closed = threading.Event()
        self._ended = False
        self._feeder: threading.Thread | None = None
        self._plugged = True
        self._on_reader: str | None = None  # the card lying on the reader
        self._seen: str | None = None  # the card the reader has reported (held = no new tap)
        self._in_error = False  # an error status is showing; the next good read reports "ok" first
        self._queue.put(self._status("ok"))

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
        card = normalize_idm(idm)
        with self._lock:
            if self._closed.is_set():
                return
            self._on_reader = card
            if self._plugged and self._seen != card:
                self._seen = card
                if self._in_error:  # as the real backends do: a good read after an error clears it
                    self._in_error = False
                    self._queue.put(self._status("ok", "reading again"))
                self._queue.put(Tap(idm=card, reader=self._id, mono_us=self._clock.boottime_us()))
            elif not self._plugged:
                log.info("simulated card %s lies on an unplugged reader: not seen", card)

    def remove(self) -> None:
        """Take the card away; presenting it again is a new tap."""
        with self._lock:
            self._on_reader = None
            self._seen = None

    def tap(self, idm: str | bytes) -> None:
        """Present and remove a card: exactly one tap (if the reader is plugged in)."""
        self.present(idm)
        self.remove()

    def unplug(self) -> None:
        """The reader goes away: one ``unplugged`` status; cards are not seen until :meth:`replug`."""
        with self._lock:
            if not self._plugged or self._closed.is_set():
                return
            self._plugged = False
            self._seen = None
            self._queue.put(self._status("unplugged", "simulated unplug"))

    def replug(self) -> None:
        """The reader comes back: an ``ok`` status, then a tap if a card is lying on it."""
        with self._lock:
            if self._plugged or self._closed.is_set():
                return
            self._plugged = True
            self._in_error = False
            self._queue.put(self._status("ok", "simulated replug"))
            if self._on_reader is not None:
                self._seen = self._on_reader
                self._queue.put(Tap(idm=self._on_reader, reader=self._id, mono_us=self._clock.boottime_us()))

    def fail(self, reason: str, code: str = "read_error") -> None:
        """Report an error status (a read that went wrong); the reader keeps working."""
        if code not in FAIL_CODES:
            raise ValueError(f"fail code must be one of {', '.join(FAIL_CODES)}")
        with self._lock:
            if self._closed.is_set():
                return
            log.warning("simulated reader error (%s): %s", code, reason)
            self._in_error = True
            self._queue.put(self._status(code, reason))

    def finish(self) -> None:
        """Let ``events()`` end once everything fed so far has been delivered."""
        self._queue.put(_END)

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
        self._start_feeder()
        while not self._ended and not self._closed.is_set():
            item = self._queue.get()
            if isinstance(item, _End):
                self._ended = True
                return
            if self._closed.is_set():
                return
            yield item

    def close(self) -> None:
        """Stop ``events()`` (from any thread); safe to call more than once."""
        with self._lock:
            if self._closed.is_set():
                return
            self._closed.set()
        self._queue.put(_END)

    def __enter__(self) -> SimulatedReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- inside ------------------------------------------------------------------------------

    def _status(self, code: str, detail: str = "") -> ReaderStatus:
        return make_status(self._id, code, self._clock.boottime_us(), detail)

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
                    with self._lock:
                        self._in_error = True
                        self._queue.put(self._status("bad_input", f"line {number}: {exc}"))
                    continue
                if command is not None:
                    self.apply(command)
        except (OSError, ValueError, UnicodeDecodeError) as exc:  # a closed or undecodable stdin
            log.warning("simulator input stopped: %s", exc)
        finally:
            self.finish()
