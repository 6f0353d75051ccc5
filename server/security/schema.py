"""The device-site assignment history (one row per assignment, append-only: the audit trail of moves).

A row says: from event ``from_seq`` of (device, epoch) on, the device writes into
``site``. Enrollment writes the first row (``from_seq`` 1, ``assigned_by``
``enrollment``); every move (``genba server move-device``, ``POST
/api/v1/admin/devices/{device}/site``) adds one with who, when, from which site and
why. Rows are never updated or deleted. How a seq finds its row:
:func:`server.site_policy.assignment_for`.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

device_sites = sa.Table(
    "device_sites",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("device", sa.String(63), nullable=False),
    sa.Column("epoch", sa.Integer, nullable=False),
    sa.Column("from_seq", sa.BigInteger, nullable=False, comment="first event seq the assignment applies to"),
    sa.Column("site", sa.String(14), nullable=False),
    sa.Column("previous_site", sa.String(14), comment="the site before this assignment; NULL at enrollment"),
    sa.Column("assigned_at", sa.String(32), nullable=False),
    sa.Column("assigned_by", sa.Text, nullable=False, comment="who: 'enrollment', 'cli:<user>', 'api:<name>'"),
    sa.Column("reason", sa.Text),
    sa.ForeignKeyConstraint(["device", "epoch"], ["devices.device", "devices.epoch"]),
)
sa.Index("ix_device_sites_chain", device_sites.c.device, device_sites.c.epoch, device_sites.c.from_seq)
