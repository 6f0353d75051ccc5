"""``auto``: drive whichever supported reader is plugged in, and keep looking while none is.

Order: an RC-S380-family reader on USB that we may open (nfcpy), then the
first reader pcscd knows (the RC-S300 through libccid). When nothing usable
is found the status says why, in the order a site manager can fix it: a
reader is plugged in but we may not open it (udev rule), an RC-S300 is
plugged in but pcscd is not running, or no reader at all. When the chosen
reader goes away the search starts again, so swapping an RC-S380 for an
RC-S300 works without a restart.
"""

from __future__ import annotations

from typing import Any

from hardware.errors import NoPermission, NoReader, PcscdUnavailable, ReaderUnplugged
from hardware.nfcpy_backend import NfcpyDriver
from hardware.paths import ReaderPath, parse_reader_path
from hardware.paths import reader_id as make_reader_id
from hardware.pcsc_backend import PcscDriver, list_pcsc_readers
from hardware.polling import DataBlock, Observation, PollingReader
from hardware.usb import DEV_USB, SYSFS_USB, find_usb_readers
from shared.clock import Clock


class AutoDriver:
    """A driver that picks a concrete driver at each open and delegates to it."""

    def __init__(self, *, data_block: DataBlock | None = None, sysfs: Any = SYSFS_USB, devroot: Any = DEV_USB) -> None:
        self._block = data_block
        self._sysfs = sysfs
        self._devroot = devroot
        self._current: NfcpyDriver | PcscDriver | None = None
        self.current_path: str | None = None

    @property
    def removal_polls(self) -> int:
        """The chosen driver's: two for a USB reader, one for PC/SC (a removal is one event from pcscd)."""
        return int(getattr(self._current, "removal_polls", 1))

    @property
    def waits_in_observe(self) -> bool:
        return bool(self._current is not None and self._current.waits_in_observe)

    def open(self) -> str:
        usb = find_usb_readers(self._sysfs, self._devroot)
        for found in usb:
            if found.backend == "nfcpy" and found.accessible:
                return self._use(NfcpyDriver(parse_reader_path(found.path), data_block=self._block,
                                             sysfs=self._sysfs, devroot=self._devroot), found.path)
        pcscd_problem: PcscdUnavailable | None = None
        try:
            names = list_pcsc_readers()
        except PcscdUnavailable as exc:
            pcscd_problem, names = exc, []
        if names:
            return self._use(PcscDriver(ReaderPath("pcsc", "pcsc"), data_block=self._block), f"pcsc:{names[0]}")
        locked = [r for r in usb if r.backend == "nfcpy"]
        if locked:
            raise NoPermission(f"{locked[0].model} at {locked[0].devnode} is not readable and writable by this user")
        if pcscd_problem is not None and any(r.backend == "pcsc" for r in usb):
            raise pcscd_problem
        why = f"; {pcscd_problem.message}" if pcscd_problem is not None else ""
        raise NoReader(f"no supported reader found on USB or in pcscd{why}")

    def _use(self, driver: NfcpyDriver | PcscDriver, path: str) -> str:
        description = driver.open()
        self._current, self.current_path = driver, path
        return description

    def observe(self, timeout: float) -> Observation:
        if self._current is None:
            raise ReaderUnplugged("no reader chosen")
        return self._current.observe(timeout)

    def interrupt(self) -> None:
        current = self._current
        if isinstance(current, PcscDriver):
            current.interrupt()

    def close(self) -> None:
        current, self._current = self._current, None
        self.current_path = None
        if current is not None:
            current.close()


class AutoReader(PollingReader):
    """The reader for the ``auto`` path; taps carry the concrete reader's id (``usb:001:004``, ``pcsc:…``)."""

    def __init__(self, parsed: ReaderPath, *, clock: Clock | None = None, reader_id: str | None = None,
                 data_block: DataBlock | None = None, poll_interval: float | None = None,
                 retry_interval: float | None = None, sysfs: Any = SYSFS_USB, devroot: Any = DEV_USB) -> None:
        self._auto = AutoDriver(data_block=data_block, sysfs=sysfs, devroot=devroot)
        self._fixed_id = reader_id
        super().__init__(parsed.text, make_reader_id(reader_id or "auto"), self._auto, clock=clock,
                         poll_interval=poll_interval, retry_interval=retry_interval)

    @property
    def reader_id(self) -> str:
        if self._fixed_id is None and self._auto.current_path is not None:
            return make_reader_id(self._auto.current_path)
        return self._id
