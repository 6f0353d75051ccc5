"""What the domain's routes share: the caller as a :class:`Principal`, transactions, JSON shapes.

Authentication: ``Authorization: Bearer <token>``. The configured admin token
(sync server settings) is the back-office administrator; every other token is
a user's API token (``dom_users``, created by ``POST /api/v1/users``, stored
only as its SHA-256). A missing or unknown token is 401 ``bad_token``.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from datetime import date, datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from fastapi import Depends, Query, Request
from fastapi import Path as FastPath
from pydantic import BaseModel, ConfigDict, Field, model_validator

from server.api.deps import Context
from server.context import ServerContext
from server.domain.disclosure import Principal
from server.domain.errors import Forbidden
from server.errors import BadToken
from server.store import domain_users as users_store
from server.store.engine import write_transaction

ADMIN = Principal(role="admin", user="admin")


def caller(request: Request, ctx: Context) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise BadToken("this endpoint needs 'Authorization: Bearer <API token>'")
    if ctx.admin_token is not None and hmac.compare_digest(token.encode(), ctx.admin_token.encode()):
        return ADMIN
    with ctx.engine.connect() as conn:
        p = users_store.principal_for_token(conn, token)
    if p is None:
        raise BadToken("unknown or revoked API token")
    return p


Caller = Annotated[Principal, Depends(caller)]


@contextmanager
def reading(ctx: ServerContext) -> Iterator[sa.Connection]:
    with ctx.engine.connect() as conn:
        yield conn


@contextmanager
def writing(ctx: ServerContext) -> Iterator[sa.Connection]:
    """One write transaction: a refusal raised inside rolls everything back (nothing changed)."""
    with write_transaction(ctx.engine) as conn:
        yield conn


def require(allowed: bool, what: str, what_ja: str) -> None:
    if not allowed:
        raise Forbidden(f"not allowed: {what}", message_ja=f"この操作の権限がありません（{what_ja}）。")


def site_today(ctx: ServerContext, tz: str) -> date:
    """Today's date where the site is (``ctx.now()`` is UTC: in Japan its date is yesterday's until 09:00)."""
    return ctx.now().astimezone(ZoneInfo(tz)).date()


def default_month(ctx: ServerContext, tz: str) -> str:
    """The month pages show when none is asked for: the current month where the site is (YYYY-MM)."""
    return site_today(ctx, tz).isoformat()[:7]


def plain(value: Any) -> Any:
    """Dataclasses, dates and tuples as JSON-ready values (see :func:`plain_dict`)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {k: plain(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat(timespec="milliseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return value


def plain_dict(value: Any) -> dict[str, Any]:
    out = plain(value)
    assert isinstance(out, dict)
    return out


ItemId = Annotated[int, FastPath(ge=1, le=2**31 - 1, description="numeric id")]
"""A numeric path id: bounded, so an absurd number is a 400 (malformed), never a database overflow."""
ShortText = Annotated[str, Field(max_length=100)]
CcusId = Annotated[str, FastPath(pattern=r"^[0-9]{14}$", description="14-digit CCUS id")]
"""A 14-digit id in the path (site, worker, company); anything else is 400 malformed."""
CcusQuery = Annotated[str | None, Query(pattern=r"^[0-9]{14}$", description="14-digit CCUS id")]


def _no_control_characters(value: Any) -> Any:
    if isinstance(value, str):
        if any(ord(c) < 32 and c not in "\t\n" for c in value) or "\x7f" in value:
            raise ValueError("text must not contain control characters")
    elif isinstance(value, dict):
        for v in value.values():
            _no_control_characters(v)
    elif isinstance(value, list):
        for v in value:
            _no_control_characters(v)
    return value


class Body(BaseModel):
    """Base of every request body of the domain API: unknown fields and control characters refused."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _clean(cls, data: Any) -> Any:
        return _no_control_characters(data)
