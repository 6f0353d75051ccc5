"""Device-signed HTTP requests: the one place that builds, signs, parses and verifies them.

A device proves who it is on requests that read personal data or device
state with an ``Authorization`` header (docs/api.md "Device authentication"):

    Authorization: Genba-Device device=<id>,epoch=<n>,ts=<RFC3339>,nonce=<32 hex>,sig=<base64>

``sig`` is the Ed25519 signature, by the device's enrolled key, of the UTF-8
bytes of the canonical request string::

    genba-request v1\\n<METHOD>\\n<path_with_query>\\n<ts>\\n<nonce>\\n<sha256_hex(body)>\\n

Everything here is pure: the caller passes the clock reading (``now``) and
keeps the :class:`ReplayGuard`. The server and syncd both import this module;
nothing else may re-implement the string or the header.

This module must never look up keys or touch the network: it verifies against
the key it is given.

Errors (all :class:`shared.errors.VerificationError` or :class:`FormatError`):

    FormatError        code "malformed"     header that is not a Genba-Device header
    BadSignature       code "bad_signature" signature does not verify with the device key
    ClockSkew          code "clock_skew"    ts too far from server time (.server_time)
    Replayed           code "replayed"      nonce already used within the window
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.errors import BadSignature, FormatError, VerificationError
from shared.ids import check_device_id
from shared.keys import SigningKey, VerifierKey
from shared.timefmt import format_rfc3339, parse_rfc3339

SCHEME = "Genba-Device"
REQUEST_HEADER = "genba-request v1"
MAX_SKEW = timedelta(minutes=10)
"""A request whose ``ts`` is further than this from the server's clock is refused."""

MAX_HEADER_CHARS = 1024
_NONCE_RE = re.compile(r"[0-9a-f]{32}")
_INT_RE = re.compile(r"[1-9][0-9]{0,15}")
_FIELDS = ("device", "epoch", "ts", "nonce", "sig")


class ClockSkew(VerificationError):
    """The request's timestamp is too far from the server's clock; retry with a corrected offset."""

    code = "clock_skew"

    def __init__(self, message: str, *, server_time: str) -> None:
        super().__init__(message)
        self.server_time = server_time

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "server_time": self.server_time}


class Replayed(VerificationError):
    """The request's nonce was already used: a replay (or a client that reuses nonces)."""

    code = "replayed"


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def canonical_request(method: str, path_with_query: str, ts: str, nonce: str, body: bytes) -> bytes:
    """The exact bytes a device signs for one request."""
    if not method or not method.isalpha() or not method.isupper():
        raise FormatError(f"HTTP method must be upper-case letters: {method!r}")
    if not path_with_query.startswith("/") or any(c in path_with_query for c in "\r\n "):
        raise FormatError("request path must start with '/' and contain no spaces or line breaks")
    text = f"{REQUEST_HEADER}\n{method}\n{path_with_query}\n{ts}\n{nonce}\n{body_digest(body)}\n"
    return text.encode("utf-8")


@dataclass(frozen=True, slots=True)
class DeviceAuth:
    """A parsed ``Authorization: Genba-Device ...`` header."""

    device: str
    epoch: int
    ts: str
    nonce: str
    sig: bytes

    def header(self) -> str:
        sig = base64.b64encode(self.sig).decode("ascii")
        return f"{SCHEME} device={self.device},epoch={self.epoch},ts={self.ts},nonce={self.nonce},sig={sig}"

    @property
    def moment(self) -> datetime:
        return parse_rfc3339(self.ts)


def new_nonce() -> str:
    return secrets.token_hex(16)


def sign_request(
    key: SigningKey,
    *,
    device: str,
    epoch: int,
    method: str,
    path_with_query: str,
    body: bytes,
    now: datetime,
    nonce: str | None = None,
) -> str:
    """The ``Authorization`` header value for one request (``now``: the device's corrected clock)."""
    check_device_id(device)
    ts = format_rfc3339(now)
    nonce = nonce or new_nonce()
    if not _NONCE_RE.fullmatch(nonce):
        raise FormatError("nonce must be 32 lower-case hex digits")
    sig = key.sign(canonical_request(method, path_with_query, ts, nonce, body))
    return DeviceAuth(device, epoch, ts, nonce, sig).header()


