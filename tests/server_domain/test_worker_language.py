"""A worker's own language in the server's registry: set through the API, checked against the languages the kiosk
has a screen in, logged by the audit log, and carried by the roster pull to a kiosk, whose result screen then
speaks it (issue 11 item 11). On SQLite and PostgreSQL, with the real app, syncd's engine and state.db."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import httpx
import pytest
import sqlalchemy as sa

from kiosk.state_view import StateSiteView
from kiosk.ui.i18n import TRANSLATED, for_worker
from server.audit import service
from shared.ids import WORKER_LANGUAGES, parse_idm
from shared.state import StateReader
from tests.e2e.harness import SITE, enrolled_device, running_site

PRIME, OTHER = "10000000000001", "10000000000002"
NAM, TARO, ANA = "00000000000001", "00000000000002", "00000000000003"
CARDS = {NAM: "012E4CD2A1B30001", TARO: "012E4CD2A1B30002", ANA: "012E4CD2A1B30003"}


def ok(c: httpx.Client, method: str, path: str, body: Any = None, status: int = 200) -> Any:
    r = c.request(method, "/api/v1" + path, json=body)
    assert r.status_code == status, r.text
    return r.json()


def register(c: httpx.Client) -> None:
    ok(c, "POST", "/companies", {"company": PRIME, "name": "山田工業"}, 201)
    ok(c, "POST", "/companies", {"company": OTHER, "name": "別会社"}, 201)
    ok(c, "POST", "/sites", {"site": SITE, "name": "○○マンション新築工事", "prime": PRIME}, 201)
    people = ((NAM, "グエン・ヴァン・ナム", "vi"), (TARO, "山田 太郎", None), (ANA, "アナ・サントス", None))
    for worker, name, language in people:
        body = {"worker": worker, "name": name, "furigana": "カナ", "employer": PRIME}
        made = ok(c, "POST", "/workers", body | ({"language": language} if language else {}), 201)
        assert made["language"] == (language or "")
        ok(c, "POST", "/cards", {"idm": CARDS[worker], "worker": worker, "valid_from": "2026-01-01"}, 201)
        ok(c, "POST", f"/sites/{SITE}/roster", {"worker": worker, "valid_from": "2026-01-01", "trade_code": "0201"},
           201)


def pulled_languages(dev: Any, site: Any) -> dict[str, str]:
    """Run syncd's pull, then look each card up as the kiosk does: worker -> the language its holder carries."""
    with dev.syncd(site.transport) as engine:
        report = engine.run_once(upload=False, report_status=False)
        assert report.ok, report.errors
    with StateReader(dev.data.state) as state:
        view = StateSiteView(state, fallback_site=SITE)
        out = {}
        for worker, card in CARDS.items():
            holder = view.lookup(parse_idm(card))
            assert holder is not None and holder.worker == worker
            out[worker] = holder.language
        return out


def audit_ok(site: Any) -> service.VerifyReport:
    ctx = site.app.state.genba
    service.sequence(ctx.engine, ctx.server_key, ctx.stamp())
    report = service.verify(ctx.engine, [ctx.server_key.verifier])
    assert report.ok and report.pending == 0, [f.line() for f in report.findings]
    return report


def test_a_language_set_in_the_registry_reaches_the_kiosk_and_its_result_screen(tmp_path: Path,
                                                                                database_url: str) -> None:
    with running_site(tmp_path, database_url) as site:
        with site.admin() as admin:
            register(admin)
        with enrolled_device(tmp_path, site) as dev:
            assert pulled_languages(dev, site) == {NAM: "vi", TARO: "", ANA: ""}
            with site.admin() as admin:
                assert ok(admin, "GET", f"/workers/{NAM}")["language"] == "vi"
                changed = ok(admin, "PUT", f"/workers/{ANA}/language", {"language": "tl"})
                assert (changed["worker"], changed["language"]) == (ANA, "tl")
                ok(admin, "PUT", f"/workers/{NAM}/language", {"language": ""})
                listed = {w["worker"]: w["language"] for w in ok(admin, "GET", f"/workers?employer={PRIME}")["workers"]}
                assert listed == {NAM: "", TARO: "", ANA: "tl"}
            got = pulled_languages(dev, site)
            assert got == {NAM: "", TARO: "", ANA: "tl"}, "the changed roster was pulled (a new ETag)"
            assert (for_worker(got[ANA]), for_worker(got[NAM])) == ("tl", None), "Tagalog screen; Japanese"
        audit_ok(site)


