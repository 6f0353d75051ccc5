"""The demo's console sign-in: an administrator ``demo-admin`` with a fresh random password on every run."""

from __future__ import annotations

import secrets

from server.context import ServerContext
from server.domain.disclosure import Principal
from server.store import console_store as store
from server.store import domain_users as users_store
from server.store.engine import write_transaction
from server.web.passwords import hash_password

DEMO_LOGIN = "demo-admin"


def demo_sign_in(ctx: ServerContext) -> tuple[str, str]:
    """(sign-in name, password) of the demo administrator, created on first use; the password is new each time."""
    password = secrets.token_urlsafe(9)
    with write_transaction(ctx.engine) as conn:
        account = store.account_by_login(conn, DEMO_LOGIN)
        if account is None:
            uid, _token = users_store.add_user(conn, Principal(role="admin", user="new"), name="Demo admin",
                                               at=ctx.now())
            store.add_account(conn, uid, DEMO_LOGIN)
        else:
            uid = account.user_id
        store.set_password(conn, uid, hash_password(password), ctx.now())
    return DEMO_LOGIN, password
