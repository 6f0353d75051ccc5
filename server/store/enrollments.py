"""Enrollment's SQL: one-time codes, enrolled device keys, their chains, revocation (the rules: server.enrollment)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from server.store import schema as t
from shared.chain import GENESIS


def insert_code(conn: sa.Connection, *, code_hash: str, site: str, created_at: str, expires_at: str) -> None:
    conn.execute(t.enrollment_codes.insert().values(code_hash=code_hash, site=site, created_at=created_at,
                                                    expires_at=expires_at))


def lock_code(conn: sa.Connection, code_hash: str) -> Any:
    """The code's row (None if unknown), locked until the transaction ends on PostgreSQL (``FOR UPDATE``)."""
    query = sa.select(t.enrollment_codes).where(t.enrollment_codes.c.code_hash == code_hash)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return conn.execute(query).first()


def highest_epoch(conn: sa.Connection, device: str) -> int | None:
    value = conn.execute(sa.select(sa.func.max(t.devices.c.epoch)).where(t.devices.c.device == device))
    highest = value.scalar_one_or_none()
    return None if highest is None else int(highest)


def add_device(conn: sa.Connection, *, device: str, epoch: int, site: str, verifier_key: str, app: str,
               at: str) -> bool:
    """Store an enrolled key and its empty chain; False (nothing stored) if (device, epoch) is already enrolled."""
    try:
        with conn.begin_nested():
            conn.execute(t.devices.insert().values(device=device, epoch=epoch, site=site, verifier_key=verifier_key,
                                                   app=app, enrolled_at=at))
    except sa.exc.IntegrityError:  # the same device and epoch enrolled concurrently with another code
        return False
    conn.execute(t.chains.insert().values(device=device, epoch=epoch, last_seq=0, head=GENESIS, receipt=None,
                                          updated_at=at))
    return True


def mark_code_used(conn: sa.Connection, code_hash: str, *, at: str, device: str, epoch: int) -> None:
    conn.execute(t.enrollment_codes.update().where(t.enrollment_codes.c.code_hash == code_hash).values(
        used_at=at, used_by_device=device, used_by_epoch=epoch))


def device_row(conn: sa.Connection, device: str, epoch: int) -> Any:
    """The ``devices`` row of (device, epoch), None if not enrolled."""
    return conn.execute(sa.select(t.devices).where(t.devices.c.device == device, t.devices.c.epoch == epoch)).first()


def revoke_device(conn: sa.Connection, device: str, at: str) -> list[int] | None:
    """Revoke every epoch of ``device`` not revoked yet; the epochs revoked now, None if never enrolled."""
    d = t.devices.c
    rows = conn.execute(sa.select(d.epoch, d.revoked_at).where(d.device == device)).all()
    if not rows:
        return None
    conn.execute(t.devices.update().where(d.device == device, d.revoked_at.is_(None)).values(revoked_at=at))
    return sorted(int(r.epoch) for r in rows if r.revoked_at is None)
