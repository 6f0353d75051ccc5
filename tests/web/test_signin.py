"""Sign-in, sessions, CSRF, lockout and set-password links, over HTTP against the real app and database."""

from __future__ import annotations

import re

import sqlalchemy as sa
from fastapi.testclient import TestClient

from server.store import console_schema as t
from server.store import console_store as store
from server.store.engine import write_transaction
from server.web import accounts
from server.web.auth import Policy
from server.web.passwords import hash_password, verify_password
from tests.web.conftest import csrf_of, sign_in
from tests.web.world import ADMIN_TOKEN, PASSWORD, WebWorld


def test_pages_need_a_session_and_send_the_visitor_to_sign_in(client: TestClient) -> None:
    r = client.get("/fleet", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/sign-in?expired=1&next=/fleet")


def test_sign_in_sets_an_httponly_samesite_session_cookie_and_opens_the_fleet(client: TestClient) -> None:
    r = sign_in(client, "admin")
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert "genba_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain HTTP here; see the HTTPS test below
    assert client.get("/fleet").status_code == 200


def test_session_cookie_is_secure_behind_https(bare: WebWorld) -> None:
    from server.app import create_app

    with TestClient(create_app(bare.ctx.settings, context=bare.ctx), base_url="https://genba.test") as c:
        r = sign_in(c, "admin")
        assert "Secure" in r.headers["set-cookie"]


def test_only_the_hash_of_the_session_cookie_is_stored(client: TestClient, bare: WebWorld) -> None:
    r = sign_in(client, "admin")
    value = re.search(r"genba_session=([^;]+)", r.headers["set-cookie"]).group(1)  # type: ignore[union-attr]
    with bare.ctx.engine.connect() as conn:
        stored = conn.execute(sa.select(t.sessions.c.token_hash)).scalars().all()
    assert value not in stored and store.digest(value) in stored


def test_wrong_password_is_refused_without_saying_whether_the_name_exists(client: TestClient) -> None:
    wrong_pw = sign_in(client, "admin", "wrong password here")
    no_user = sign_in(client, "nobody", "wrong password here")
    assert wrong_pw.status_code == no_user.status_code == 401
    assert "サインイン名またはパスワードが違います" in wrong_pw.text
    assert "genba_session" not in wrong_pw.headers.get("set-cookie", "")


def test_five_failures_lock_the_name_even_for_the_right_password_until_the_lock_ends(
        client: TestClient, bare: WebWorld) -> None:
    for _ in range(Policy().lock_after):
        assert sign_in(client, "admin", "guess guess guess").status_code == 401
    locked = sign_in(client, "admin")
    assert locked.status_code == 429 and "サインインできません" in locked.text
    bare.clock.advance(Policy().lock_for.total_seconds() + 1)
    assert sign_in(client, "admin").status_code == 303


def test_many_failures_from_one_client_across_names_are_rate_limited(client: TestClient) -> None:
    for i in range(Policy().client_limit):
        sign_in(client, f"name{i}", "guess guess guess")
    assert sign_in(client, "admin").status_code == 429


def test_sign_in_form_without_its_csrf_value_is_refused_and_nothing_is_recorded(
        client: TestClient, bare: WebWorld) -> None:
    client.get("/sign-in")
    r = client.post("/sign-in", data={"csrf": "forged", "login": "admin", "password": PASSWORD})
    assert r.status_code == 403
    with bare.ctx.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.signin_attempts)).scalar_one() == 0


def test_a_post_without_the_session_csrf_token_changes_nothing(client: TestClient, bare: WebWorld) -> None:
    sign_in(client, "admin")
    page = client.get("/settings/alarms")
    form = {"silent_minutes": "45", "work_start_hour": "7", "work_end_hour": "19", "backlog_hours": "24",
            "clock_seconds": "120", "disk_free_mb": "500", "reader_errors_per_hour": "5"}
    refused = client.post("/settings/alarms", data={**form, "csrf": "not-the-token"})
    assert refused.status_code == 403 and "読み込み直して" in refused.text
    with bare.ctx.engine.connect() as conn:
        assert store.thresholds(conn) == {}
    ok = client.post("/settings/alarms", data={**form, "csrf": csrf_of(page.text)}, follow_redirects=False)
    assert ok.status_code == 303
    with bare.ctx.engine.connect() as conn:
        assert store.thresholds(conn)["silent_minutes"] == 45


