"""The one card-reader interface every backend implements and the kiosk consumes.

A reader yields two kinds of :data:`ReaderEvent`: a :class:`Tap` when a card
is presented (held = one tap; removed and presented again = a new tap), and a
:class:`ReaderStatus` whenever the reader's state changes (connected,
disconnected, error with a reason a site manager can act on).

Backends (``hardware.nfcpy_backend``, ``hardware.pcsc_backend``,
``hardware.sim``) are chosen by a path string like nfcpy's: ``usb``,
``usb:054c:06c3``, ``pcsc``, ``pcsc:<reader name>``, ``udp:host:port``, ``sim``.
The kiosk never imports nfcpy or pyscard; it only sees these types.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, Protocol

from shared.ids import Idm
from shared.messages import t

StatusKind = Literal["connected", "disconnected", "error"]


@dataclass(frozen=True, slots=True)
class Tap:
    """A card presented to a reader."""

    idm: Idm
    """FeliCa IDm, 16 upper-case hex digits: made by :func:`shared.ids.parse_idm` in the backend that read
    the card, and not checked again downstream."""
    reader: str
    """Which reader saw it, e.g. ``usb:054c:06c3``, ``pcsc:SONY FeliCa RC-S300/P``, ``sim``."""
    mono_us: int
    """CLOCK_BOOTTIME in µs at detection (shared.clock), so latency is measured, not guessed."""
    pmm: str | None = None
    """FeliCa PMm (16 hex digits) where the backend can read it."""
    system_code: str | None = None
    """FeliCa system code (4 hex digits) where known."""
    card_data: str | None = None
    """An id read from a configured data block, when the deployment asks for one."""


@dataclass(frozen=True, slots=True)
class ReaderStatus:
    """A change in a reader's state, with messages for the people at the site."""

    kind: StatusKind
    reader: str
    code: str
    """Machine-readable reason: ``ok``, ``no_reader``, ``unplugged``, ``no_permission``,
    ``pcscd_unavailable``, ``read_error``, ``bad_card``, …"""
    message_ja: str
    message_en: str
    mono_us: int
    detail: str = ""
    """Technical detail for the log and for support (an errno, a PC/SC code); never shown instead of
    the messages above. Added by the hardware engineer, with a default so existing callers keep working."""

    def message(self, lang: str | None = None) -> str:
        """The message in ``lang`` (``ja`` or ``en``; default GENBA_LANG, i.e. Japanese)."""
        return t(self.message_ja, self.message_en, lang)


ReaderEvent = Tap | ReaderStatus


class Reader(Protocol):
    """A source of taps and status changes; one per physical (or emulated) reader."""

    @property
    def path(self) -> str: ...

    def events(self) -> Iterator[ReaderEvent]:
        """Yield taps and status changes until :meth:`close` is called.

        Blocks between events without busy-waiting. Never raises for reader
        or card trouble: that becomes a ``ReaderStatus`` and the reader keeps
        trying. Returns after :meth:`close` (from any thread).
        """
        ...

    def close(self) -> None:
        """Stop :meth:`events` and release the device; safe to call twice, from any thread."""
        ...