def test_a_language_the_kiosk_has_no_screen_in_is_refused_with_422_and_nothing_changes(
        tmp_path: Path, database_url: str) -> None:
    with running_site(tmp_path, database_url) as site, site.admin() as admin:
        register(admin)
        engine = site.app.state.genba.engine

        def languages() -> list[tuple[str, str]]:
            with engine.connect() as conn:
                return [tuple(r) for r in conn.execute(sa.text("SELECT worker, language FROM dom_workers "
                                                               "ORDER BY worker"))]

        before = languages()
        for bad in ("fr", "VI", "zh-CN", "vi ", "ベトナム語", "x" * 5000):
            r = admin.put(f"/api/v1/workers/{TARO}/language", json={"language": bad})
            assert r.status_code == 422, r.text
            body = r.json()
            assert body["code"] == "unsupported_language" and body["allowed"] == list(WORKER_LANGUAGES), body
            assert "ja, en, vi, zh, id, tl" in body["message"] and body["message_ja"]
            r = admin.post("/api/v1/workers", json={"worker": "00000000000009", "name": "新人", "furigana": "シンジン",
                                                    "employer": PRIME, "language": bad})
            assert r.status_code == 422 and r.json()["code"] == "unsupported_language", r.text
        r = admin.put(f"/api/v1/workers/{TARO}/language", json={"language": 7})
        assert (r.status_code, r.json()["code"]) == (400, "malformed"), "not text at all: the API's malformed body"
        assert languages() == before
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM dom_workers WHERE worker = '00000000000009'")
                                ).scalar_one() == 0


def test_only_the_admin_the_employer_and_the_worker_change_it_and_others_learn_nothing(tmp_path: Path) -> None:
    with running_site(tmp_path) as site, site.admin() as admin:
        register(admin)
        tokens = {name: ok(admin, "POST", "/users", body, 201)["token"] for name, body in (
            ("employer", {"name": "employer", "role": "company", "company": PRIME}),
            ("other", {"name": "other", "role": "company", "company": OTHER}),
            ("nam", {"name": "nam", "role": "worker", "worker": NAM}))}

        def put(who: str, worker: str, language: str) -> httpx.Response:
            return admin.put(f"/api/v1/workers/{worker}/language", json={"language": language},
                             headers={"Authorization": f"Bearer {tokens[who]}"})

        assert put("employer", TARO, "en").json()["language"] == "en"
        assert put("nam", NAM, "id").json()["language"] == "id"
        refused, unknown = put("other", TARO, "vi"), put("other", "00000000000099", "vi")
        assert refused.status_code == unknown.status_code == 404
        assert refused.json()["code"] == unknown.json()["code"] == "not_found"
        assert put("nam", TARO, "vi").status_code == 404
        assert admin.put("/api/v1/workers/00000000000099/language", json={"language": "vi"}).status_code == 404
        assert ok(admin, "GET", f"/workers/{TARO}")["language"] == "en"


def test_the_audit_log_keeps_records_logged_before_the_column_and_names_a_language_changed_by_hand(
        tmp_path: Path, database_url: str) -> None:
    with running_site(tmp_path, database_url) as site, site.admin() as admin:
        register(admin)
        audit_ok(site)
        engine = site.app.state.genba.engine
        with engine.connect() as conn:
            logged = {bytes(r.data) for r in conn.execute(sa.text(
                "SELECT data FROM audit_leaves WHERE tbl = 'dom_workers' AND row_key = :w"), {"w": TARO})}
        assert logged and all(b'"language"' not in d for d in logged), \
            "a worker without a language is logged as before the column existed, so older entries still verify"
        ok(admin, "PUT", f"/workers/{TARO}/language", {"language": "vi"})
        audit_ok(site)
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE dom_workers SET language = 'en' WHERE worker = :w"), {"w": TARO})
        ctx = site.app.state.genba
        report = service.verify(ctx.engine, [ctx.server_key.verifier])
        assert {(f.code, f.where) for f in report.findings} == {("row_changed", f"dom_workers {TARO}")}


@pytest.mark.parametrize("language", WORKER_LANGUAGES)
def test_every_language_the_server_accepts_gives_the_kiosk_a_screen_of_its_own(language: str) -> None:
    screen = for_worker(language)
    assert screen is None if language == "ja" else screen == "en" or screen in TRANSLATED
    assert screen is None or screen.split("_")[0] == language
