"""Reader path strings, parsed once, strictly: which backend, which device.

The forms follow nfcpy's so a site manager can copy them between tools:

    auto                  the first supported reader found (USB first, then PC/SC); keeps looking
    usb                   the first RC-S380-family reader on USB (nfcpy)
    usb:054c:06c3         a USB vendor:product (4 hex digits each) …
    usb:054c              … or a vendor only …
    usb:001:004           … or a bus:device number (decimal, as ``lsusb`` prints them)
    pcsc                  the first PC/SC reader (pcscd + pyscard; the RC-S300)
    pcsc:0                a PC/SC reader by its index in the reader list …
    pcsc:RC-S300          … or by a part of its name (case-insensitive)
    udp  udp:HOST  udp:HOST:PORT   nfcpy's udp driver (an emulated card; default localhost:54321)
    sim                   the simulated reader, fed from code
    sim:-                 the simulated reader, fed from standard input (one command per line)
    sim:FILE              the simulated reader, playing a script of taps (format in hardware.sim)

This module only parses; it never opens anything, so a bad path is refused
before any device is touched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from hardware.errors import BadReaderPath
from shared.ids import to_reader_id

BackendKind = Literal["auto", "usb", "pcsc", "udp", "sim"]

MAX_PATH_LENGTH = 512
UDP_DEFAULT_HOST = "localhost"
UDP_DEFAULT_PORT = 54321

_USB_VID_PID = re.compile(r"usb(?::([0-9a-fA-F]{4}))(?::([0-9a-fA-F]{4}))?")
_USB_BUS_DEV = re.compile(r"usb(?::([0-9]{1,3}))(?::([0-9]{1,3}))?")
_HOST = re.compile(r"[A-Za-z0-9._-]{1,253}")

FORMS = "auto, usb, usb:VVVV:PPPP, usb:BUS:DEV, pcsc, pcsc:INDEX, pcsc:NAME, udp:HOST:PORT, sim, sim:-, sim:FILE"


@dataclass(frozen=True, slots=True)
class ReaderPath:
    """A parsed reader path. ``target`` is the backend-specific rest (``None`` = the first one found)."""

    kind: BackendKind
    text: str
    target: str | None = None
    host: str = UDP_DEFAULT_HOST
    port: int = UDP_DEFAULT_PORT

    @property
    def nfcpy_path(self) -> str:
        """The path string nfcpy's ``ContactlessFrontend.open`` expects (usb and udp only)."""
        if self.kind == "udp":
            return f"udp:{self.host}:{self.port}"
        return self.text


def parse_reader_path(text: object) -> ReaderPath:
    """Parse ``text`` into a :class:`ReaderPath`, or raise :class:`BadReaderPath` saying what is accepted."""
    if not isinstance(text, str):
        raise BadReaderPath(f"reader path must be text, got {type(text).__name__}")
    if not text or len(text) > MAX_PATH_LENGTH or any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise BadReaderPath(f"reader path must be 1–{MAX_PATH_LENGTH} printable characters; use one of: {FORMS}")
    head, _, rest = text.partition(":")
    has_rest = ":" in text
    if head == "auto" and not has_rest:
        return ReaderPath("auto", text)
    if head == "usb":
        if not has_rest:
            return ReaderPath("usb", text)
        if _USB_VID_PID.fullmatch(text) or _USB_BUS_DEV.fullmatch(text):
            return ReaderPath("usb", text, target=rest)
        raise BadReaderPath(f"bad USB reader path {text!r}: use usb, usb:VVVV:PPPP (hex, e.g. usb:054c:06c3) "
                            "or usb:BUS:DEV (decimal, e.g. usb:001:004)")
    if head == "pcsc":
        if has_rest and not rest.strip():
            raise BadReaderPath(f"bad PC/SC reader path {text!r}: use pcsc, pcsc:INDEX or pcsc:NAME")
        return ReaderPath("pcsc", text, target=rest if has_rest else None)
    if head == "udp":
        return _parse_udp(text, rest if has_rest else "")
    if head == "sim":
        if has_rest and not rest:
            raise BadReaderPath(f"bad simulator path {text!r}: use sim, sim:- (standard input) or sim:FILE")
        return ReaderPath("sim", text, target=rest if has_rest else None)
    raise BadReaderPath(f"unknown reader path {text[:80]!r}; use one of: {FORMS}")


def _parse_udp(text: str, rest: str) -> ReaderPath:
    host, port = UDP_DEFAULT_HOST, UDP_DEFAULT_PORT
    parts = rest.split(":") if rest else []
    if len(parts) > 2:
        raise BadReaderPath(f"bad udp reader path {text!r}: use udp:HOST:PORT")
    if parts and parts[0]:
        if not _HOST.fullmatch(parts[0]):
            raise BadReaderPath(f"bad host in udp reader path {text!r}")
        host = parts[0]
    if len(parts) == 2:
        if not parts[1].isdigit() or not 1 <= int(parts[1]) <= 65535:
            raise BadReaderPath(f"bad port in udp reader path {text!r}: 1–65535")
        port = int(parts[1])
    return ReaderPath("udp", text, host=host, port=port)


def reader_id(text: str) -> str:
    """A reader id that passes ``shared.ids.check_reader_id`` (see :func:`shared.ids.to_reader_id`)."""
    return to_reader_id(text)
