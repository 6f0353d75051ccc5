"""Manager mode logic: the PIN with rate limiting, and the events manager actions journal.

No Qt and no I/O beyond what is passed in. Manager actions never edit the
journal: binding a card, amending a direction and recording a forgotten card
each produce a new event (``bind``, ``amend``, ``manual``) through the same
durable append as a tap, so they are evidence the server can check.

Wrong PINs are rate-limited: after :data:`FREE_ATTEMPTS` wrong tries the PIN
pad locks for :data:`FIRST_LOCK_S` seconds, doubling with every further wrong
PIN up to :data:`MAX_LOCK_S`. The limiter counts on CLOCK_BOOTTIME, so setting
the wall clock does not unlock it; a correct PIN resets it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from kiosk.errors import ManagerActionRefused, PinLocked, PinNotSet, WeakPin, WrongPin
from kiosk.settings import PinHash
from kiosk.today import Today
from shared.event import Direction
from shared.ids import Idm, check_ccus_id
from shared.journal import EventDraft
from shared.timefmt import format_rfc3339

FREE_ATTEMPTS = 3
FIRST_LOCK_S = 30
MAX_LOCK_S = 15 * 60
MIN_PIN_DIGITS = 4
MAX_PIN_DIGITS = 12
MANUAL_REASON = "forgotten card (recorded by the site manager)"


def hash_pin(pin: str, *, salt: bytes | None = None) -> PinHash:
    """A salted scrypt hash of a new PIN (4–12 digits)."""
    if not pin.isascii() or not pin.isdigit() or not MIN_PIN_DIGITS <= len(pin) <= MAX_PIN_DIGITS:
        raise WeakPin(f"the PIN must be {MIN_PIN_DIGITS}–{MAX_PIN_DIGITS} digits")
    salt = salt or secrets.token_bytes(16)
    ph = PinHash(salt=salt.hex(), hash="")
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=ph.n, r=ph.r, p=ph.p, dklen=32)
    return PinHash(salt=salt.hex(), hash=digest.hex(), n=ph.n, r=ph.r, p=ph.p)


def pin_matches(pin: str, stored: PinHash) -> bool:
    if len(pin) > MAX_PIN_DIGITS * 4:
        return False
    digest = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(stored.salt), n=stored.n, r=stored.r,
                            p=stored.p, dklen=32)
    return hmac.compare_digest(digest, bytes.fromhex(stored.hash))


class PinGate:
    """Checks manager PINs and refuses to check at all while locked."""

    def __init__(self, stored: PinHash | None) -> None:
        self.stored = stored
        self.failures = 0
        self.locked_until_us = 0

    def lock_seconds(self) -> int:
        extra = self.failures - FREE_ATTEMPTS
        return 0 if extra < 0 else min(MAX_LOCK_S, FIRST_LOCK_S * 2**extra)

    def retry_in_s(self, mono_us: int) -> int:
        return max(0, -(-(self.locked_until_us - mono_us) // 1_000_000))

    def check(self, pin: str, mono_us: int) -> None:
        """Return when the PIN is right; raise PinNotSet, PinLocked or WrongPin otherwise."""
        if self.stored is None:
            raise PinNotSet("no manager PIN is set; run `genba kiosk set-pin` on the device")
        wait = self.retry_in_s(mono_us)
        if wait > 0:
            raise PinLocked(f"too many wrong PINs; try again in {wait} s", retry_in_s=wait)
        if pin_matches(pin, self.stored):
            self.failures, self.locked_until_us = 0, 0
            return
        self.failures += 1
        lock = self.lock_seconds()
        if lock:
            self.locked_until_us = mono_us + lock * 1_000_000
            raise PinLocked(f"wrong PIN; locked for {lock} s", retry_in_s=lock)
        raise WrongPin("wrong PIN", attempts_left=FREE_ATTEMPTS - self.failures)


def latest_at(now: datetime, hour: int, minute: int) -> datetime:
    """The latest moment at ``hour:minute`` that is not after ``now`` (23:00 picked at 02:00 is yesterday's),
    so a forgotten card on a night shift lands on the right day."""
    moment = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return moment - timedelta(days=1) if moment > now else moment


@dataclass(frozen=True, slots=True)
class ManagerActions:
    """Builds the drafts of manager actions, checking them against today's state first."""

    site: str
    reader: str

    def bind(self, idm: Idm, worker: str, today: Today) -> EventDraft:
        check_ccus_id(worker, "worker")
        if today.bindings.get(idm) == worker:
            raise ManagerActionRefused("this card is already bound to this worker")
        return EventDraft(kind="bind", reader=self.reader, site=self.site, idm=idm, worker=worker)

    def amend(self, ref: int, direction: Direction, today: Today) -> EventDraft:
        original = today.recent_event(ref)
        if original is None or original.kind not in ("tap", "manual"):
            raise ManagerActionRefused(f"event {ref} is not a recent entry or exit of today")
        current = original.amended_to or original.direction
        if current == direction:
            raise ManagerActionRefused(f"event {ref} is already recorded as {direction}")
        return EventDraft(kind="amend", reader=self.reader, site=self.site, ref=ref, direction=direction,
                          idm=original.idm, reason="direction amended by the site manager")

    def manual(self, worker: str, direction: Direction, claimed_at: datetime, now: datetime) -> EventDraft:
        check_ccus_id(worker, "worker")
        if claimed_at > now:
            raise ManagerActionRefused("a forgotten-card record cannot be in the future")
        return EventDraft(kind="manual", reader=self.reader, site=self.site, worker=worker, direction=direction,
                          claimed_at=format_rfc3339(claimed_at), reason=MANUAL_REASON)
