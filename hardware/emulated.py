"""An emulated FeliCa card on nfcpy's ``udp`` link, for development, tests and the benchmark.

nfcpy's ``udp`` driver (``nfc/clf/udp.py``) carries each RF frame as one UDP
datagram ``b"<bitrate> <hex frame>"`` (``212F 0600ffff0100``); ``RFOFF``
means the reader switched its field off. This peer listens where the reader
sends (``udp:HOST:PORT``) and answers like a card lying on the reader:

* SENSF_REQ (Polling, command 0x00) → SENSF_RES with the chosen IDm, PMm and,
  when asked (request code 1), the system code; nothing when no card lies on
  the reader or the requested system code does not match.
* Read Without Encryption (command 0x06) → the configured 16-byte blocks,
  or FeliCa status flags ``A1``/``A8`` for an unknown service or block.

For negative tests it can misbehave on purpose (:attr:`fault`): answer
``garbage`` that is not hex, a ``truncated`` SENSF_RES, an IDm of the wrong
length (``short_idm``/``long_idm``), or stay ``silent_on_read`` as a card
pulled away mid-read does. It counts the polls it answered and saw, so tests
wait for "the reader has polled again" instead of sleeping.

It imports neither nfcpy nor pyscard: it is the far end of the radio link.
"""

from __future__ import annotations

import logging
import select
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Literal

from shared.ids import parse_idm

log = logging.getLogger(__name__)

DEFAULT_PMM = bytes.fromhex("0120220427674EFF")
"""PMm of a FeliCa Standard card (IC code 0x20, RC-S962 family), as CCUS cards are."""
DEFAULT_SYSTEM_CODE = bytes.fromhex("FE00")

Fault = Literal["garbage", "truncated", "short_idm", "long_idm", "silent_on_read", "bad_block"]


@dataclass
class EmulatedCard:
    """A card's identity and the unencrypted blocks it will read out, by (service code, block)."""

    idm: bytes
    pmm: bytes = DEFAULT_PMM
    system_code: bytes = DEFAULT_SYSTEM_CODE
    blocks: dict[tuple[int, int], bytes] = field(default_factory=dict)


def _has_service_name(host: str, port: int) -> bool:
    """Whether ``/etc/services`` names this port as TCP (57000 is ``dircproxy`` on Debian).

    nfcpy's ``udp`` driver resolves the port with ``getnameinfo`` without ``NI_NUMERICSERV`` and then
    calls ``int()`` on the answer, so it cannot open a peer on a named port."""
    try:
        return not socket.getnameinfo((host, port), socket.NI_NUMERICHOST)[1].isdigit()
    except OSError:
        return False


def _bind_unnamed_port(host: str, port: int) -> socket.socket:
    """A UDP socket bound to ``port``, or (port 0) to a free port that nfcpy's driver can open."""
    for _ in range(64):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((host, port))
        if port or not _has_service_name(host, sock.getsockname()[1]):
            return sock
        sock.close()
    raise OSError("no free UDP port without a service name in /etc/services")