def test_the_session_ends_after_idle_time(client: TestClient, bare: WebWorld) -> None:
    sign_in(client, "admin")
    bare.clock.advance(Policy().idle.total_seconds() - 60)
    assert client.get("/fleet").status_code == 200  # activity: the idle time starts again
    bare.clock.advance(Policy().idle.total_seconds() + 1)
    r = client.get("/fleet", follow_redirects=False)
    assert r.status_code == 303 and "expired=1" in r.headers["location"]


def test_live_refresh_polls_do_not_keep_an_idle_session_alive(client: TestClient, bare: WebWorld) -> None:
    sign_in(client, "admin")
    for _ in range(4):
        bare.clock.advance(Policy().idle.total_seconds() / 3)
        client.get("/fleet/live", headers={"X-Genba-Poll": "1", "HX-Request": "true"})
    r = client.get("/fleet/live", headers={"X-Genba-Poll": "1", "HX-Request": "true"})
    assert r.status_code == 401 and r.headers["HX-Redirect"].startswith("/sign-in")


def test_the_session_ends_at_the_absolute_limit_even_when_active(client: TestClient, bare: WebWorld) -> None:
    sign_in(client, "admin")
    steps = int(Policy().absolute / Policy().idle) + 1
    for _ in range(steps):
        bare.clock.advance(Policy().idle.total_seconds() - 60)
        last = client.get("/fleet", follow_redirects=False)
    assert last.status_code == 303


def test_sign_out_ends_the_session_on_the_server(client: TestClient) -> None:
    sign_in(client, "admin")
    cookie = client.cookies.get("genba_session")
    page = client.get("/fleet")
    r = client.post("/sign-out", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert r.status_code == 303
    client.cookies.set("genba_session", cookie or "")  # replaying the old cookie does not work
    assert client.get("/fleet", follow_redirects=False).status_code == 303


def test_api_bearer_tokens_keep_working_beside_sessions(client: TestClient) -> None:
    r = client.get("/api/v1/admin/devices", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert r.status_code == 200
    sign_in(client, "admin")
    assert client.get("/api/v1/admin/devices").status_code == 401  # a browser session is not an API token


def test_set_password_link_works_once_and_validates_in_both_languages(client: TestClient, bare: WebWorld) -> None:
    with write_transaction(bare.ctx.engine) as conn:
        token = accounts.reset_link(conn, 1, bare.ctx.now(), Policy())
    path = accounts.setup_path(token)
    assert sign_in(client, "admin").status_code == 401  # the reset ended the old password
    short = client.post(path, data={"password": "short", "repeat": "short"})
    assert short.status_code == 422 and "10 文字以上" in short.text
    client.get("/lang/en")
    differ = client.post(path, data={"password": "a new good password", "repeat": "another one!"})
    assert differ.status_code == 422 and "The two entries differ." in differ.text
    with bare.ctx.engine.connect() as conn:
        assert store.account_by_id(conn, 1).password_hash is None  # type: ignore[union-attr]
    done = client.post(path, data={"password": "a new good password", "repeat": "a new good password"},
                       follow_redirects=False)
    assert done.status_code == 303
    assert client.post(path, data={"password": "x" * 12, "repeat": "x" * 12}).status_code == 404
    assert sign_in(client, "admin", "a new good password").status_code == 303


def test_an_expired_set_password_link_is_refused(client: TestClient, bare: WebWorld) -> None:
    with write_transaction(bare.ctx.engine) as conn:
        token = accounts.reset_link(conn, 1, bare.ctx.now(), Policy())
    bare.clock.advance(Policy().setup_link.total_seconds() + 1)
    assert client.get(accounts.setup_path(token)).status_code == 404


def test_passwords_are_scrypt_hashes_that_verify_only_the_right_password() -> None:
    stored = hash_password("a good password")
    assert stored.startswith("scrypt$") and "a good password" not in stored
    assert verify_password("a good password", stored)
    assert not verify_password("a good passwore", stored)
    assert not verify_password("a good password", "sha256$abc")
    assert not verify_password("a good password", "scrypt$broken")


def test_language_switch_follows_only_local_paths(client: TestClient) -> None:
    assert client.get("/lang/en?next=//evil.example/", follow_redirects=False).headers["location"] == "/"
    assert client.get("/lang/en?next=/fleet", follow_redirects=False).headers["location"] == "/fleet"
