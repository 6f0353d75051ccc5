"""An emulated contactless card behind Debian's virtual PC/SC reader (vsmartcard-vpcd), for tests and development.

``vpcd`` is a pcscd reader driver that listens on a TCP port (35963 in the
stock ``/etc/reader.conf.d/vpcd``) for a virtual card, the role
``vicc`` (python3-virtualsmartcard) normally plays. The link is a stream of
messages, each a 2-byte big-endian length and a payload: a 1-byte payload is
a control (00 power off, 01 power on, 02 reset, 04 send the ATR); anything
longer is a command APDU, answered with a response APDU. A card is *present*
while it is connected; closing the connection is taking the card away.

:class:`ViccCard` speaks that protocol in-process and answers like a FeliCa
card on a PC/SC reader (the RC-S300 through libccid): GET DATA
``FF CA 00 00 00`` → IDm + ``90 00``; SELECT FILE ``FF A4 00 01 02 <service
code, little-endian>`` and READ BINARY ``FF B0 00 <block> 00`` for the data
block option. :attr:`fault` makes it misbehave for negative tests: ``garbage``
(a response with no status word), ``short_idm`` / ``long_idm``, ``error_sw``
(``6A 81``), ``drop_on_read`` (the card leaves in the middle of GET DATA).

It imports neither nfcpy nor pyscard: it is the far side of the reader.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import struct
import threading
import time
from typing import Literal

from shared.ids import parse_idm

log = logging.getLogger(__name__)

VPCD_DEFAULT_PORT = 0x8C7B
FELICA_ATR = bytes.fromhex("3B8F8001804F0CA0000003061100 3B0000000042".replace(" ", ""))
"""The PC/SC part 3 ATR of a FeliCa card (RID A000000306, card name 003B), as the RC-S300 reports it."""
GET_DATA_UID = bytes.fromhex("FFCA000000")
OK = b"\x90\x00"

Fault = Literal["garbage", "short_idm", "long_idm", "error_sw", "drop_on_read"]


class ViccCard:
    """One virtual card for one vpcd slot: :meth:`present` connects, :meth:`remove` disconnects."""

    def __init__(self, port: int = VPCD_DEFAULT_PORT, host: str = "127.0.0.1") -> None:
        self.host, self.port = host, port
        self.fault: Fault | None = None
        self.blocks: dict[tuple[int, int], bytes] = {}
        self.apdus_seen = 0
        self._idm = b""
        self._service: int | None = None
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Condition()

    def present(self, idm: str | bytes, *, timeout: float = 10.0) -> None:
        """Put a card on the reader: connect to vpcd (retrying while pcscd starts up)."""
        self.remove()
        self._idm = bytes.fromhex(parse_idm(idm))
        deadline = time.monotonic() + timeout
        while True:  # vpcd listens only once pcscd has loaded it
            try:
                sock = socket.create_connection((self.host, self.port), timeout=timeout)
                break
            except ConnectionRefusedError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        sock.settimeout(None)
        self._sock = sock
        self._thread = threading.Thread(target=self._serve, args=(sock,), name=f"vicc-{self.port}", daemon=True)
        self._thread.start()

    def remove(self) -> None:
        """Take the card away: close the connection (vpcd reports the card removed)."""
        sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def wait_for_apdus(self, count: int, timeout: float = 10.0) -> bool:
        """Block until ``count`` more APDUs have arrived; True if they did."""
        with self._lock:
            target = self.apdus_seen + count
            return self._lock.wait_for(lambda: self.apdus_seen >= target, timeout)

    close = remove

    # -- the vpcd link -----------------------------------------------------------------------

    def _serve(self, sock: socket.socket) -> None:
        try:
            while True:
                header = _recv_exact(sock, 2)
                if header is None:
                    return
                (size,) = struct.unpack("!H", header)
                payload = _recv_exact(sock, size) if size else b""
                if payload is None:
                    return
                if size == 1:
                    if payload == b"\x04":
                        _send(sock, FELICA_ATR)
                    continue  # power on/off/reset need no answer
                answer = self._answer(payload)
                with self._lock:
                    self.apdus_seen += 1
                    self._lock.notify_all()
                if answer is None:  # the card left mid-command
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)
                    return
                _send(sock, answer)
        except OSError as exc:
            log.debug("vicc link closed: %s", exc)

    def _answer(self, apdu: bytes) -> bytes | None:
        if apdu == GET_DATA_UID:
            fault = self.fault
            if fault == "garbage":
                return b"\x42"
            if fault == "error_sw":
                return b"\x6a\x81"
            if fault == "drop_on_read":
                return None
            if fault == "short_idm":
                return self._idm[:4] + OK
            if fault == "long_idm":
                return self._idm + b"\x00\x00" + OK
            return self._idm + OK
        if apdu[:5] == bytes.fromhex("FFA4000102") and len(apdu) == 7:
            self._service = int.from_bytes(apdu[5:7], "little")
            return OK
        if apdu[:3] == bytes.fromhex("FFB000") and len(apdu) == 5:
            block = self.blocks.get((self._service or -1, apdu[3]))
            return block + OK if block is not None else b"\x6a\x82"
        return b"\x6d\x00"  # instruction not supported


def _recv_exact(sock: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _send(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(struct.pack("!H", len(payload)) + payload)
