"""Which supported card readers are plugged in, and may this user open them — read from sysfs.

nfcpy silently skips a USB reader it may not open when given a partial path
(``usb``) and then says only "no reader". A site manager needs to know the
difference between "nothing plugged in" and "plugged in but no permission"
(the udev rule is missing), so we look ourselves: ``/sys/bus/usb/devices``
lists what is plugged in, ``/dev/bus/usb/BBB/DDD`` says whether we may open it.
Both roots are parameters so tests can use a fake tree.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

SYSFS_USB = Path("/sys/bus/usb/devices")
DEV_USB = Path("/dev/bus/usb")

Backend = Literal["nfcpy", "pcsc"]

SUPPORTED: dict[tuple[int, int], tuple[str, Backend]] = {
    (0x054C, 0x06C1): ("Sony RC-S380/S", "nfcpy"),
    (0x054C, 0x06C3): ("Sony RC-S380/P", "nfcpy"),
    (0x054C, 0x02E1): ("Sony RC-S330/360/370", "nfcpy"),
    (0x054C, 0x0DC8): ("Sony RC-S300/S", "pcsc"),
    (0x054C, 0x0DC9): ("Sony RC-S300/P", "pcsc"),
}
"""USB ids of the readers we support and the backend that drives each (nfcpy 1.0.4 cannot drive the RC-S300)."""


@dataclass(frozen=True, slots=True)
class UsbReader:
    """A supported reader found on the USB bus."""

    vendor: int
    product: int
    bus: int
    device: int
    model: str
    backend: Backend
    devnode: Path
    accessible: bool

    @property
    def usb_id(self) -> str:
        return f"{self.vendor:04x}:{self.product:04x}"

    @property
    def path(self) -> str:
        """The reader path that opens exactly this device (``usb:BUS:DEV`` for nfcpy, ``pcsc`` for PC/SC)."""
        return f"usb:{self.bus:03d}:{self.device:03d}" if self.backend == "nfcpy" else "pcsc"


def _read_hex(path: Path) -> int | None:
    try:
        return int(path.read_text().strip(), 16)
    except (OSError, ValueError):
        return None


def _read_int(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def find_usb_readers(sysfs: Path = SYSFS_USB, devroot: Path = DEV_USB) -> list[UsbReader]:
    """Every supported reader plugged in, sorted by bus and device number; empty if sysfs is absent."""
    found: list[UsbReader] = []
    try:
        entries = sorted(sysfs.iterdir())
    except OSError:
        return found
    for entry in entries:
        vendor, product = _read_hex(entry / "idVendor"), _read_hex(entry / "idProduct")
        if vendor is None or product is None or (vendor, product) not in SUPPORTED:
            continue
        bus, device = _read_int(entry / "busnum"), _read_int(entry / "devnum")
        if bus is None or device is None:
            continue
        model, backend = SUPPORTED[(vendor, product)]
        devnode = devroot / f"{bus:03d}" / f"{device:03d}"
        accessible = os.access(devnode, os.R_OK | os.W_OK)
        found.append(UsbReader(vendor, product, bus, device, model, backend, devnode, accessible))
    return sorted(found, key=lambda r: (r.bus, r.device))


def matches(reader: UsbReader, target: str | None) -> bool:
    """Whether ``reader`` is selected by the rest of a ``usb:…`` path (``None`` selects every nfcpy reader)."""
    if reader.backend != "nfcpy":
        return False
    if target is None:
        return True
    first, _, second = target.partition(":")
    if len(first) == 4:  # vendor[:product], hex
        return reader.vendor == int(first, 16) and (not second or reader.product == int(second, 16))
    return reader.bus == int(first) and (not second or reader.device == int(second))
