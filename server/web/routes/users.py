"""Users (administrators only, as ``/api/v1/users``): create with role and scope, change them, reset a
password (a new one-time link), revoke. Each change is in the console's audit trail."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from server.api.routes.users import UserIn
from server.domain.disclosure import Principal
from server.domain.errors import Forbidden
from server.store import console_store as store
from server.store import domain_users as users_store
from server.store.engine import write_transaction
from server.web import accounts, forms
from server.web.auth import SignedIn, Viewer, get_ctx, policy_of
from server.web.errors import FormInvalid
from server.web.i18n import translate
from server.web.render import WebRoute, page

router = APIRouter(route_class=WebRoute, include_in_schema=False)
FIELDS = ("name", "login", "role", "company", "worker", "site")


def _admin(v: Viewer) -> None:
    if v.role != "admin":
        raise Forbidden("managing users is for administrators")


def _users_page(request: Request, v: Viewer, *, status: int = 200, errors: dict[str, str] | None = None,
                alert: str | None = None, form: dict[str, str] | None = None, link: str | None = None,
                link_for: str = "") -> Response:
    ctx = get_ctx(request)
    with ctx.engine.connect() as conn:
        users = users_store.list_users(conn)
        logins = store.logins(conn)
        trail = [e for e in store.audit_entries(conn) if e["target"].startswith("user:")][:50]
    return page(request, "users.html", v, status=status, users=users, logins=logins, errors=errors or {},
                alert=alert, form=form or {"role": "company"}, link=link, link_for=link_for, trail=trail)


@router.get("/users")
async def users_page(request: Request, v: SignedIn) -> Response:
    _admin(v)
    return await run_in_threadpool(_users_page, request, v)


def _principal(lang: str, values: dict[str, str]) -> forms.Outcome:
    def build() -> Principal:
        body = UserIn.model_validate({k: values[k] or None for k in ("name", "role", "company", "worker", "site")})
        return Principal(role=body.role, user="new", company=body.company, worker=body.worker, site=body.site)

    return forms.run(lang, build, FIELDS)


@router.post("/users")
async def create_user(request: Request, v: SignedIn) -> Response:
    _admin(v)
    ctx = get_ctx(request)
    form = await request.form()
    values = {k: forms.text(form, k, 200) for k in FIELDS}
    built = _principal(v.lang, values)
    if not built.ok:
        return await run_in_threadpool(lambda: _users_page(request, v, status=422, errors=built.errors,
                                                           alert=built.alert, form=values))

    def create() -> tuple[int, str, str]:
        with write_transaction(ctx.engine) as conn:
            uid, _token = users_store.add_user(conn, built.value, name=values["name"], at=ctx.now())
            login, path = accounts.new_console_user(conn, uid, values["name"], values["login"] or None, ctx.now(),
                                                    policy_of(request))
            store.audit(conn, at=ctx.now(), by=v.by, action="user_create", target=f"user:{uid}",
                        detail=f"{login} {values['role']}")
        return uid, login, path

    def attempt() -> Any:
        try:
            return create()
        except FormInvalid as exc:
            return {k: translate(val, v.lang) for k, val in exc.fields.items()}

    outcome = await run_in_threadpool(forms.run, v.lang, attempt, FIELDS)
    if isinstance(outcome.value, dict) or not outcome.ok:
        return await run_in_threadpool(lambda: _users_page(
            request, v, status=422, errors=outcome.value if isinstance(outcome.value, dict) else outcome.errors,
            alert=outcome.alert, form=values))
    _uid, login, path = outcome.value
    return await run_in_threadpool(lambda: _users_page(request, v, link=str(request.base_url).rstrip("/") + path,
                                                       link_for=login))


@router.post("/users/{user_id}/role")
async def change_role(user_id: int, request: Request, v: SignedIn) -> Response:
    _admin(v)
    ctx = get_ctx(request)
    form = await request.form()
    values = {k: forms.text(form, k, 200) for k in FIELDS}
    values["name"] = values["name"] or "-"
    built = _principal(v.lang, values)

    def save() -> None:
        with write_transaction(ctx.engine) as conn:
            users_store.update_user(conn, user_id, built.value)
            store.end_sessions_of(conn, user_id, ctx.now())  # the new scope applies from the next sign-in
            store.audit(conn, at=ctx.now(), by=v.by, action="user_role", target=f"user:{user_id}",
                        detail=" ".join(f"{k}={values[k]}" for k in ("role", "company", "worker", "site") if values[k]))

    outcome = forms.run(v.lang, save, FIELDS) if built.ok else built
    if not outcome.ok:
        return await run_in_threadpool(lambda: _users_page(request, v, status=422, errors=outcome.errors,
                                                           alert=outcome.alert))
    return RedirectResponse("/users?done=1", status_code=303)


@router.post("/users/{user_id}/reset")
async def reset_password(user_id: int, request: Request, v: SignedIn) -> Response:
    _admin(v)
    ctx = get_ctx(request)

    def reset() -> tuple[str, str]:
        with write_transaction(ctx.engine) as conn:
            account = store.account_by_id(conn, user_id)
            if account is None or account.revoked:
                raise FormInvalid({"user": "user_unknown"})
            token = accounts.reset_link(conn, user_id, ctx.now(), policy_of(request))
            store.audit(conn, at=ctx.now(), by=v.by, action="user_reset", target=f"user:{user_id}")
            return account.login, accounts.setup_path(token)

    try:
        login, path = await run_in_threadpool(reset)
    except FormInvalid:
        return await run_in_threadpool(lambda: _users_page(request, v, status=404,
                                                           alert=translate("user_unknown", v.lang)))
    return await run_in_threadpool(lambda: _users_page(request, v, link=str(request.base_url).rstrip("/") + path,
                                                       link_for=login))


@router.post("/users/{user_id}/revoke")
async def revoke_user(user_id: int, request: Request, v: SignedIn) -> Response:
    _admin(v)
    ctx = get_ctx(request)
    if user_id == v.account.user_id:
        return await run_in_threadpool(lambda: _users_page(request, v, status=422,
                                                           alert=translate("user_not_self", v.lang)))

    def revoke() -> None:
        with write_transaction(ctx.engine) as conn:
            users_store.revoke_user(conn, user_id, ctx.now())
            store.end_sessions_of(conn, user_id, ctx.now())
            store.audit(conn, at=ctx.now(), by=v.by, action="user_revoke", target=f"user:{user_id}")

    outcome = await run_in_threadpool(forms.run, v.lang, revoke)
    if not outcome.ok:
        return await run_in_threadpool(lambda: _users_page(request, v, status=404, alert=outcome.alert))
    return RedirectResponse("/users?done=1", status_code=303)
