"""The console's storage: accounts, set-password links, sessions, sign-in attempts, audit, gate names, thresholds.

The console's own tables (:mod:`server.store.console_schema`); its reads of the other parts' tables are in
:mod:`server.store.console_queries`. The console's pages (server/web) build no query: they call these and the
domain's own service functions. Secrets are never stored: a session cookie or a set-password link is kept as
its SHA-256. Callers pass the connection, so each page action is one transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from server.store import console_schema as t
from server.store import domain_schema as dom
from server.store.clock import upsert
from shared.timefmt import format_rfc3339, parse_rfc3339


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _ts(moment: datetime) -> str:
    return format_rfc3339(moment)


@dataclass(frozen=True, slots=True)
class Account:
    user_id: int
    login: str
    name: str
    role: str
    company: str | None
    worker: str | None
    site: str | None
    password_hash: str | None
    revoked: bool


def _account(row: Any) -> Account:
    return Account(row.user_id, row.login, row.name, row.role, row.company, row.worker, row.site,
                   row.password_hash, row.revoked_at is not None)


def _account_query() -> sa.Select[Any]:
    u = dom.users.c
    return sa.select(t.accounts.c.user_id, t.accounts.c.login, t.accounts.c.password_hash, u.name, u.role,
                     u.company, u.worker, u.site, u.revoked_at).join(dom.users, u.id == t.accounts.c.user_id)


def account_by_login(conn: sa.Connection, login: str) -> Account | None:
    row = conn.execute(_account_query().where(t.accounts.c.login == login.strip().lower())).first()
    return _account(row) if row else None


def account_by_id(conn: sa.Connection, user_id: int) -> Account | None:
    row = conn.execute(_account_query().where(t.accounts.c.user_id == user_id)).first()
    return _account(row) if row else None


def logins(conn: sa.Connection) -> dict[int, str]:
    return {r.user_id: r.login for r in conn.execute(sa.select(t.accounts.c.user_id, t.accounts.c.login))}


def login_taken(conn: sa.Connection, login: str) -> bool:
    return conn.execute(sa.select(t.accounts.c.user_id).where(t.accounts.c.login == login)).first() is not None


def add_account(conn: sa.Connection, user_id: int, login: str) -> None:
    conn.execute(t.accounts.insert().values(user_id=user_id, login=login.lower()))


def set_password(conn: sa.Connection, user_id: int, password_hash: str, at: datetime) -> None:
    conn.execute(t.accounts.update().where(t.accounts.c.user_id == user_id)
                 .values(password_hash=password_hash, password_set_at=_ts(at)))


def clear_password(conn: sa.Connection, user_id: int) -> None:
    conn.execute(t.accounts.update().where(t.accounts.c.user_id == user_id).values(password_hash=None))


# ---- set-password links ----

def new_setup_token(conn: sa.Connection, user_id: int, at: datetime, ttl: timedelta) -> str:
    """A fresh one-time link token for ``user_id``; earlier unused links of the user stop working."""
    conn.execute(t.setup_tokens.update().where(t.setup_tokens.c.user_id == user_id,
                                               t.setup_tokens.c.used_at.is_(None)).values(used_at=_ts(at)))
    token = secrets.token_urlsafe(32)
    conn.execute(t.setup_tokens.insert().values(token_hash=digest(token), user_id=user_id, created_at=_ts(at),
                                                expires_at=_ts(at + ttl)))
    return token


def setup_token_user(conn: sa.Connection, token: str, at: datetime) -> int | None:
    """The user a still-valid, unused link belongs to (None otherwise)."""
    if not token or len(token) > 100:
        return None
    row = conn.execute(sa.select(t.setup_tokens).where(t.setup_tokens.c.token_hash == digest(token))).first()
    if row is None or row.used_at is not None or parse_rfc3339(row.expires_at) <= at:
        return None
    return int(row.user_id)


def use_setup_token(conn: sa.Connection, token: str, at: datetime) -> None:
    conn.execute(t.setup_tokens.update().where(t.setup_tokens.c.token_hash == digest(token))
                 .values(used_at=_ts(at)))


# ---- sessions ----

@dataclass(frozen=True, slots=True)
class SessionRow:
    token_hash: str
    user_id: int
    csrf: str
    created_at: datetime
    last_seen_at: datetime


def new_session(conn: sa.Connection, user_id: int, at: datetime) -> tuple[str, str]:
    """Start a session; returns (cookie value, CSRF token). Only the cookie's hash is stored."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    conn.execute(t.sessions.insert().values(token_hash=digest(token), user_id=user_id, csrf=csrf,
                                            created_at=_ts(at), last_seen_at=_ts(at)))
    return token, csrf


