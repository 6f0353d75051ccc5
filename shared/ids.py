"""Identifiers and their validation: card IDm, CCUS ids, device ids, site ids.

Every identifier entering the system passes through one of these functions;
nothing else in the code base re-implements the checks.
"""

from __future__ import annotations

import re
import secrets
from typing import NewType

from shared.errors import InvalidId, InvalidIdm

_IDM_RE = re.compile(r"[0-9A-F]{16}")
_HEXISH_RE = re.compile(r"[0-9A-Fa-f]+")
_CCUS_ID_RE = re.compile(r"[0-9]{14}")
_DEVICE_RE = re.compile(r"[a-z0-9][a-z0-9-]{2,62}")
_READER_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/@-]{0,63}")

IDM_LENGTH = 8
"""A FeliCa IDm is 8 bytes; we store and show it as 16 upper-case hex digits."""

Idm = NewType("Idm", str)
"""A FeliCa IDm that has been validated: 16 upper-case hex digits.

The one IDm type. It is made only by :func:`parse_idm` (a test checks that no
other module writes ``Idm(...)``), at the edges where an IDm enters the system:
the hardware backends when a card is read, the roster file, command-line
arguments, the manager's and the tablet's input, the server's API, and the
event format when a journal or a batch is read. Everything downstream (the tap
pipeline, today's state, the site view, state.db look-ups) takes an ``Idm`` and
does not check it again.
"""


def parse_idm(value: object, *, canonical: bool = False) -> Idm:
    """The one IDm check: return the :data:`Idm`, or raise :class:`InvalidIdm` with a clear message.

    Accepts the 8 raw bytes, or hex text in either case (a reader or a CSV may
    give lower case); separators, spaces and any other length are refused.
    With ``canonical=True`` only the stored form (16 upper-case hex digits) is
    accepted: for signed bytes (events, batches), where normalising would
    change what was signed.
    """
    if isinstance(value, bytes | bytearray):
        if canonical:
            raise InvalidIdm(f"IDm must be 16 upper-case hex digits, got {len(value)} raw bytes")
        if len(value) != IDM_LENGTH:
            raise InvalidIdm(f"IDm must be {IDM_LENGTH} bytes, got {len(value)}")
        return Idm(bytes(value).hex().upper())
    if not isinstance(value, str):
        raise InvalidIdm(f"IDm must be text or bytes, got {type(value).__name__}")
    if canonical:
        if not _IDM_RE.fullmatch(value):
            raise InvalidIdm(f"IDm must be 16 upper-case hex digits: {value[:40]!r}")
        return Idm(value)
    if not _HEXISH_RE.fullmatch(value):
        raise InvalidIdm(f"IDm must be hexadecimal digits only: {value[:40]!r}")
    if len(value) != 2 * IDM_LENGTH:
        raise InvalidIdm(f"IDm must be {2 * IDM_LENGTH} hex digits, got {len(value)}")
    return Idm(value.upper())


def stored_idm(value: str) -> Idm:
    """An IDm read back from a store that only :func:`parse_idm`'s results are written to (state.db's
    cards and bindings): typed, not checked again, as :meth:`shared.event.Event.from_stored` reads events."""
    return Idm(value)


def normalize_idm(value: str | bytes) -> Idm:
    """:func:`parse_idm` under its former name (kept for callers outside the kiosk's edge)."""
    return parse_idm(value)


def check_idm(value: object) -> Idm:
    """:func:`parse_idm` with ``canonical=True`` under its former name."""
    return parse_idm(value, canonical=True)


def check_ccus_id(value: object, what: str = "id") -> str:
    """A CCUS 技能者ID / 事業者ID / 現場ID: exactly 14 ASCII digits."""
    if not isinstance(value, str) or not _CCUS_ID_RE.fullmatch(value):
        raise InvalidId(f"{what} must be 14 digits: {str(value)[:40]!r}")
    return value


def check_device_id(value: object) -> str:
    """A device id: 3–63 characters of lower-case letters, digits and '-', starting alphanumeric."""
    if not isinstance(value, str) or not _DEVICE_RE.fullmatch(value):
        raise InvalidId(f"device id must be 3–63 of [a-z0-9-], starting with a letter or digit: {value!r}")
    return value


def check_reader_id(value: object) -> str:
    """A reader id as the hardware layer names it (``usb:054c:06c3``, ``pcsc:0``, ``sim``)."""
    if not isinstance(value, str) or not _READER_RE.fullmatch(value):
        raise InvalidId(f"reader id must be 1–64 of [A-Za-z0-9._:/@-]: {str(value)[:80]!r}")
    return value


_READER_UNSAFE_RE = re.compile(r"[^A-Za-z0-9._:/@-]")


def to_reader_id(name: str) -> str:
    """Make any reader name a valid reader id (PC/SC names have spaces): unsafe characters become ``_``.

    The one sanitiser: the hardware layer names its readers with it, and the
    kiosk applies it again before journaling, so an odd name can never make a
    tap unrecordable.
    """
    cleaned = _READER_UNSAFE_RE.sub("_", name).lstrip("._:/@-")[:64]
    return cleaned or "reader"


WORKER_LANGUAGES: tuple[str, ...] = ("ja", "en", "vi", "zh", "id", "tl")
"""A worker's own language in the server's registry: the languages the kiosk has a result screen in, as
lower-case BCP 47 primary tags (``zh``: simplified Chinese; ``tl``: Tagalog/Filipino). The kiosk maps a
roster's tag to its screen (kiosk.ui.i18n.for_worker; tests/kiosk checks each of these maps to its own
translation). Empty means not set: the kiosk's own language (Japanese)."""


def new_device_id() -> str:
    """A fresh random device id such as ``kiosk-3f9a1c0b7d2e``."""
    return "kiosk-" + secrets.token_hex(6)
