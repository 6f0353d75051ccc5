"""Signing in and setting passwords: lockout, rate limits, one-time set-password links.

Decisions live here (testable without a browser); :mod:`server.web.routes.signin` only moves form fields
and cookies. A failed sign-in never says whether the name exists, and costs one password hash either way.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import sqlalchemy as sa

from server.store import console_store as store
from server.web.auth import Policy
from server.web.errors import FormInvalid, SetupLinkInvalid, SignInLocked
from server.web.passwords import hash_password, password_problem, verify_password

LOGIN_RE = re.compile(r"^[a-z0-9][a-z0-9._@-]{2,63}$")
_DUMMY = hash_password("not a real password, only here to spend the same time")


def lock_remaining(conn: sa.Connection, login: str, client: str, now: datetime, policy: Policy) -> timedelta | None:
    """How long this name (or this client) stays locked, or None."""
    since = now - policy.lock_window
    by_login = store.failures_since(conn, since=since, login=login)
    by_client = store.failures_since(conn, since=since, client=client)
    until = None
    if len(by_login) >= policy.lock_after:
        until = by_login[-1] + policy.lock_for
    if len(by_client) >= policy.client_limit:
        until = max(until or now, by_client[-1] + policy.lock_for)
    return until - now if until is not None and until > now else None


def sign_in(conn: sa.Connection, login: str, password: str, client: str, now: datetime,
            policy: Policy) -> store.Account | None:
    """The account for a correct name and password, else None; the attempt is recorded either way (so the
    caller commits on failure too: a failed attempt must count). A locked name or client raises
    :class:`SignInLocked` before anything is checked or recorded."""
    login = login.strip().lower()[:64]
    left = lock_remaining(conn, login, client, now, policy)
    if left is not None:
        raise SignInLocked(f"sign-in locked for {int(left.total_seconds())} s",
                           retry_after_s=int(left.total_seconds()) + 1)
    account = store.account_by_login(conn, login) if login else None
    ok = verify_password(password, account.password_hash if account else _DUMMY)
    ok = ok and account is not None and not account.revoked
    store.record_attempt(conn, login, client, now, ok)
    return account if ok else None


def default_login(conn: sa.Connection, name: str, user_id: int) -> str:
    """The name itself when it is a usable sign-in name and free, else ``user<id>``."""
    candidate = name.strip().lower()
    if LOGIN_RE.match(candidate) and not store.login_taken(conn, candidate):
        return candidate
    return f"user{user_id}"


def check_login(conn: sa.Connection, login: str) -> str | None:
    """The i18n key of what is wrong with a new sign-in name, or None."""
    if not LOGIN_RE.match(login):
        return "login_invalid"
    if store.login_taken(conn, login):
        return "login_taken"
    return None


def create_account(conn: sa.Connection, user_id: int, login: str, now: datetime, policy: Policy) -> str:
    """Give ``user_id`` a sign-in name and return a one-time set-password link token."""
    store.add_account(conn, user_id, login)
    return store.new_setup_token(conn, user_id, now, policy.setup_link)


def reset_link(conn: sa.Connection, user_id: int, now: datetime, policy: Policy) -> str:
    """A new set-password link; the old password stops working and the user's sessions end."""
    store.clear_password(conn, user_id)
    store.end_sessions_of(conn, user_id, now)
    return store.new_setup_token(conn, user_id, now, policy.setup_link)


def set_password_with_link(conn: sa.Connection, token: str, password: str, repeat: str, now: datetime) -> int:
    user = store.setup_token_user(conn, token, now)
    if user is None:
        raise SetupLinkInvalid("unknown, used or expired set-password link")
    account = store.account_by_id(conn, user)
    if account is None or account.revoked:
        raise SetupLinkInvalid("the link's user no longer exists")
    problems: dict[str, str] = {}
    problem = password_problem(password, account.login)
    if problem:
        problems["password"] = problem
    elif password != repeat:
        problems["repeat"] = "pw_mismatch"
    if problems:
        raise FormInvalid(problems)
    store.set_password(conn, user, hash_password(password), now)
    store.use_setup_token(conn, token, now)
    store.end_sessions_of(conn, user, now)
    return user


def setup_path(token: str) -> str:
    return f"/set-password/{token}"


def new_console_user(conn: sa.Connection, user_id: int, name: str, login: str | None, now: datetime,
                     policy: Policy | None = None) -> tuple[str, str]:
    """Give a just-created ``dom_users`` user a console account: (sign-in name, set-password path)."""
    chosen = (login or "").strip().lower() or default_login(conn, name, user_id)
    problem = check_login(conn, chosen)
    if problem:
        raise FormInvalid({"login": problem})
    token = create_account(conn, user_id, chosen, now, policy or Policy())
    return chosen, setup_path(token)
