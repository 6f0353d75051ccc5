"""Enrollment: one-time, expiring codes bound to a site; devices registering their public keys; revocation.

A back-office user (or ``genba server enroll-code``) creates a code; a device
sends it with its new public key (``POST /api/v1/enroll``). The code is a
credential, so only its SHA-256 is stored, it works once, and it expires. A
failed enrollment does not consume it. A re-imaged or revoked device enrolls
again with a higher epoch; a revoked key is refused everywhere
(:func:`device_key` raises :class:`Revoked`).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from server.errors import (
    EnrollmentCodeExpired,
    EnrollmentCodeInvalid,
    EnrollmentCodeUsed,
    EpochNotNewer,
    NotFound,
    Revoked,
)
from server.site_policy import record_enrollment
from server.store import schema as t
from server.store.engine import write_transaction
from shared.chain import GENESIS
from shared.errors import UnknownKey
from shared.ids import check_ccus_id, check_device_id
from shared.keys import VerifierKey
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
        conn.execute(t.enrollment_codes.insert().values(
            code_hash=code_hash(code), site=site, created_at=utc_text(now), expires_at=expires))
    return code, expires


@dataclass(frozen=True, slots=True)
class Enrolled:
    device: str
    epoch: int
    site: str


def enroll(
    engine: sa.Engine, *, code: str, device: str, epoch: int, key: VerifierKey, app: str, now: datetime
) -> Enrolled:
    """Register a device key with a one-time code, all or nothing."""
    check_device_id(device)
    digest = code_hash(code)
    stamp = utc_text(now)
    with write_transaction(engine) as conn:
        query = sa.select(t.enrollment_codes).where(t.enrollment_codes.c.code_hash == digest)
        if conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = conn.execute(query).first()
        if row is None:
            raise EnrollmentCodeInvalid("no such enrollment code")
        if row.used_at is not None:
            raise EnrollmentCodeUsed(f"this enrollment code was used at {row.used_at}")
        if row.expires_at <= stamp:
            raise EnrollmentCodeExpired(f"this enrollment code expired at {row.expires_at}")
        highest = conn.execute(
            sa.select(sa.func.max(t.devices.c.epoch)).where(t.devices.c.device == device)
        ).scalar_one_or_none()
        if highest is not None and epoch <= highest:
            raise EpochNotNewer(f"device {device} already had epoch {highest}; enroll with epoch {highest + 1} or more",
                                highest_epoch=highest)
        try:
            with conn.begin_nested():
                conn.execute(t.devices.insert().values(device=device, epoch=epoch, site=row.site,
                                                       verifier_key=key.encode(), app=app, enrolled_at=stamp))
        except sa.exc.IntegrityError:  # the same device and epoch enrolled concurrently with another code
            raise EpochNotNewer(f"device {device} epoch {epoch} is already enrolled") from None
        conn.execute(t.chains.insert().values(device=device, epoch=epoch, last_seq=0, head=GENESIS, receipt=None,
                                              updated_at=stamp))
        conn.execute(t.enrollment_codes.update().where(t.enrollment_codes.c.code_hash == digest).values(
            used_at=stamp, used_by_device=device, used_by_epoch=epoch))
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
    row = conn.execute(
        sa.select(t.devices).where(t.devices.c.device == device, t.devices.c.epoch == epoch)
    ).first()
    if row is None:
        raise UnknownKey(f"device {device} epoch {epoch} is not enrolled")
    if row.revoked_at is not None:
        raise Revoked(f"device {device} epoch {epoch} was revoked at {row.revoked_at}")
    return EnrolledKey(device, epoch, row.site, VerifierKey.decode(row.verifier_key))


def revoke(engine: sa.Engine, *, device: str, now: datetime) -> list[int]:
    """Revoke every enrolled epoch of a device; return the epochs revoked now."""
    with write_transaction(engine) as conn:
        rows = conn.execute(sa.select(t.devices.c.epoch, t.devices.c.revoked_at).where(
            t.devices.c.device == device)).all()
        if not rows:
            raise NotFound(f"no enrolled device {device}")
        epochs = [r.epoch for r in rows if r.revoked_at is None]
        conn.execute(t.devices.update().where(t.devices.c.device == device, t.devices.c.revoked_at.is_(None))
                     .values(revoked_at=utc_text(now)))
    return sorted(epochs)

