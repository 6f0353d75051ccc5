"""Sign-in, sign-out, set-password links, the language switch and the start page."""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from server.store import console_store as store
from server.store.engine import write_transaction
from server.web import accounts
from server.web.auth import PRE_COOKIE, SESSION_COOKIE, SignedIn, get_ctx, lang_of, policy_of
from server.web.errors import CsrfRefused, FormInvalid, SetupLinkInvalid, SignInFailed, SignInLocked
from server.web.i18n import LANGS
from server.web.render import WebRoute, page, safe_next, set_lang_cookie

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _form_text(form: object, name: str, limit: int = 200) -> str:
    value = form.get(name) if hasattr(form, "get") else None
    return value[:limit] if isinstance(value, str) else ""


def _signin_page(request: Request, *, status: int = 200, error: str | None = None, login: str = "",
                 minutes: int = 0, notice: str | None = None) -> Response:
    pre = request.cookies.get(PRE_COOKIE) or secrets.token_urlsafe(24)
    resp = page(request, "signin.html", status=status, error=error, login=login, minutes=minutes, notice=notice,
                csrf=pre, next=safe_next(request.query_params.get("next")))
    resp.set_cookie(PRE_COOKIE, pre, httponly=True, samesite="strict", secure=_secure(request))
    return resp


@router.get("/sign-in")
def signin_form(request: Request) -> Response:
    notice = "signin_expired" if request.query_params.get("expired") else (
        "signed_out" if request.query_params.get("out") else "setpw_done" if request.query_params.get("set") else None)
    return _signin_page(request, notice=notice)


@router.post("/sign-in")
async def signin_submit(request: Request) -> Response:
    ctx, policy = get_ctx(request), policy_of(request)
    form = await request.form()
    pre = request.cookies.get(PRE_COOKIE, "")
    sent = _form_text(form, "csrf", 100)
    if not pre or not hmac.compare_digest(pre.encode(), sent.encode()):
        raise CsrfRefused("the sign-in form did not carry its CSRF cookie value")
    login, password = _form_text(form, "login", 64), _form_text(form, "password", 400)
    client = request.client.host if request.client else "-"
    now = ctx.now()

    def attempt() -> tuple[str, str] | Exception:
        try:
            with write_transaction(ctx.engine) as conn:
                account = accounts.sign_in(conn, login, password, client, now, policy)
                if account is None:
                    return SignInFailed("wrong sign-in name or password")  # committed: the failure counts
                return store.new_session(conn, account.user_id, now)
        except SignInLocked as exc:
            return exc

    outcome = await run_in_threadpool(attempt)
    if isinstance(outcome, SignInLocked):
        return _signin_page(request, status=429, error="signin_locked", login=login,
                            minutes=max(1, outcome.retry_after_s // 60 + (outcome.retry_after_s % 60 > 0)))
    if isinstance(outcome, Exception):
        return _signin_page(request, status=401, error="signin_failed", login=login)
    token, _csrf = outcome
    resp = RedirectResponse(safe_next(_form_text(form, "next", 400) or "/"), status_code=303)
    resp.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=_secure(request), path="/")
    resp.delete_cookie(PRE_COOKIE)
    return resp


@router.post("/sign-out")
def signout(request: Request, v: SignedIn) -> Response:
    ctx = get_ctx(request)
    with write_transaction(ctx.engine) as conn:
        store.end_session(conn, v.session, ctx.now())
    resp = RedirectResponse("/sign-in?out=1", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


@router.get("/set-password/{token}")
def setpw_form(token: str, request: Request) -> Response:
    ctx = get_ctx(request)
    with ctx.engine.connect() as conn:
        user = store.setup_token_user(conn, token, ctx.now())
        account = store.account_by_id(conn, user) if user is not None else None
    if account is None:
        raise SetupLinkInvalid("unknown, used or expired set-password link")
    return page(request, "setpw.html", login=account.login, errors={}, token=token)


@router.post("/set-password/{token}")
async def setpw_submit(token: str, request: Request) -> Response:
    ctx = get_ctx(request)
    form = await request.form()
    try:
        with write_transaction(ctx.engine) as conn:
            accounts.set_password_with_link(conn, token, _form_text(form, "password", 400),
                                            _form_text(form, "repeat", 400), ctx.now())
    except FormInvalid as exc:
        with ctx.engine.connect() as conn:
            user = store.setup_token_user(conn, token, ctx.now())
            account = store.account_by_id(conn, user) if user is not None else None
        return page(request, "setpw.html", status=422, login=account.login if account else "",
                    errors=exc.fields, token=token)
    return RedirectResponse("/sign-in?set=1", status_code=303)


@router.get("/lang/{lang}")
def switch_lang(lang: str, request: Request) -> Response:
    resp = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    set_lang_cookie(resp, lang if lang in LANGS else lang_of(request), _secure(request))
    return resp


@router.get("/")
def home(v: SignedIn) -> Response:
    return RedirectResponse("/fleet" if v.role == "admin" else "/sites", status_code=303)
