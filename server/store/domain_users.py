"""Users of the domain API and their tokens (``dom_users``): only a token's SHA-256 is ever stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from server.domain.disclosure import Principal
from server.domain.errors import NotFound
from server.store import domain_schema as t
from server.store.domain_records import get_company, get_site, get_worker
from shared.timefmt import format_rfc3339


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_user(conn: sa.Connection, p: Principal, *, name: str, at: datetime) -> tuple[int, str]:
    """Create a user with a fresh API token; the token is returned once and only its hash is kept."""
    if p.company is not None:
        get_company(conn, p.company)
    if p.worker is not None:
        get_worker(conn, p.worker)
    if p.site is not None:
        get_site(conn, p.site)
    token = "gu_" + secrets.token_urlsafe(32)
    res = conn.execute(t.users.insert().values(name=name, role=p.role, company=p.company, worker=p.worker,
                                               site=p.site, token_hash=token_hash(token),
                                               created_at=format_rfc3339(at)))
    return int(res.inserted_primary_key[0]), token  # type: ignore[index]


def principal_for_token(conn: sa.Connection, token: str) -> Principal | None:
    row = conn.execute(sa.select(t.users).where(t.users.c.token_hash == token_hash(token),
                                                t.users.c.revoked_at.is_(None))).first()
    if row is None:
        return None
    return Principal(role=row.role, user=f"user:{row.id}", company=row.company, worker=row.worker, site=row.site)


def list_users(conn: sa.Connection) -> list[dict[str, Any]]:
    cols = [t.users.c[n] for n in ("id", "name", "role", "company", "worker", "site", "created_at", "revoked_at")]
    return [dict(r._mapping) for r in conn.execute(sa.select(*cols).order_by(t.users.c.id))]


def revoke_user(conn: sa.Connection, user_id: int, at: datetime) -> None:
    res = conn.execute(t.users.update().where(t.users.c.id == user_id, t.users.c.revoked_at.is_(None))
                       .values(revoked_at=format_rfc3339(at)))
    if res.rowcount == 0:
        raise NotFound(f"user {user_id} does not exist or is already revoked", user=user_id)


def update_user(conn: sa.Connection, user_id: int, p: Principal) -> None:
    """Change a user's role and scope (company, worker, site); the referenced records must exist."""
    if p.company is not None:
        get_company(conn, p.company)
    if p.worker is not None:
        get_worker(conn, p.worker)
    if p.site is not None:
        get_site(conn, p.site)
    res = conn.execute(t.users.update().where(t.users.c.id == user_id, t.users.c.revoked_at.is_(None))
                       .values(role=p.role, company=p.company, worker=p.worker, site=p.site))
    if res.rowcount == 0:
        raise NotFound(f"user {user_id} does not exist or is revoked", user=user_id)