def parse_header(value: str) -> DeviceAuth:
    """Parse an ``Authorization`` header value strictly; raise :class:`FormatError` on anything odd."""
    if len(value) > MAX_HEADER_CHARS:
        raise FormatError("Authorization header is too long")
    scheme, sep, params = value.partition(" ")
    if scheme != SCHEME or not sep:
        raise FormatError(f"Authorization must use the {SCHEME} scheme")
    fields: dict[str, str] = {}
    for part in params.split(","):
        name, eq, val = part.partition("=")
        if not eq or name not in _FIELDS or not val:
            raise FormatError(f"Authorization parameter must be one of {', '.join(_FIELDS)}: {part[:40]!r}")
        if name in fields:
            raise FormatError(f"Authorization parameter {name!r} given twice")
        fields[name] = val
    missing = [n for n in _FIELDS if n not in fields]
    if missing:
        raise FormatError(f"Authorization lacks: {', '.join(missing)}")
    device = check_device_id(fields["device"])
    if not _INT_RE.fullmatch(fields["epoch"]):
        raise FormatError("Authorization epoch must be a positive integer")
    parse_rfc3339(fields["ts"])
    if not _NONCE_RE.fullmatch(fields["nonce"]):
        raise FormatError("Authorization nonce must be 32 lower-case hex digits")
    try:
        sig = base64.b64decode(fields["sig"], validate=True)
    except (binascii.Error, ValueError):
        raise FormatError("Authorization sig is not valid base64") from None
    if len(sig) != 64:
        raise FormatError("Authorization sig must be a 64-byte Ed25519 signature")
    return DeviceAuth(device, int(fields["epoch"]), fields["ts"], fields["nonce"], sig)


def verify_request(
    auth: DeviceAuth,
    key: VerifierKey,
    *,
    method: str,
    path_with_query: str,
    body: bytes,
    now: datetime,
    max_skew: timedelta = MAX_SKEW,
) -> None:
    """Check the signature, then the timestamp window. Replay is the :class:`ReplayGuard`'s job.

    The signature comes first so that logs can tell "forged" from "late":
    a :class:`ClockSkew` answer means a genuine device whose clock is off.
    """
    message = canonical_request(method, path_with_query, auth.ts, auth.nonce, body)
    if not key.verify(auth.sig, message):
        raise BadSignature(f"request signature by device {auth.device} epoch {auth.epoch} does not verify")
    if abs(auth.moment - now) > max_skew:
        raise ClockSkew(
            f"request time {auth.ts} is more than {int(max_skew.total_seconds())} s from server time",
            server_time=format_rfc3339(now),
        )


class ReplayGuard:
    """Remembers (device, epoch, nonce) for the skew window so that no signed request is accepted twice.

    Requests older than the window are already refused by :func:`verify_request`,
    so forgetting a nonce after ``2 * max_skew`` is safe. Bounded in size: when
    full, the oldest entries go first (a flood of valid requests can only evict
    nonces that are about to expire anyway at sane request rates).
    """

    def __init__(self, *, max_skew: timedelta = MAX_SKEW, capacity: int = 100_000) -> None:
        self._window = 2 * max_skew
        self._capacity = capacity
        self._seen: OrderedDict[tuple[str, int, str], datetime] = OrderedDict()

    def check_and_remember(self, auth: DeviceAuth, now: datetime) -> None:
        """Raise :class:`Replayed` if this nonce was seen; otherwise remember it."""
        while self._seen:
            key, when = next(iter(self._seen.items()))
            if now - when <= self._window and len(self._seen) < self._capacity:
                break
            del self._seen[key]
        ident = (auth.device, auth.epoch, auth.nonce)
        if ident in self._seen:
            raise Replayed(f"nonce {auth.nonce} of device {auth.device} was already used")
        self._seen[ident] = now

    def __len__(self) -> int:
        return len(self._seen)
