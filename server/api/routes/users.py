"""``/api/v1/users``: users, roles and API tokens (admin), and ``/api/v1/me``.

A token is shown once, when the user is created; only its SHA-256 is kept.
Roles: ``admin`` (back office), ``prime`` (prime contractor; with ``site``: a
site manager for that site only), ``company`` (subcontractor company),
``worker`` (one worker, for their own data).
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import Field

from server.api.deps import Context
from server.api.domain_models import WRITE, MeOut, UserCreatedOut, UserRevokedOut, UsersOut, errors
from server.api.routes.registry_common import Body, Caller, ItemId, reading, require, writing
from server.domain.disclosure import Principal
from server.store import domain_users as users_store

router = APIRouter(tags=["users"])


class UserIn(Body):
    name: str = Field(min_length=1, max_length=100)
    role: Literal["admin", "prime", "company", "worker"]
    company: str | None = Field(default=None, max_length=14)
    worker: str | None = Field(default=None, max_length=14)
    site: str | None = Field(default=None, max_length=14)


@router.post("/users", status_code=201, response_model=UserCreatedOut, response_model_exclude_unset=True,
             responses=errors(*WRITE))
def create_user(body: UserIn, p: Caller, ctx: Context) -> dict[str, Any]:
    """Create a user and its API token (admin). The token is in this answer only."""
    require(p.role == "admin", "managing users", "ユーザー管理")
    principal = Principal(role=body.role, user="new", company=body.company, worker=body.worker, site=body.site)
    with writing(ctx) as conn:
        uid, token = users_store.add_user(conn, principal, name=body.name, at=ctx.now())
    return {"id": uid, "token": token, **body.model_dump()}


@router.get("/users", response_model=UsersOut, response_model_exclude_unset=True,
             responses=errors(401, 403))
def list_users(p: Caller, ctx: Context) -> dict[str, Any]:
    require(p.role == "admin", "managing users", "ユーザー管理")
    with reading(ctx) as conn:
        return {"users": users_store.list_users(conn)}


@router.post("/users/{user_id}/revoke", response_model=UserRevokedOut, response_model_exclude_unset=True,
             responses=errors(400, 401, 403, 404))
def revoke_user(user_id: ItemId, p: Caller, ctx: Context) -> dict[str, Any]:
    require(p.role == "admin", "managing users", "ユーザー管理")
    with writing(ctx) as conn:
        users_store.revoke_user(conn, user_id, ctx.now())
    return {"id": user_id, "revoked": True}


@router.get("/me", response_model=MeOut, response_model_exclude_unset=True,
             responses=errors(401))
def me(p: Caller) -> dict[str, Any]:
    """Who the token belongs to."""
    return {"user": p.user, "role": p.role, "company": p.company, "worker": p.worker, "site": p.site}
