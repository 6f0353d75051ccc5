"""The nfcpy backend: RC-S380 family over USB, and nfcpy's ``udp`` driver for emulated cards.

Each poll sends one FeliCa Polling (SENSF_REQ) for the configured system code
with request code 1, so the answer carries IDm, PMm and system code in one
frame; the answer is checked byte by byte here, because a partial or
wrong-length answer must never become a tap. With a :class:`DataBlock`
configured, the poll continues with one Read Without Encryption; if that fails
(the card left mid-read, or answered garbage) the whole read is discarded.

nfcpy's, pyusb's and socket errors are translated into :mod:`hardware.errors`
here and nowhere else.
"""

from __future__ import annotations

import errno
import logging
import socket
from typing import Any

import nfc
import nfc.clf

from hardware.errors import BadCard, NoPermission, NoReader, ReaderBusy, ReadError, ReaderUnavailable, ReaderUnplugged
from hardware.paths import ReaderPath
from hardware.paths import reader_id as make_reader_id
from hardware.polling import CardRead, DataBlock, Observation, PollingReader
from hardware.usb import DEV_USB, SYSFS_USB, find_usb_readers, matches
from shared.clock import Clock

log = logging.getLogger(__name__)

READ_TIMEOUT = 0.1
"""Seconds to wait for a Read Without Encryption answer; a real card answers within a few ms."""

_UNPLUGGED_ERRNOS = {errno.ENODEV, errno.EIO, errno.ENOENT, errno.EPIPE}


def polling_frame(system_code: int) -> bytes:
    """SENSF_REQ without its length byte: Polling, system code, request code 1 (send it), one time slot."""
    return bytes([0x00, system_code >> 8, system_code & 0xFF, 0x01, 0x00])


def parse_sensf_res(sensf_res: bytes) -> CardRead:
    """IDm, PMm and system code from a SENSF_RES (without its length byte), or :class:`BadCard`.

    We always ask for the system code, so a valid answer is exactly 19 bytes:
    response code 01, IDm (8), PMm (8), system code (2). Anything else is a
    truncated or malformed answer, or an IDm of the wrong length.
    """
    if len(sensf_res) != 19 or sensf_res[0] != 0x01:
        raise BadCard(f"polling answer of {len(sensf_res)} bytes ({sensf_res[:24].hex()}), expected 19 starting 01")
    return CardRead(idm=bytes(sensf_res[1:9]), pmm=bytes(sensf_res[9:17]), system_code=bytes(sensf_res[17:19]))


def read_block_frame(idm: bytes, block: DataBlock) -> bytes:
    """A Read Without Encryption command frame (with its length byte) for one block of one service."""
    body = (bytes([0x06]) + idm + bytes([1]) + block.service_code.to_bytes(2, "little")
            + bytes([1, 0x80, block.block]))
    return bytes([len(body) + 1]) + body


def parse_read_response(response: bytes, idm: bytes, block: DataBlock) -> str:
    """The configured slice of the block from a Read Without Encryption answer, or :class:`BadCard`."""
    if len(response) < 12 or response[0] != len(response) or response[1] != 0x07 or response[2:10] != idm:
        raise BadCard(f"malformed read answer ({response[:32].hex()})")
    if response[10] != 0x00:
        raise BadCard(f"card refused the read: status {response[10]:02X} {response[11]:02X}")
    if len(response) != 13 + 16 or response[12] != 1:
        raise BadCard(f"read answer of {len(response)} bytes, expected 29")
    return block.extract(response[13:29])


