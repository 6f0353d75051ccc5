"""The kiosk's health as syncd reports it to the server: reader state and recent reader errors.

The kiosk is the only process that talks to the card reader and syncd is the only one that talks to the
server, so the kiosk leaves its reader state in a small file in the data directory (``kiosk-status.json``)
and syncd reads it for each status report (``POST /api/v1/device/status``), next to the free disk space it
measures itself. The file is rewritten whenever the reader state changes and at least every
:data:`HEARTBEAT_S` seconds while the kiosk runs, so a kiosk that stopped or hung is told apart from one
whose reader is fine: syncd reports ``silent`` once the file is older than :data:`SILENT_AFTER_S`.

Age is measured on CLOCK_BOOTTIME within one boot (a wall clock set back or forward does not make a live
kiosk look silent); a file written during an earlier boot is always stale.

Reader states (``reader_state`` on the server; the console shows them and raises the reader alarm):

==============  ====================================================================================
``connected``   the reader is ready
``error``       the last card could not be read (the reader still works)
``disconnected`` the reader cannot be used (unplugged, no permission, pcscd down, stopped)
``waiting``     the kiosk runs but has not heard from the reader yet
``stopped``     the kiosk was stopped (its last word when it closed; stays so until the next boot)
``silent``      the kiosk's file is older than :data:`SILENT_AFTER_S` (not running, or hung); syncd only
``unreadable``  the kiosk's file is damaged; syncd only
==============  ====================================================================================
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from shared.clock import Clock
from shared.errors import FormatError

STATUS_FILE = "kiosk-status.json"
HEARTBEAT_S = 60
"""The kiosk rewrites the file at least this often while it runs."""
SILENT_AFTER_S = 180
"""syncd reports ``silent`` when the file is older than this (three missed heartbeats)."""
ERROR_WINDOW_S = 3600
"""``reader_errors`` counts the reader errors of this last period."""

READER_STATES = ("connected", "error", "disconnected", "waiting", "stopped")
"""States the kiosk writes; syncd adds ``silent``."""
REPORTED_STATES = (*READER_STATES, "silent", "unreadable")
"""States syncd may report: ``unreadable`` when the kiosk's file is damaged."""
_CODE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")
MAX_FILE_BYTES = 4096


@dataclass(frozen=True, slots=True)
class KioskStatus:
    reader_state: str
    reader_code: str
    """The reader's own status code (``ok``, ``unplugged``, ``read_error``…; hardware/status.py)."""
    reader_errors: int
    """Reader errors (status changes of kind ``error``) in the last :data:`ERROR_WINDOW_S` seconds."""
    boot: str
    boottime_us: int

    def __post_init__(self) -> None:
        if self.reader_state not in READER_STATES:
            raise FormatError(f"kiosk status: unknown reader state {self.reader_state!r}")
        if not (0 < len(self.reader_code) <= 40 and set(self.reader_code) <= _CODE_CHARS):
            raise FormatError(f"kiosk status: reader code must be 1-40 of a-z, 0-9, _: {self.reader_code!r}")
        if not (0 <= self.reader_errors <= 10**9) or not (0 <= self.boottime_us < 2**63):
            raise FormatError("kiosk status: reader_errors or boottime_us out of range")
        if not (0 < len(self.boot) <= 64):
            raise FormatError("kiosk status: boot id missing")

    def as_json(self) -> dict[str, object]:
        return {"reader_state": self.reader_state, "reader_code": self.reader_code,
                "reader_errors": self.reader_errors, "boot": self.boot, "boottime_us": self.boottime_us}

    @classmethod
    def from_json(cls, obj: object) -> KioskStatus:
        if not isinstance(obj, dict) or set(obj) != {"reader_state", "reader_code", "reader_errors", "boot",
                                                     "boottime_us"}:
            raise FormatError("kiosk status: expected an object with reader_state, reader_code, reader_errors, "
                              "boot, boottime_us")
        state, code, errors, boot, mono = (obj["reader_state"], obj["reader_code"], obj["reader_errors"],
                                           obj["boot"], obj["boottime_us"])
        if not (isinstance(state, str) and isinstance(code, str) and isinstance(boot, str)
                and type(errors) is int and type(mono) is int):
            raise FormatError("kiosk status: a field has the wrong type")
        return cls(state, code, errors, boot, mono)


def status_path(root: Path) -> Path:
    return root / STATUS_FILE


def write_status(root: Path, status: KioskStatus) -> None:
    """Replace the file atomically (a reader sees the old or the new content, never half of one)."""
    path = status_path(root)
    tmp = path.with_name(f".{STATUS_FILE}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(status.as_json(), separators=(",", ":")), encoding="utf-8")
    os.replace(tmp, path)


def read_status(root: Path) -> KioskStatus | None:
    """The kiosk's last status; None when there is no file (no kiosk ran here). FormatError when damaged."""
    path = status_path(root)
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return None
    if len(raw) > MAX_FILE_BYTES:
        raise FormatError(f"{path}: larger than {MAX_FILE_BYTES} bytes")
    try:
        obj = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FormatError(f"{path}: not JSON ({exc})") from None
    return KioskStatus.from_json(obj)


@dataclass(frozen=True, slots=True)
class ReaderReport:
    """What syncd sends: the state (``silent`` for a stale file), the reader code and the error count."""

    reader_state: str
    reader_code: str | None
    reader_errors: int | None


def reader_report(status: KioskStatus | None, *, boot: str, boottime_us: int) -> ReaderReport | None:
    """The report for a status read now (``boot``/``boottime_us``: this moment); None without a file.

    A file from another boot, or older than :data:`SILENT_AFTER_S`, means the kiosk is not running or is hung:
    ``silent``, keeping the last code and no error count (the count is no longer current). A file from the
    future of this boot cannot be (CLOCK_BOOTTIME only moves forward) and is treated as silent too.
    """
    if status is None:
        return None
    age_us = boottime_us - status.boottime_us
    if status.reader_state == "stopped" and status.boot == boot:
        return ReaderReport("stopped", status.reader_code, None)
    if status.boot != boot or age_us < 0 or age_us > SILENT_AFTER_S * 1_000_000:
        return ReaderReport("silent", status.reader_code, None)
    return ReaderReport(status.reader_state, status.reader_code, status.reader_errors)


def device_health(root: Path, clock: Clock) -> dict[str, object]:
    """The health fields of syncd's status report: reader state, code and errors (from the kiosk's file, see
    :func:`reader_report`) and the free disk space of the data directory's file system.

    A damaged file is reported as state ``unreadable`` rather than hidden; a field that cannot be measured is
    left out (the server then keeps showing "not reported").
    """
    out: dict[str, object] = {}
    with contextlib.suppress(OSError):
        out["disk_free_bytes"] = shutil.disk_usage(root).free
    try:
        report = reader_report(read_status(root), boot=clock.boot_id(), boottime_us=clock.boottime_us())
    except FormatError:
        out["reader_state"] = "unreadable"
        return out
    except OSError:
        return out
    if report is not None:
        out["reader_state"] = report.reader_state
        if report.reader_code is not None:
            out["reader_code"] = report.reader_code
        if report.reader_errors is not None:
            out["reader_errors"] = report.reader_errors
    return out
