"""Who may use the tablet view, and bad input: every refusal has a status and a code and journals nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from kiosk.web.access import FREE_ATTEMPTS, SESSION_TTL
from tests.tablet.conftest import PIN, UNKNOWN, Kiosk, card


def code_of(r) -> str | None:  # type: ignore[no-untyped-def]
    return r.headers.get("x-genba-error")


def test_a_lan_host_without_a_session_is_refused_on_every_page(kiosk: Kiosk) -> None:
    stranger = kiosk.client()
    for path in ("/rollcall", "/today", "/cards", "/corrections", "/gates", "/roster", "/"):
        r = stranger.get(path)
        assert r.status_code == 401 and code_of(r) == "tablet_not_paired", path
    r = stranger.get("/rollcall", headers={"Accept": "application/json"})
    body = r.json()
    assert body["code"] == "tablet_not_paired" and "接続" in body["message_ja"]
    forged = kiosk.client(cookies={"genba_tablet": "x" * 43})
    assert code_of(forged.get("/rollcall")) == "tablet_session_expired"


def test_a_stranger_cannot_record_anything(kiosk: Kiosk) -> None:
    kiosk.tap(UNKNOWN)
    before = kiosk.events()
    r = kiosk.client().post("/cards/bind", data={"idm": UNKNOWN, "worker": "10000000000002"})
    assert r.status_code == 401
    assert kiosk.events() == before


def test_the_pairing_code_gives_a_session_once(kiosk: Kiosk) -> None:
    assert kiosk.server is not None
    code = kiosk.server.app.access.new_code()
    first = kiosk.client()
    r = first.post("/pair", data={"code": code.code.lower().replace("-", " ")})
    assert r.status_code == 303 and r.headers["location"].startswith("/rollcall")
    assert first.get("/rollcall").status_code == 200
    replay = kiosk.client().post("/pair", data={"code": code.code})
    assert replay.status_code == 401 and code_of(replay) == "tablet_pairing_refused"


def test_a_pairing_code_expires_after_ten_minutes(kiosk: Kiosk) -> None:
    assert kiosk.server is not None
    code = kiosk.server.app.access.new_code()
    kiosk.clock.advance(10 * 60 + 1)
    r = kiosk.client().post("/pair", data={"code": code.code})
    assert code_of(r) == "tablet_pairing_refused"


def test_brute_forcing_the_code_locks_pairing_even_for_the_right_code(kiosk: Kiosk) -> None:
    assert kiosk.server is not None
    code = kiosk.server.app.access.new_code()
    attacker = kiosk.client()
    answers = [attacker.post("/pair", data={"code": f"AAAA-AA{i:02d}"}) for i in range(FREE_ATTEMPTS)]
    assert [code_of(r) for r in answers[:-1]] == ["tablet_pairing_refused"] * (FREE_ATTEMPTS - 1)
    assert answers[-1].status_code == 429
    right = attacker.post("/pair", data={"code": code.code})
    assert right.status_code == 429 and code_of(right) == "tablet_pairing_locked"
    kiosk.clock.advance(31)  # CLOCK_BOOTTIME moves too
    assert attacker.post("/pair", data={"code": "ZZZZ-ZZZZ"}).status_code == 429  # the lock doubled
    fresh = kiosk.server.app.access.new_code()  # the manager at the kiosk shows a new code: lock lifted
    assert kiosk.client().post("/pair", data={"code": fresh.code}).status_code == 303


def test_the_pin_fallback_is_rate_limited_with_a_lockout(kiosk: Kiosk) -> None:
    c = kiosk.client()
    for _ in range(FREE_ATTEMPTS - 1):
        assert code_of(c.post("/pair", data={"pin": "9999"})) == "tablet_pairing_refused"
    assert code_of(c.post("/pair", data={"pin": "9999"})) == "tablet_pairing_locked"
    assert code_of(c.post("/pair", data={"pin": PIN})) == "tablet_pairing_locked"
    kiosk.clock.advance(31)
    assert c.post("/pair", data={"pin": PIN}).status_code == 303


def test_a_session_expires_after_a_week_and_a_revoked_one_at_once(kiosk: Kiosk) -> None:
    c, _ = kiosk.paired_client()
    other, _ = kiosk.paired_client()
    kiosk.clock.advance((SESSION_TTL - timedelta(minutes=1)).total_seconds())
    assert c.get("/rollcall").status_code == 200
    assert kiosk.server is not None
    sessions = kiosk.server.app.access.sessions()
    assert len(sessions) == 2
    assert kiosk.server.app.access.revoke(sessions[1].id)
    assert code_of(other.get("/rollcall")) == "tablet_session_expired"
    kiosk.clock.advance(120)
    r = c.get("/rollcall")
    assert r.status_code == 401 and code_of(r) == "tablet_session_expired"


def test_a_post_without_the_csrf_token_is_refused_and_records_nothing(kiosk: Kiosk) -> None:
    kiosk.tap(UNKNOWN)
    c, token = kiosk.paired_client()
    before = kiosk.events()
    form = {"idm": UNKNOWN, "worker": "10000000000002"}
    assert code_of(c.post("/cards/bind", data=form)) == "tablet_csrf_refused"
    assert code_of(c.post("/cards/bind", data={**form, "csrf": "0" * 32})) == "tablet_csrf_refused"
    foreign = c.post("/cards/bind", data={**form, "csrf": token}, headers={"Origin": "http://evil.example"})
    assert foreign.status_code == 403 and code_of(foreign) == "tablet_csrf_refused"
    assert kiosk.events() == before
    ok = c.post("/cards/bind", data=form, headers={"X-CSRF-Token": token})
    assert ok.status_code == 303
    assert kiosk.events()[-1].kind == "bind"


@pytest.mark.parametrize(("path", "form", "code"), [
    ("/cards/bind", {"idm": "XYZ", "worker": "10000000000002"}, "tablet_bad_input"),
    ("/cards/bind", {"idm": UNKNOWN, "worker": "123"}, "tablet_bad_input"),
    ("/cards/bind", {"idm": UNKNOWN, "worker": "10000000000009"}, "tablet_bad_input"),  # not on the roster
    ("/cards/bind", {"idm": card(1), "worker": "10000000000001"}, "action_refused"),  # already bound
    ("/corrections/manual", {"worker": "10000000000008", "direction": "in", "date": "2026-09-30", "time": "08:00",
                             "reason": "forgot"}, "tablet_bad_input"),  # past the deadline
    ("/corrections/manual", {"worker": "10000000000008", "direction": "in", "date": "2026-11-20", "time": "23:00",
                             "reason": "forgot"}, "action_refused"),  # in the future
    ("/corrections/manual", {"worker": "10000000000008", "direction": "up", "date": "2026-11-20", "time": "07:00",
                             "reason": "forgot"}, "tablet_bad_input"),
    ("/corrections/manual", {"worker": "10000000000008", "direction": "in", "date": "2026-11-20", "time": "7",
                             "reason": "forgot"}, "tablet_bad_input"),
    ("/corrections/manual", {"worker": "10000000000008", "direction": "in", "date": "2026-11-20", "time": "07:00",
                             "reason": "  "}, "tablet_bad_input"),
    ("/corrections/manual", {"worker": "10000000000008", "direction": "in", "date": "2026-11-20", "time": "07:00",
                             "reason": "x" * 201}, "tablet_bad_input"),
    ("/corrections/amend", {"ref": "999", "direction": "out"}, "action_refused"),
    ("/corrections/amend", {"ref": "one", "direction": "out"}, "tablet_bad_input"),
])
def test_malformed_or_refused_actions_record_nothing(kiosk: Kiosk, path: str, form: dict[str, str],
                                                     code: str) -> None:
    kiosk.tap(card(1))
    kiosk.tap(UNKNOWN)
    c, token = kiosk.paired_client()
    before = kiosk.events()
    r = c.post(path, data={**form, "csrf": token}, headers={"Accept": "application/json"})
    assert r.json()["code"] == code and 400 <= r.status_code < 500
    assert kiosk.events() == before


def test_oversized_odd_and_repeated_bodies_are_refused(kiosk: Kiosk) -> None:
    c, token = kiosk.paired_client()
    before = kiosk.events()
    big = c.post("/cards/bind", content=b"a=" + b"x" * 20_000,
                 headers={"Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": token})
    assert big.status_code == 413 and code_of(big) == "tablet_too_large"
    as_json = c.post("/cards/bind", content=json.dumps({"idm": UNKNOWN}).encode(),
                     headers={"Content-Type": "application/json", "X-CSRF-Token": token})
    assert as_json.status_code == 400 and code_of(as_json) == "tablet_bad_input"
    twice = c.post("/cards/bind", content=f"csrf={token}&idm={UNKNOWN}&idm={card(2)}&worker=10000000000002".encode(),
                   headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert twice.status_code == 400
    not_utf8 = c.post("/cards/bind", content=b"idm=\xff\xfe", headers={
        "Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": token})
    assert not_utf8.status_code == 400
    assert c.get("/nowhere").status_code == 404
    assert c.get("/static/../app.py").status_code == 404
    assert kiosk.events() == before


def test_bind_amend_and_forgotten_card_are_journaled_like_the_manager_screen(kiosk: Kiosk) -> None:
    kiosk.tap(card(1))
    kiosk.tap(UNKNOWN, after_s=30)
    c, token = kiosk.paired_client()
    assert c.post("/cards/bind", data={"csrf": token, "idm": UNKNOWN, "worker": "10000000000008"}).status_code == 303
    entry = next(e for e in kiosk.events() if e.kind == "tap" and e.idm == card(1))
    assert c.post("/corrections/amend", data={"csrf": token, "ref": str(entry.seq),
                                              "direction": "out"}).status_code == 303
    r = c.post("/corrections/manual", data={"csrf": token, "worker": "10000000000005", "direction": "in",
                                            "date": "2026-10-03", "time": "08:15", "reason": "カードを家に忘れた"})
    assert r.status_code == 303
    bind, amend, manual = kiosk.events()[-3:]
    assert (bind.kind, bind.idm, bind.worker, bind.reader) == ("bind", UNKNOWN, "10000000000008", "kiosk")
    assert (amend.kind, amend.ref, amend.direction) == ("amend", entry.seq, "out")
    assert (manual.kind, manual.worker, manual.direction, manual.claimed_at) == (
        "manual", "10000000000005", "in", "2026-10-03T08:15:00.000+09:00")
    assert manual.reason is not None and manual.reason.endswith("カードを家に忘れた")
    page = c.get("/corrections").text
    assert "カードを家に忘れた" in page and "同期待ち" in page
