"""The request replay guard in the database, so that any number of server processes share it.

A nonce is remembered (primary key device, epoch, nonce) until twice the skew
window has passed: requests older than the window are refused by
:func:`shared.request_auth.verify_request` anyway. The insert is the check:
a second process inserting the same nonce hits the primary key and the request
is refused as :class:`shared.request_auth.Replayed`. Expired rows are deleted
now and then by whichever request comes along (no background job needed).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from server.store.engine import Prepared, write_transaction
from server.store.schema import metadata
from shared.request_auth import MAX_SKEW, DeviceAuth, Replayed
from shared.timefmt import format_rfc3339

request_nonces = sa.Table(
    "request_nonces",
    metadata,
    sa.Column("device", sa.String(63), primary_key=True),
    sa.Column("epoch", sa.Integer, primary_key=True),
    sa.Column("nonce", sa.String(32), primary_key=True),
    sa.Column("expires_at", sa.String(32), nullable=False),
    sa.Index("ix_request_nonces_expires_at", "expires_at"),
)


def _remember(insert: Any) -> Prepared:
    values: dict[str, Any] = {name: sa.bindparam(name) for name in ("device", "epoch", "nonce", "expires_at")}
    return Prepared(insert(request_nonces).values(values).on_conflict_do_nothing()
                    .returning(request_nonces.c.nonce))


_REMEMBER = {False: _remember(sqlite.insert), True: _remember(postgresql.insert)}
"""The insert that is the check, built and compiled once (every signed request runs it)."""


class DatabaseReplayGuard:
    """Same contract as :class:`shared.request_auth.ReplayGuard`, kept in the server database."""

    def __init__(self, engine: sa.Engine, *, max_skew: timedelta = MAX_SKEW, sweep_every: int = 200) -> None:
        self._engine, self._window, self._sweep_every = engine, 2 * max_skew, sweep_every

    def check_and_remember(self, auth: DeviceAuth, now: datetime) -> None:
        """Raise :class:`Replayed` if this nonce was seen (by any process); otherwise remember it."""
        with write_transaction(self._engine) as conn:
            self.remember(conn, auth, now)

    def remember(self, conn: sa.Connection, auth: DeviceAuth, now: datetime) -> None:
        """:meth:`check_and_remember` inside the caller's write transaction (the request's one transaction).

        A refusal raised later in that transaction rolls the nonce back with everything else: the request
        changed nothing, so a repeat of it is refused (or accepted) again for its own reasons.
        """
        values = {"device": auth.device, "epoch": auth.epoch, "nonce": auth.nonce,
                  "expires_at": format_rfc3339(now + self._window)}
        stored = len(_REMEMBER[conn.dialect.name == "postgresql"].run(conn, values).fetchall())
        if random.randrange(self._sweep_every) == 0:  # amortised clean-up; nothing depends on its timing
            conn.execute(request_nonces.delete().where(request_nonces.c.expires_at < format_rfc3339(now)))
        if stored != 1:
            raise Replayed(f"nonce {auth.nonce} of device {auth.device} was already used")

    def __len__(self) -> int:
        with self._engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(request_nonces)).scalar_one())
