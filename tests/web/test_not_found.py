"""Unknown addresses: a page for people (Japanese first, English on the language switch), JSON for the API."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from server.domain.registry import Company
from server.store import domain_records as rec
from server.store.engine import write_transaction
from server.web import wants_page
from tests.web.conftest import sign_in
from tests.web.world import WebWorld, add_console_user


@pytest.mark.parametrize("path", ["/no-such-page", "/sites/x/y/z", "/fleet/nothing", "/devices"])
def test_an_unknown_page_is_an_html_404_in_japanese(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "<title>ページが見つかりません" in r.text
    assert "見つかりません。URL を確認するか、メニューから選んでください。" in r.text
    assert 'href="/"' in r.text  # a way back


def test_the_404_page_follows_the_language_switch(client: TestClient) -> None:
    client.cookies.set("genba_lang", "en")
    r = client.get("/no-such-page")
    assert r.status_code == 404 and "Page not found" in r.text and "Check the address" in r.text
    assert '<html lang="en"' in r.text


def test_a_signed_in_user_also_gets_the_page_and_other_methods_too(client: TestClient) -> None:
    sign_in(client, "admin")
    assert client.get("/nowhere").status_code == 404
    posted = client.post("/nowhere", data={"x": "1"})
    assert posted.status_code == 404 and posted.headers["content-type"].startswith("text/html")


def test_a_script_in_the_address_is_shown_as_text(client: TestClient) -> None:
    r = client.get("/<script>alert(1)</script>")
    assert r.status_code == 404 and "<script>alert(1)</script>" not in r.text


@pytest.mark.parametrize("path", ["/api/v1/nothing", "/api/v1/admin/nothing", "/static/nothing.js",
                                  "/api/v1/sites/99999999999999/nothing"])
def test_api_paths_and_assets_keep_json(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404 and r.headers["content-type"] == "application/json"
    assert r.json()["code"] == "not_found" and r.json()["message_ja"]


def test_a_client_asking_for_json_gets_json_anywhere(client: TestClient) -> None:
    r = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    browser = client.get("/no-such-page", headers={"Accept": "text/html,application/json;q=0.9"})
    assert browser.headers["content-type"].startswith("text/html")


def test_other_api_errors_are_unchanged(client: TestClient) -> None:
    r = client.delete("/healthz")
    assert r.status_code == 405 and r.json()["code"] == "method_not_allowed"


def test_the_rule_itself() -> None:
    assert wants_page("/x", "*/*") and wants_page("/x", "")
    assert not wants_page("/api/v1/x", "text/html") and not wants_page("/metrics", "text/html")
    assert not wants_page("/openapi.json", "text/html") and not wants_page("/x", "application/json")


def test_a_page_the_role_may_not_open_is_a_403_page_that_says_what_to_do(bare: WebWorld, client: TestClient) -> None:
    with write_transaction(bare.ctx.engine) as conn:
        rec.add_company(conn, Company("30000000000099", "新規設備(株)", origin="ccus"))
    add_console_user(bare.ctx, "company", "設備 花子", company="30000000000099", login="sub-b")
    sign_in(client, "sub-b")
    r = client.get("/users")
    assert r.status_code == 403 and r.headers["content-type"].startswith("text/html")
    assert "このページを見る権限がありません。必要なら管理者に役割か担当現場の変更を依頼してください。" in r.text
    assert 'href="/"' in r.text
    client.cookies.set("genba_lang", "en")
    assert "ask an administrator to change your role or sites" in client.get("/users").text