def find_session(conn: sa.Connection, token: str) -> SessionRow | None:
    if not token or len(token) > 100:
        return None
    row = conn.execute(sa.select(t.sessions).where(t.sessions.c.token_hash == digest(token),
                                                   t.sessions.c.ended_at.is_(None))).first()
    if row is None:
        return None
    return SessionRow(row.token_hash, row.user_id, row.csrf, parse_rfc3339(row.created_at),
                      parse_rfc3339(row.last_seen_at))


def touch_session(conn: sa.Connection, token_hash: str, at: datetime) -> None:
    conn.execute(t.sessions.update().where(t.sessions.c.token_hash == token_hash).values(last_seen_at=_ts(at)))


def end_session(conn: sa.Connection, token_hash: str, at: datetime) -> None:
    conn.execute(t.sessions.update().where(t.sessions.c.token_hash == token_hash, t.sessions.c.ended_at.is_(None))
                 .values(ended_at=_ts(at)))


def end_sessions_of(conn: sa.Connection, user_id: int, at: datetime) -> None:
    conn.execute(t.sessions.update().where(t.sessions.c.user_id == user_id, t.sessions.c.ended_at.is_(None))
                 .values(ended_at=_ts(at)))


# ---- sign-in attempts ----

def record_attempt(conn: sa.Connection, login: str, client: str, at: datetime, ok: bool) -> None:
    conn.execute(t.signin_attempts.insert().values(login=login[:64], client=client[:64], at=_ts(at), ok=ok))


def failures_since(conn: sa.Connection, *, since: datetime, login: str | None = None,
                   client: str | None = None) -> list[datetime]:
    """Failed attempts after ``since`` (for a login, or from a client), oldest first; a success resets a login."""
    a = t.signin_attempts.c
    q = sa.select(a.at, a.ok).where(a.at > _ts(since)).order_by(a.at)
    q = q.where(a.login == login[:64]) if login is not None else q.where(a.client == (client or "")[:64])
    out: list[datetime] = []
    for r in conn.execute(q):
        if r.ok and login is not None:
            out = []
        elif not r.ok:
            out.append(parse_rfc3339(r.at))
    return out


# ---- audit, gate names, thresholds ----

def audit(conn: sa.Connection, *, at: datetime, by: str, action: str, target: str, detail: str = "") -> None:
    conn.execute(t.audit.insert().values(at=_ts(at), by=by, action=action, target=target[:80], detail=detail))


def audit_entries(conn: sa.Connection, *, target: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    q = sa.select(t.audit).order_by(t.audit.c.id.desc()).limit(limit)
    if target is not None:
        q = q.where(t.audit.c.target == target)
    return [dict(r._mapping) for r in conn.execute(q)]


def gate_names(conn: sa.Connection) -> dict[str, str]:
    return {r.device: r.name for r in conn.execute(sa.select(t.gate_names.c.device, t.gate_names.c.name))}


def set_gate_name(conn: sa.Connection, device: str, name: str, at: datetime) -> None:
    upsert(conn, t.gate_names, {"device": device, "name": name, "updated_at": _ts(at)}, ["device"])


def thresholds(conn: sa.Connection) -> dict[str, float]:
    return {r.name: float(r.value) for r in conn.execute(sa.select(t.thresholds))}


def set_thresholds(conn: sa.Connection, values: dict[str, float]) -> None:
    for name, value in values.items():
        upsert(conn, t.thresholds, {"name": name, "value": value}, ["name"])


def taps_between(conn: sa.Connection, site: str, idms: list[str], start: str, end: str) -> list[dict[str, Any]]:
    """The site's taps of these cards in [start, end) (UTC text), oldest first: what a calendar cell is made of."""
    if not idms:
        return []
    c = dom.taps.c
    q = (sa.select(c.device, c.seq, c.at, c.kind, c.idm, c.direction, c.orig_direction, c.clock_suspect)
         .where(c.site == site, c.idm.in_(sorted(idms)), c.at >= start, c.at < end).order_by(c.at))
    return [dict(r._mapping) for r in conn.execute(q)]
