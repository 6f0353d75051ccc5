"""The one clock abstraction: wall clock, CLOCK_BOOTTIME and the kernel boot id.

Events record all three so the server can re-time them later (ARCHITECTURE
decision 5): the wall clock can be wrong or reset, CLOCK_BOOTTIME only moves
forward within one boot (suspend included), and the boot id says which boot.
Code that needs the time takes a :class:`Clock`; tests pass a :class:`ManualClock`.
"""

from __future__ import annotations

import os
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from shared.timefmt import JST

BOOT_ID_PATH = Path("/proc/sys/kernel/random/boot_id")
ENV_BOOT_ID_FILE = "GENBA_BOOT_ID_FILE"
"""Read the boot id from this file instead of /proc: the seam tests use to simulate a reboot (a new id)
while running the real processes under a faked wall clock (libfaketime)."""


class Clock(Protocol):
    def wall(self) -> datetime:
        """Aware local wall-clock time."""
        ...

    def boottime_us(self) -> int:
        """Microseconds since boot, counting suspend (CLOCK_BOOTTIME)."""
        ...

    def boot_id(self) -> str:
        """The kernel's boot id (a lower-case UUID), new at every boot."""
        ...


class SystemClock:
    """The machine's clocks."""

    _boot: str | None = None

    def wall(self) -> datetime:
        return datetime.now().astimezone()

    def boottime_us(self) -> int:
        return time.clock_gettime_ns(time.CLOCK_BOOTTIME) // 1000

    def boot_id(self) -> str:
        if self._boot is None:
            try:
                source = Path(os.environ.get(ENV_BOOT_ID_FILE) or BOOT_ID_PATH)
                self._boot = str(uuid.UUID(source.read_text().strip()))
            except (OSError, ValueError):
                # No /proc (a container without it): one random id per process is the honest answer.
                self._boot = str(uuid.uuid4())
        return self._boot


class ManualClock:
    """A clock that moves only when told to, for tests and simulations."""

    def __init__(self, start: datetime | None = None, *, boot: str | None = None, mono_us: int = 5_000_000):
        self._wall = start or datetime(2026, 11, 2, 7, 30, tzinfo=JST)
        self._mono = mono_us
        self._boot = boot or "00000000-0000-4000-8000-000000000001"

    def wall(self) -> datetime:
        return self._wall

    def boottime_us(self) -> int:
        return self._mono

    def boot_id(self) -> str:
        return self._boot

    def advance(self, seconds: float) -> None:
        self._wall += timedelta(seconds=seconds)
        self._mono += int(seconds * 1_000_000)

    def set_wall(self, moment: datetime) -> None:
        """Reset the wall clock only (as a user or a bad RTC would); monotonic time goes on."""
        self._wall = moment

    def reboot(self, boot: str) -> None:
        self._boot = boot
        self._mono = 5_000_000
