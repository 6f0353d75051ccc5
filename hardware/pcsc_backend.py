"""The PC/SC backend: the RC-S300/S and /P (and any PC/SC FeliCa reader) through pcscd, libccid and pyscard.

The loop waits on ``SCardGetStatusChange`` instead of polling the card: it
blocks until a card arrives or leaves (or pcscd goes away), so an idle
reader costs nothing. For each arrival it connects, sends GET DATA
``FF CA 00 00 00`` (PC/SC part 3: for a FeliCa card the answer is the IDm)
and, if configured, reads one data block with the storage-card commands the
RC-S300 understands (SELECT FILE ``FF A4 00 01 02 <service code LE>``, READ
BINARY ``FF B0 00 <block> 00``). Anything short of a complete, well-formed
answer is discarded as a bad read.

pyscard's return codes are translated into :mod:`hardware.errors` here and
nowhere else: pcscd not running (``SCARD_E_NO_SERVICE``), no reader, the
reader gone, the card gone mid-read.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from typing import Any

from smartcard import scard

from hardware.errors import (
    BadCard,
    NoPermission,
    NoReader,
    PcscdUnavailable,
    ReadError,
    ReaderUnavailable,
    ReaderUnplugged,
)
from hardware.paths import ReaderPath
from hardware.paths import reader_id as make_reader_id
from hardware.polling import UNCHANGED, CardRead, DataBlock, Observation, PollingReader
from shared.clock import Clock

log = logging.getLogger(__name__)

GET_DATA_UID = [0xFF, 0xCA, 0x00, 0x00, 0x00]
WAIT_MS = 1000
"""How long one SCardGetStatusChange may block; close() cancels it at once, pcscd dying ends it at once."""

_SERVICE_GONE = {scard.SCARD_E_NO_SERVICE, scard.SCARD_E_SERVICE_STOPPED, scard.SCARD_E_INVALID_HANDLE,
                 scard.SCARD_F_COMM_ERROR}
_READER_GONE = {scard.SCARD_E_UNKNOWN_READER, scard.SCARD_E_READER_UNAVAILABLE, scard.SCARD_E_NO_READERS_AVAILABLE}
_REFUSED = {scard.SCARD_E_NO_ACCESS, scard.SCARD_W_SECURITY_VIOLATION}
"""pcscd built with polkit refuses a user with no login session: see packaging/pcscd/50-genba-pcscd.rules."""
_CARD_GONE = {scard.SCARD_W_REMOVED_CARD, scard.SCARD_E_NO_SMARTCARD, scard.SCARD_W_RESET_CARD,
              scard.SCARD_W_UNPOWERED_CARD, scard.SCARD_W_UNRESPONSIVE_CARD, scard.SCARD_E_NOT_TRANSACTED,
              scard.SCARD_E_PROTO_MISMATCH}


def _code(hresult: int) -> int:
    return hresult & 0xFFFFFFFF if hresult < 0 else hresult


def _message(hresult: int) -> str:
    try:
        return f"{scard.SCardGetErrorMessage(hresult)} (0x{_code(hresult):08X})"
    except Exception:  # pyscard cannot name every code
        return f"0x{_code(hresult):08X}"


def pcscd_missing_detail() -> str:
    """Whether pcscd is installed at all, for the site manager's next step."""
    installed = shutil.which("pcscd") or os.path.exists("/usr/sbin/pcscd")
    return "pcscd is installed but not running" if installed else "pcscd is not installed"


def select_reader(names: list[str], target: str | None) -> str:
    """The reader a ``pcsc[:INDEX|:NAME]`` path means, or :class:`NoReader`."""
    if not names:
        raise NoReader("pcscd knows no reader")
    if target is None:
        return names[0]
    if target.isdigit():
        index = int(target)
        if index < len(names):
            return names[index]
        raise NoReader(f"no PC/SC reader number {index}; pcscd knows {len(names)}")
    for name in names:
        if name == target:
            return name
    for name in names:
        if target.lower() in name.lower():
            return name
    raise NoReader(f"no PC/SC reader named like {target!r}; pcscd knows {', '.join(names)}")