class NfcpyDriver:
    """Open, poll and close one nfcpy reader; the polling loop does the rest."""

    waits_in_observe = False

    def __init__(self, parsed: ReaderPath, *, data_block: DataBlock | None = None,
                 sysfs: Any = SYSFS_USB, devroot: Any = DEV_USB) -> None:
        self._parsed = parsed
        self._block = data_block
        self._system_code = data_block.system_code if data_block else 0xFFFF
        self._sysfs = sysfs
        self._devroot = devroot
        self._clf: Any = None
        # A real RF link can miss a held card for one poll; the udp link cannot (and each of its
        # empty polls already lasts nfcpy's 1 s receive timeout).
        self.removal_polls = 1 if parsed.kind == "udp" else 2

    def open(self) -> str:
        path = self._parsed.nfcpy_path
        if self._parsed.kind == "usb":
            path = self._usb_path()
        clf = nfc.ContactlessFrontend()
        try:
            opened = clf.open(path)
        except OSError as exc:
            raise _translate_open_error(exc, path) from None
        except Exception as exc:  # e.g. usb1 errors that are not OSError
            raise ReaderUnavailable(f"nfcpy could not open {path}: {type(exc).__name__}: {exc}") from None
        if not opened:
            raise NoReader(f"no nfcpy reader on {path}")
        self._clf = clf
        return f"{clf.device} via nfcpy ({path})"

    def _usb_path(self) -> str:
        found = [r for r in find_usb_readers(self._sysfs, self._devroot) if matches(r, self._parsed.target)]
        if not found:
            raise NoReader(f"no RC-S380-family reader on USB matching {self._parsed.text!r}")
        usable = [r for r in found if r.accessible]
        if not usable:
            first = found[0]
            raise NoPermission(f"{first.model} at {first.devnode} is not readable and writable by this user")
        return usable[0].path

    def observe(self, timeout: float) -> Observation:
        clf = self._clf
        if clf is None:
            raise ReaderUnplugged("reader is not open")
        target = nfc.clf.RemoteTarget("212F", sensf_req=polling_frame(self._system_code))
        try:
            found = clf.sense(target, iterations=1)
        except OSError as exc:
            raise _translate_io_error(exc) from None
        except ValueError as exc:  # the udp driver's unhexlify on a garbage frame
            raise BadCard(f"garbage from the card: {exc}") from None
        except nfc.clf.UnsupportedTargetError as exc:
            raise ReaderUnavailable(f"this reader cannot poll FeliCa: {exc}") from None
        if found is None:
            return None
        read = parse_sensf_res(bytes(found.sensf_res))
        if self._block is None:
            return read
        return CardRead(read.idm, read.pmm, read.system_code, self._read_block(clf, read.idm, self._block))

    def _read_block(self, clf: Any, idm: bytes, block: DataBlock) -> str:
        try:
            response = clf.exchange(bytearray(read_block_frame(idm, block)), READ_TIMEOUT)
        except nfc.clf.TimeoutError:
            raise BadCard("the card left before its data block was read") from None
        except nfc.clf.CommunicationError as exc:
            raise BadCard(f"the data-block read failed: {exc!r}") from None
        except OSError as exc:
            raise _translate_io_error(exc) from None
        except ValueError as exc:
            raise BadCard(f"garbage from the card: {exc}") from None
        if response is None:
            raise BadCard("no answer to the data-block read")
        return parse_read_response(bytes(response), idm, block)

    def close(self) -> None:
        clf, self._clf = self._clf, None
        if clf is not None:
            try:
                clf.close()
            except Exception as exc:  # closing an unplugged device may fail in many ways; it is gone anyway
                log.debug("closing nfcpy reader: %s", exc)


def _translate_open_error(exc: OSError, path: str) -> ReaderUnavailable:
    if isinstance(exc, socket.gaierror):
        return NoReader(f"cannot find the host of {path}: {exc}")
    if exc.errno == errno.EACCES:
        return NoPermission(f"no permission to open {path}")
    if exc.errno == errno.EBUSY:
        return ReaderBusy(f"{path} is in use (another program or the port100 kernel driver)")
    if exc.errno in (errno.ENODEV, errno.ENOENT):
        return NoReader(f"no reader on {path}")
    return ReaderUnavailable(f"cannot open {path}: {exc}")


def _translate_io_error(exc: OSError) -> ReaderUnavailable | ReadError:
    if exc.errno in _UNPLUGGED_ERRNOS or exc.errno is None:
        return ReaderUnplugged(f"reader stopped answering: {exc}")
    return ReadError(f"reader I/O error: {exc}")


class NfcpyReader(PollingReader):
    """The nfcpy-driven reader for ``usb…`` and ``udp…`` paths."""

    def __init__(self, parsed: ReaderPath, *, clock: Clock | None = None, reader_id: str | None = None,
                 data_block: DataBlock | None = None, poll_interval: float | None = None,
                 retry_interval: float | None = None, sysfs: Any = SYSFS_USB, devroot: Any = DEV_USB) -> None:
        driver = NfcpyDriver(parsed, data_block=data_block, sysfs=sysfs, devroot=devroot)
        super().__init__(parsed.text, make_reader_id(reader_id or parsed.text), driver, clock=clock,
                         poll_interval=poll_interval, retry_interval=retry_interval)
