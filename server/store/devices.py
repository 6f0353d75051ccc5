"""The device overview: one row per enrolled device for ``genba server devices``, the admin API and metrics."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from server.store import schema as t
from shared.timefmt import parse_rfc3339

HEALTH_FIELDS = ("reader_state", "reader_code", "reader_errors", "disk_free_bytes")
"""What a device reports of its health besides the backlog (shared/kioskstatus.py); None = not reported."""


def device_overview(conn: sa.Connection, now: datetime) -> list[dict[str, Any]]:
    """Per device (its highest epoch): acked-through seq, lag, last seen, clock offset, reported status.

    ``lag_s``: the oldest-unsent age the device last reported plus the time
    since that report (0 when it reported nothing unsent, None if it never
    reported). ``clock_offset_s``: device clock − server clock, best sample.
    """
    d, c = t.devices.c, t.chains.c
    latest = sa.select(d.device, sa.func.max(d.epoch).label("epoch")).group_by(d.device).subquery()
    rows = conn.execute(
        sa.select(d.device, d.epoch, d.site, d.revoked_at, d.enrolled_at, d.app, c.last_seq,
                  t.device_status.c.last_seen, t.device_status.c.unsent, t.device_status.c.oldest_unsent_age_s,
                  t.device_status.c.last_error, t.device_status.c.reported_at, t.device_clock.c.offset_us,
                  *(t.device_status.c[f] for f in HEALTH_FIELDS))
        .join(latest, sa.and_(latest.c.device == d.device, latest.c.epoch == d.epoch))
        .join(t.chains, sa.and_(c.device == d.device, c.epoch == d.epoch))
        .outerjoin(t.device_status, t.device_status.c.device == d.device)
        .outerjoin(t.device_clock, t.device_clock.c.device == d.device)
        .order_by(d.device)
    ).all()
    out = []
    for r in rows:
        lag = None
        if r.reported_at is not None and r.unsent is not None:
            since = (now - parse_rfc3339(r.reported_at)).total_seconds()
            lag = 0.0 if r.unsent == 0 else float(r.oldest_unsent_age_s or 0.0) + max(since, 0.0)
        out.append({
            "device": r.device, "epoch": r.epoch, "site": r.site, "revoked": r.revoked_at is not None,
            "enrolled_at": r.enrolled_at, "app": r.app, "acked": int(r.last_seq), "last_seen": r.last_seen,
            "last_seen_age_s": (now - parse_rfc3339(r.last_seen)).total_seconds() if r.last_seen else None,
            "unsent": r.unsent, "oldest_unsent_age_s": r.oldest_unsent_age_s, "lag_s": lag,
            "clock_offset_s": r.offset_us / 1e6 if r.offset_us is not None else None, "last_error": r.last_error,
            **{f: r._mapping[f] for f in HEALTH_FIELDS},
        })
    return out


def site_device_keys(conn: sa.Connection, site: str) -> list[dict[str, Any]]:
    """The site's enrolled, unrevoked device keys (device, epoch, key): what sibling gates verify each other with."""
    d = t.devices.c
    rows = conn.execute(sa.select(d.device, d.epoch, d.verifier_key)
                        .where(d.site == site, d.revoked_at.is_(None)).order_by(d.device, d.epoch)).all()
    return [{"device": r.device, "epoch": r.epoch, "key": r.verifier_key} for r in rows]


def device_corrections(conn: sa.Connection, device: str) -> list[dict[str, Any]]:
    """The back office's decisions on the corrections this device filed (its ``manual`` records), by source seq."""
    from server.store import domain_schema as ds

    c = ds.corrections.c
    rows = conn.execute(sa.select(c.src_epoch, c.src_seq, c.status, c.decided_at, c.decision_note)
                        .where(c.src_device == device).order_by(c.src_epoch, c.src_seq)).all()
    return [{"epoch": r.src_epoch, "seq": r.src_seq, "status": r.status, "decided_at": r.decided_at,
             "note": r.decision_note} for r in rows if r.src_epoch is not None and r.src_seq is not None]


def latest_receipt(conn: sa.Connection, device: str, epoch: int) -> tuple[str | None, int]:
    """The chain's latest signed receipt (None before the first event) and its acked seq."""
    row = conn.execute(sa.select(t.chains.c.receipt, t.chains.c.last_seq).where(
        t.chains.c.device == device, t.chains.c.epoch == epoch)).one()
    return row.receipt, int(row.last_seq)


def record_status(conn: sa.Connection, *, device: str, epoch: int, at: str, unsent: int | None,
                  oldest_unsent_age_s: float | None, last_error: str | None, app: str | None,
                  health: dict[str, Any] | None = None) -> None:
    """A device's status report (backlog and error for the lag metrics; the app version running now;
    ``health``: :data:`HEALTH_FIELDS`, each None when the device did not report it)."""
    from server.store.clock import upsert

    upsert(conn, t.device_status, {"device": device, "last_seen": at, "unsent": unsent,
                                   "oldest_unsent_age_s": oldest_unsent_age_s, "last_error": last_error,
                                   "reported_at": at, **{f: (health or {}).get(f) for f in HEALTH_FIELDS}},
           ["device"])
    if app is not None:  # the version running now, not only the one that enrolled
        conn.execute(t.devices.update().where(t.devices.c.device == device, t.devices.c.epoch == epoch)
                     .values(app=app))


def database_answers(engine: sa.Engine) -> bool:
    """Whether the database answers a trivial query (``/healthz``)."""
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        return True
    except sa.exc.SQLAlchemyError:
        return False