def parse_response(response: list[int], what: str) -> bytes:
    """The data of a response APDU ending in 90 00, or :class:`BadCard`."""
    if len(response) < 2:
        raise BadCard(f"{what}: answer of {len(response)} bytes has no status word")
    if response[-2:] != [0x90, 0x00]:
        raise BadCard(f"{what}: card answered status {response[-2]:02X} {response[-1]:02X}")
    return bytes(response[:-2])


class PcscDriver:
    """Open a PC/SC context, wait for cards on one reader, read them; the polling loop does the rest."""

    waits_in_observe = True

    def __init__(self, parsed: ReaderPath, *, data_block: DataBlock | None = None) -> None:
        self._parsed = parsed
        self._block = data_block
        self._context: Any = None
        self._reader: str | None = None
        self._state = scard.SCARD_STATE_UNAWARE
        self._lock = threading.Lock()

    @property
    def reader_name(self) -> str | None:
        return self._reader

    def open(self) -> str:
        hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hresult != scard.SCARD_S_SUCCESS:
            if hresult in _SERVICE_GONE:
                raise PcscdUnavailable(f"{pcscd_missing_detail()}: {_message(hresult)}")
            if hresult in _REFUSED:
                raise NoPermission(f"pcscd refused this user (polkit?): {_message(hresult)}")
            raise ReaderUnavailable(f"cannot talk to pcscd: {_message(hresult)}")
        with self._lock:
            self._context = context
        try:
            hresult, names = scard.SCardListReaders(context, [])
            if hresult == scard.SCARD_E_NO_READERS_AVAILABLE:
                names = []
            elif hresult != scard.SCARD_S_SUCCESS:
                raise self._context_error(hresult, "listing readers")
            self._reader = select_reader(list(names), self._parsed.target)
        except Exception:
            self.close()
            raise
        self._state = scard.SCARD_STATE_UNAWARE
        return f"{self._reader} via pcscd"

    def interrupt(self) -> None:
        """Wake a blocked SCardGetStatusChange (close() from another thread)."""
        with self._lock:
            if self._context is not None:
                scard.SCardCancel(self._context)

    def observe(self, timeout: float) -> Observation:
        context, reader = self._context, self._reader
        if context is None or reader is None:
            raise ReaderUnplugged("PC/SC reader is not open")
        hresult, states = scard.SCardGetStatusChange(context, WAIT_MS, [(reader, self._state)])
        if hresult in (scard.SCARD_E_TIMEOUT, scard.SCARD_E_CANCELLED):
            return UNCHANGED
        if hresult != scard.SCARD_S_SUCCESS:
            if hresult in _REFUSED:
                # Seen while pcscd shuts down (the client library reports the dropped session as
                # "access denied"); polkit refusals happen at SCardEstablishContext / SCardConnect.
                raise PcscdUnavailable(f"pcscd ended the session while waiting for a card: {_message(hresult)}")
            raise self._context_error(hresult, "waiting for a card")
        _, event_state, _atr = states[0]
        if event_state & (scard.SCARD_STATE_UNKNOWN | scard.SCARD_STATE_UNAVAILABLE | scard.SCARD_STATE_IGNORE):
            raise ReaderUnplugged(f"PC/SC reader {reader!r} went away")
        changed = bool(event_state & scard.SCARD_STATE_CHANGED) or self._state == scard.SCARD_STATE_UNAWARE
        self._state = event_state & ~scard.SCARD_STATE_CHANGED
        if not changed:
            return UNCHANGED
        if not event_state & scard.SCARD_STATE_PRESENT:
            return None
        if event_state & scard.SCARD_STATE_MUTE:
            self._retry_later()
            raise BadCard("the card does not answer (mute)")
        try:
            return self._read_card(context, reader)
        except ReadError:
            self._retry_later()
            raise

    def _retry_later(self) -> None:
        """After a failed read, ask for the reader's state again rather than waiting for the next change."""
        self._state = scard.SCARD_STATE_UNAWARE

    def _read_card(self, context: Any, reader: str) -> CardRead:
        hresult, card, protocol = scard.SCardConnect(
            context, reader, scard.SCARD_SHARE_SHARED, scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1)
        if hresult != scard.SCARD_S_SUCCESS:
            raise self._card_error(hresult, "connecting to the card")
        try:
            idm = parse_response(self._transmit(card, protocol, GET_DATA_UID, "GET DATA"), "GET DATA")
            if len(idm) != 8:  # a Type A/B card's UID (4, 7 or 10 bytes), or a broken answer
                raise BadCard(f"GET DATA answered {len(idm)} bytes ({idm[:16].hex()}); a FeliCa IDm has 8")
            data = self._read_block(card, protocol, self._block) if self._block is not None else None
        finally:
            scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)
        return CardRead(idm=idm, card_data=data)

    def _read_block(self, card: Any, protocol: int, block: DataBlock) -> str:
        service = block.service_code.to_bytes(2, "little")
        select = [0xFF, 0xA4, 0x00, 0x01, 0x02, service[0], service[1]]
        parse_response(self._transmit(card, protocol, select, "SELECT FILE"), "SELECT FILE")
        read = [0xFF, 0xB0, 0x00, block.block, 0x00]
        return block.extract(parse_response(self._transmit(card, protocol, read, "READ BINARY"), "READ BINARY"))

    def _transmit(self, card: Any, protocol: int, apdu: list[int], what: str) -> list[int]:
        hresult, response = scard.SCardTransmit(card, protocol, apdu)
        if hresult != scard.SCARD_S_SUCCESS:
            raise self._card_error(hresult, what)
        return list(response)

    def _card_error(self, hresult: int, what: str) -> ReaderUnavailable | ReadError:
        if hresult in _CARD_GONE:
            return BadCard(f"the card left during {what}: {_message(hresult)}")
        return self._context_error(hresult, what)

    def _context_error(self, hresult: int, what: str) -> ReaderUnavailable | ReadError:
        if hresult in _SERVICE_GONE:
            return PcscdUnavailable(f"pcscd went away while {what}: {_message(hresult)}")
        if hresult in _REFUSED:
            return NoPermission(f"pcscd refused this user while {what} (polkit?): {_message(hresult)}")
        if hresult in _READER_GONE:
            return ReaderUnplugged(f"the reader went away while {what}: {_message(hresult)}")
        return ReadError(f"{what} failed: {_message(hresult)}")

    def close(self) -> None:
        with self._lock:
            context, self._context = self._context, None
        self._reader = None
        if context is not None:
            try:
                scard.SCardReleaseContext(context)
            except Exception as exc:  # a dead pcscd cannot release anything; the context is gone anyway
                log.debug("releasing PC/SC context: %s", exc)


class PcscReader(PollingReader):
    """The PC/SC-driven reader for ``pcsc…`` paths."""

    def __init__(self, parsed: ReaderPath, *, clock: Clock | None = None, reader_id: str | None = None,
                 data_block: DataBlock | None = None, poll_interval: float | None = None,
                 retry_interval: float | None = None) -> None:
        driver = PcscDriver(parsed, data_block=data_block)
        super().__init__(parsed.text, make_reader_id(reader_id or parsed.text), driver, clock=clock,
                         poll_interval=poll_interval, retry_interval=retry_interval)


def list_pcsc_readers() -> list[str]:
    """The reader names pcscd knows, or :class:`PcscdUnavailable` if it is not running."""
    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != scard.SCARD_S_SUCCESS:
        raise PcscdUnavailable(f"{pcscd_missing_detail()}: {_message(hresult)}")
    try:
        hresult, names = scard.SCardListReaders(context, [])
        if hresult == scard.SCARD_E_NO_READERS_AVAILABLE:
            return []
        if hresult != scard.SCARD_S_SUCCESS:
            raise PcscdUnavailable(f"pcscd did not list its readers: {_message(hresult)}")
        return list(names)
    finally:
        scard.SCardReleaseContext(context)
