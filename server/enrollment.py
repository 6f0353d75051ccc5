"""Enrollment: one-time, expiring codes bound to a site; devices registering their public keys; revocation.

A back-office user (or ``genba server enroll-code``) creates a code; a device
sends it with its new public key (``POST /api/v1/enroll``). The code is a
credential, so only its SHA-256 is stored, it works once, and it expires. A
failed enrollment does not consume it. A re-imaged or revoked device enrolls
again with a higher epoch; a revoked key is refused everywhere
(:func:`device_key` raises :class:`Revoked`).

The rules are here; the SQL is in :mod:`server.store.enrollments`.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

import sqlalchemy as sa

from server.errors import (
    EnrollmentCodeExpired,
    EnrollmentCodeInvalid,
    EnrollmentCodeUsed,
    EpochNotNewer,
    KeyNameRefused,
    Revoked,
    UnknownDevice,
)
from server.site_policy import record_enrollment
from server.store import enrollments as store
from server.store.console_queries import site_info
from server.store.engine import write_transaction
from shared.errors import UnknownKey
from shared.ids import check_ccus_id, check_device_id
from shared.keys import VerifierKey
from shared.siterules import DEFAULT_TIMEZONE, site_timezone
from shared.timefmt import format_rfc3339

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""No I, L, O, 0 or 1: a code is read aloud over the phone and typed on a kiosk."""
CODE_LENGTH = 16


def utc_text(moment: datetime) -> str:
    return format_rfc3339(moment.astimezone(UTC))


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def code_hash(code: str) -> str:
    """SHA-256 of the normalized code; raises :class:`EnrollmentCodeInvalid` for anything not code-shaped."""
    if not isinstance(code, str) or len(code) > 64:
        raise EnrollmentCodeInvalid("not an enrollment code")
    norm = code.replace("-", "").replace(" ", "").upper()
    if len(norm) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in norm):
        raise EnrollmentCodeInvalid("not an enrollment code (16 letters and digits, e.g. K7QX-3MPA-RT9W-HB2C)")
    return hashlib.sha256(norm.encode()).hexdigest()


def create_code(engine: sa.Engine, *, site: str, ttl: timedelta, now: datetime) -> tuple[str, str]:
    """Store a new one-time code for ``site``; return (code, expires_at)."""
    check_ccus_id(site, "site")
    code = new_code()
    expires = utc_text(now + ttl)
    with write_transaction(engine) as conn:
        store.insert_code(conn, code_hash=code_hash(code), site=site, created_at=utc_text(now), expires_at=expires)
    return code, expires


@dataclass(frozen=True, slots=True)
class Enrolled:
    device: str
    epoch: int
    site: str


def site_zones(engine: sa.Engine) -> defaultdict[str, tzinfo]:
    """Every site's zone, for showing its times (a code's expiry, a device's last contact): the registry's, else
    the site configuration's (``console_queries.site_info``); Japan's for a site the server does not know yet."""
    with engine.connect() as conn:
        known = {site: site_timezone(tz) for site, (_name, tz) in site_info(conn).items()}
    return defaultdict(lambda: site_timezone(DEFAULT_TIMEZONE), known)


def enroll(
    engine: sa.Engine, *, code: str, device: str, epoch: int, key: VerifierKey, app: str, now: datetime
) -> Enrolled:
    """Register a device key with a one-time code, all or nothing."""
    check_device_id(device)
    if key.name != f"{device}.e{epoch}":
        # A key's name is what signed notes show beside its signature: a device key named like the
        # server's (or anything else) could pass for another signer in a receipt or checkpoint.
        raise KeyNameRefused(f"the device key is named {key.name[:80]!r}; it must be named {device}.e{epoch}")
    digest = code_hash(code)
    stamp = utc_text(now)
    with write_transaction(engine) as conn:
        row = store.lock_code(conn, digest)
        if row is None:
            raise EnrollmentCodeInvalid("no such enrollment code")
        if row.used_at is not None:
            raise EnrollmentCodeUsed(f"this enrollment code was used at {row.used_at}")
        if row.expires_at <= stamp:
            raise EnrollmentCodeExpired(f"this enrollment code expired at {row.expires_at}")
        highest = store.highest_epoch(conn, device)
        if highest is not None and epoch <= highest:
            raise EpochNotNewer(f"device {device} already had epoch {highest}; enroll with epoch {highest + 1} or more",
                                highest_epoch=highest)
        if not store.add_device(conn, device=device, epoch=epoch, site=row.site, verifier_key=key.encode(), app=app,
                                at=stamp):
            raise EpochNotNewer(f"device {device} epoch {epoch} is already enrolled")
        store.mark_code_used(conn, digest, at=stamp, device=device, epoch=epoch)
        record_enrollment(conn, device=device, epoch=epoch, site=row.site, at=stamp)
    return Enrolled(device, epoch, row.site)


@dataclass(frozen=True, slots=True)
class EnrolledKey:
    device: str
    epoch: int
    site: str
    key: VerifierKey


def device_key(conn: sa.Connection, device: str, epoch: int) -> EnrolledKey:
    """The enrolled key of (device, epoch); :class:`UnknownKey` if none, :class:`Revoked` if revoked."""
    row = store.device_row(conn, device, epoch)
    if row is None:
        raise UnknownKey(f"device {device} epoch {epoch} is not enrolled")
    if row.revoked_at is not None:
        raise Revoked(f"device {device} epoch {epoch} was revoked at {row.revoked_at}")
    return EnrolledKey(device, epoch, row.site, VerifierKey.decode(row.verifier_key))


def revoke(engine: sa.Engine, *, device: str, now: datetime) -> list[int]:
    """Revoke every enrolled epoch of a device; return the epochs revoked now."""
    with write_transaction(engine) as conn:
        epochs = store.revoke_device(conn, device, utc_text(now))
    if epochs is None:
        raise UnknownDevice(f"no enrolled device {device}")
    return epochs