class FelicaCardPeer:
    """A UDP peer that plays one FeliCa card (or none) for nfcpy's ``udp`` reader driver."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._socket = _bind_unnamed_port(host, port)
        self.host, self.port = self._socket.getsockname()[:2]
        self._lock = threading.Condition()
        self._card: EmulatedCard | None = None
        self.fault: Fault | None = None
        self.polls_seen = 0
        self.polls_answered = 0
        self.reads_seen = 0
        self.appeared_us: int | None = None
        """CLOCK_BOOTTIME µs of the first polling answer since the last :meth:`present`: when the
        reader could first know the card is there (the benchmark measures delivery from here)."""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name=f"felica-peer-{self.port}", daemon=True)
        self._thread.start()

    @property
    def path(self) -> str:
        """The reader path that reaches this card: ``udp:HOST:PORT``."""
        return f"udp:{self.host}:{self.port}"

    def present(self, idm: str | bytes, **card: object) -> None:
        """Lay a card on the reader (replacing any other)."""
        raw = bytes.fromhex(parse_idm(idm))
        with self._lock:
            self._card = EmulatedCard(raw, **card)  # type: ignore[arg-type]
            self.appeared_us = None

    def remove(self) -> None:
        """Take the card away: polls go unanswered."""
        with self._lock:
            self._card = None

    def wait_for_polls(self, count: int, timeout: float = 10.0) -> bool:
        """Block until the reader has sent ``count`` more polls (or ``timeout`` s); True if it did."""
        with self._lock:
            target = self.polls_seen + count
            return self._lock.wait_for(lambda: self.polls_seen >= target, timeout)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._socket.close()

    def __enter__(self) -> FelicaCardPeer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the radio link ----------------------------------------------------------------------

    def _serve(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self._socket], [], [], 0.1)
            if not ready:
                continue
            try:
                datagram, addr = self._socket.recvfrom(1024)
            except OSError:
                return
            answer = self._answer(datagram)
            if answer is not None:
                try:
                    self._socket.sendto(answer, addr)
                except OSError as exc:
                    log.debug("peer could not answer %s: %s", addr, exc)

    def _answer(self, datagram: bytes) -> bytes | None:
        parts = datagram.split()
        if len(parts) != 2 or parts[0] not in (b"212F", b"424F"):
            return None  # RFOFF or another technology: a FeliCa card stays silent
        try:
            frame = bytes.fromhex(parts[1].decode("ascii"))
        except ValueError:
            return None
        if len(frame) < 2 or frame[0] != len(frame):
            return None
        with self._lock:
            if frame[1] == 0x00:
                self.polls_seen += 1
                self._lock.notify_all()
                response = self._polling(frame)
                if response is not None:
                    self.polls_answered += 1
                    if self.appeared_us is None:
                        self.appeared_us = time.clock_gettime_ns(time.CLOCK_BOOTTIME) // 1000
            elif frame[1] == 0x06:
                self.reads_seen += 1
                response = self._read(frame)
            else:
                response = None
        if response is None:
            return None
        if self.fault == "garbage":
            return parts[0] + b" not-hex-at-all!"
        return parts[0] + b" " + response.hex().encode("ascii")

    def _polling(self, frame: bytes) -> bytes | None:
        card = self._card
        if card is None or len(frame) != 6:
            return None
        wanted = frame[2:4]
        if not (wanted[0] in (0xFF, card.system_code[0]) and wanted[1] in (0xFF, card.system_code[1])):
            return None
        idm = card.idm
        if self.fault == "short_idm":
            idm = idm[:6]
        elif self.fault == "long_idm":
            idm = idm + b"\x00\x00"
        body = b"\x01" + idm + card.pmm + (card.system_code if frame[4] == 1 else b"")
        if self.fault == "truncated":
            body = body[:9]
        return bytes([len(body) + 1]) + body

    def _read(self, frame: bytes) -> bytes | None:
        card = self._card
        if card is None or self.fault == "silent_on_read" or len(frame) < 16 or frame[2:10] != card.idm:
            return None
        services = frame[10]
        codes = [int.from_bytes(frame[11 + 2 * i : 13 + 2 * i], "little") for i in range(services)]
        at = 11 + 2 * services
        count = frame[at]
        rest = frame[at + 1 :]
        data = b""
        for _ in range(count):
            if len(rest) < 2 or not rest[0] & 0x80:
                return self._status(card, 0xA6)
            if rest[0] & 0x0F >= len(codes):
                return self._status(card, 0xA3)
            service, block, rest = codes[rest[0] & 0x0F], rest[1], rest[2:]
            if (service, block) not in card.blocks:
                return self._status(card, 0xA8)
            data += card.blocks[(service, block)]
        if self.fault == "bad_block":
            data = data[:7]
        body = b"\x07" + card.idm + b"\x00\x00" + bytes([count]) + data
        return bytes([len(body) + 1]) + body

    @staticmethod
    def _status(card: EmulatedCard, flag2: int) -> bytes:
        body = b"\x07" + card.idm + bytes([0xFF, flag2])
        return bytes([len(body) + 1]) + body
