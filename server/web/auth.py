"""Who is looking at a console page: the browser session, its expiry, CSRF, and the domain :class:`Principal`.

Sessions: a random cookie (``genba_session``; HttpOnly, SameSite=Lax, Secure when served over HTTPS) whose
SHA-256 is the key of ``web_sessions``. A session ends after ``idle`` without a page request (live-refresh
polls do not count as activity) or ``absolute`` after sign-in, whichever is first, and at sign-out.
Every POST carries the session's CSRF token (hidden ``csrf`` field, or ``X-CSRF-Token`` from htmx);
without it nothing is done. The principal is built from the same ``dom_users`` row the API token maps to,
so the console may do exactly what the API allows that user (server.domain.disclosure decides).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from server.context import ServerContext
from server.domain.disclosure import Principal, is_prime_of
from server.store import console_store as store
from server.store import domain_records as rec
from server.store.engine import write_transaction
from server.web.errors import CsrfRefused, SignInRequired
from server.web.i18n import pick_lang

SESSION_COOKIE = "genba_session"
LANG_COOKIE = "genba_lang"
PRE_COOKIE = "genba_pre"
"""Double-submit CSRF cookie for the sign-in form, before there is a session."""
POLL_HEADER = "x-genba-poll"


@dataclass(frozen=True, slots=True)
class Policy:
    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)
    setup_link: timedelta = timedelta(hours=72)
    lock_after: int = 5
    """Failed sign-ins of one name within ``lock_window`` that lock it for ``lock_for``."""
    lock_window: timedelta = timedelta(minutes=15)
    lock_for: timedelta = timedelta(minutes=15)
    client_limit: int = 30
    """Failed sign-ins from one client address within ``lock_window`` (guessing across many names)."""
    poll_seconds: int = 30
    """How often an open fleet page refreshes its table: at 1,000 devices a refresh after a change costs the
    server about 0.05 s of CPU and one with nothing changed a few milliseconds (204, nothing rendered), so an open
    page stays far under 1 % of a core (bench/bench_console.py, docs/console.md "Performance")."""
    touch_every: timedelta = timedelta(seconds=60)
    """Write last-seen at most this often (a page view is a read, not a write)."""


@dataclass(frozen=True, slots=True)
class Viewer:
    account: store.Account
    principal: Principal
    csrf: str
    lang: str
    session: str = field(repr=False)
    """The session's token hash (for sign-out)."""
    prime_sites: frozenset[str] = frozenset()
    """For a ``prime`` user, the sites whose prime contractor its company is (server.domain.disclosure.is_prime_of):
    the devices it may watch on the fleet page. Empty for other roles (an administrator watches every site)."""

    @property
    def may_open_fleet(self) -> bool:
        return self.role == "admin" or bool(self.prime_sites)

    @property
    def role(self) -> str:
        return self.principal.role

    @property
    def by(self) -> str:
        return f"user:{self.account.user_id}"


def principal_of(a: store.Account) -> Principal:
    return Principal(role=a.role, user=f"user:{a.user_id}", company=a.company, worker=a.worker,  # type: ignore[arg-type]
                     site=a.site)


def get_ctx(request: Request) -> ServerContext:
    ctx: ServerContext = request.app.state.genba
    return ctx


def policy_of(request: Request) -> Policy:
    p: Policy = request.app.state.genba_web_policy
    return p


def lang_of(request: Request) -> str:
    return pick_lang(request.cookies.get(LANG_COOKIE))


def session_expired(s: store.SessionRow, now: datetime, policy: Policy) -> bool:
    return now - s.last_seen_at > policy.idle or now - s.created_at > policy.absolute


async def submitted_csrf(request: Request) -> str:
    header = request.headers.get("x-csrf-token")
    if header:
        return header
    ctype = request.headers.get("content-type", "")
    if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf")
        return value if isinstance(value, str) else ""
    return ""


async def current_viewer(request: Request) -> Viewer:
    """The signed-in viewer, or :class:`SignInRequired`; POSTs also need the session's CSRF token."""
    ctx, policy = get_ctx(request), policy_of(request)
    token = request.cookies.get(SESSION_COOKIE, "")
    now = ctx.now()
    polling = request.headers.get(POLL_HEADER) == "1"

    def load() -> tuple[store.SessionRow, store.Account, frozenset[str]] | None:
        with ctx.engine.connect() as conn:
            s = store.find_session(conn, token)
            if s is None:
                return None
            a = store.account_by_id(conn, s.user_id)
            prime = frozenset(site.site for site in rec.list_sites(conn) if is_prime_of(principal_of(a), site)) \
                if a is not None and a.role == "prime" else frozenset()
        if a is None or a.revoked or session_expired(s, now, policy):
            with write_transaction(ctx.engine) as conn:
                store.end_session(conn, s.token_hash, now)
            return None
        if not polling and now - s.last_seen_at >= policy.touch_every:
            with write_transaction(ctx.engine) as conn:
                store.touch_session(conn, s.token_hash, now)
        return s, a, prime

    found = await run_in_threadpool(load) if token else None
    if found is None:
        raise SignInRequired("sign in first (no session, or it expired)")
    s, a, prime = found
    if request.method == "POST":
        sent = await submitted_csrf(request)
        if not sent or not hmac.compare_digest(sent.encode(), s.csrf.encode()):
            raise CsrfRefused("the form did not carry this session's CSRF token")
    return Viewer(a, principal_of(a), s.csrf, lang_of(request), s.token_hash, prime)


SignedIn = Annotated[Viewer, Depends(current_viewer)]
