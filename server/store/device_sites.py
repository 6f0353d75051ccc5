"""The SQL of the device-site assignment history (the rule and the audited move: :mod:`server.site_policy`;
the table: :mod:`server.security.schema`).

A row of ``device_sites`` says: from event ``from_seq`` of (device, epoch) on,
the device writes into ``site``. Enrollment writes the first row (``from_seq`` 1,
``assigned_by`` ``enrollment``); every move (``genba server move-device``, ``POST
/api/v1/admin/devices/{device}/site``) adds one with who, when, from which site
and why. Rows are never updated or deleted. The table is created by the Alembic
branch ``security`` (``server/security/migrations``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from server.security.schema import device_sites
from server.store import schema as t

_ASSIGNMENTS = (sa.select(device_sites.c.from_seq, device_sites.c.site, device_sites.c.previous_site,
                          device_sites.c.assigned_at, device_sites.c.assigned_by, device_sites.c.reason)
                .where(device_sites.c.device == sa.bindparam("device"), device_sites.c.epoch == sa.bindparam("epoch"))
                .order_by(device_sites.c.id))
"""Built once: the worker reads every touched device's assignments in every round (issue 10, P6)."""


def assignment_rows(conn: sa.Connection, device: str, epoch: int) -> list[Any]:
    """The assignment rows of (device, epoch) in the order written."""
    return list(conn.execute(_ASSIGNMENTS, {"device": device, "epoch": epoch}).all())


def enrolled_site(conn: sa.Connection, device: str, epoch: int) -> str | None:
    """The site in the ``devices`` row of (device, epoch) (None if not enrolled)."""
    d = t.devices.c
    site = conn.execute(sa.select(d.site).where(d.device == device, d.epoch == epoch)).scalar_one_or_none()
    return None if site is None else str(site)


def add_assignment(conn: sa.Connection, *, device: str, epoch: int, from_seq: int, site: str,
                   previous_site: str | None, at: str, by: str, reason: str | None) -> None:
    conn.execute(device_sites.insert().values(device=device, epoch=epoch, from_seq=from_seq, site=site,
                                              previous_site=previous_site, assigned_at=at, assigned_by=by,
                                              reason=reason))


def latest_epoch(conn: sa.Connection, device: str) -> Any:
    """The device's highest epoch row (``epoch``, ``revoked_at``), None if never enrolled."""
    d = t.devices.c
    return conn.execute(sa.select(d.epoch, d.revoked_at).where(d.device == device)
                        .order_by(d.epoch.desc()).limit(1)).first()


def lock_acked(conn: sa.Connection, device: str, epoch: int) -> int:
    """The chain's acknowledged seq, the chain row locked (``FOR UPDATE``: serialized with ingest) on PostgreSQL."""
    c = t.chains.c
    query = sa.select(c.last_seq).where(c.device == device, c.epoch == epoch)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return int(conn.execute(query).scalar_one())


def set_current_site(conn: sa.Connection, device: str, epoch: int, site: str) -> None:
    """What the device pulls (site config, roster) follows its newest assignment."""
    d = t.devices.c
    conn.execute(t.devices.update().where(d.device == device, d.epoch == epoch).values(site=site))


def history_rows(conn: sa.Connection, device: str) -> list[Any]:
    """Every assignment row of the device, all epochs, in the order written."""
    c = device_sites.c
    return list(conn.execute(sa.select(device_sites).where(c.device == device).order_by(c.id)).all())
