"""Every role against every endpoint: exactly what each may read and change (SQLite and PostgreSQL).

Roles: admin (back office), prime (元請), manager (site manager of the site), sub1 (1次, upper), sub2 (2次,
employer of W1), other (a company not on the site), w1 / w2 (workers), None (no token).
"""

from __future__ import annotations

from tests.server_domain.api_world import NEWCO, SITE_B, World, snapshot
from tests.server_domain.factory import CARD3, OTHER, PRIME, SITE, SUB1, SUB2, W1, W2, W3

ROLES = ("admin", "prime", "manager", "sub1", "sub2", "other", "w1", "w2", None)


def statuses(w: World, method: str, path: str, body: object = None) -> dict[str | None, int]:
    return {role: w.call(role, method, path, body).status_code for role in ROLES}


def expect(allowed: dict[str | None, int], default: int) -> dict[str | None, int]:
    return {role: allowed.get(role, 401 if role is None else default) for role in ROLES}


def test_reads_follow_the_disclosure_rules(world: World) -> None:
    w = world
    # site history: who sees whose rows
    seen = {}
    for role in ROLES[:-1]:
        r = w.call(role, "GET", f"/sites/{SITE}/history?month=2026-11")
        seen[role] = sorted(x["worker"] for x in r.json()["rows"]) if r.status_code == 200 else r.status_code
    assert seen == {"admin": [W1, W2], "prime": [W1, W2], "manager": [W1, W2], "sub1": [W1, W2], "sub2": [W1],
                    "other": 404, "w1": [W1], "w2": [W2]}
    assert w.call(None, "GET", f"/sites/{SITE}/history?month=2026-11").status_code == 401

    # a worker record: full, roster-level or nothing
    views = {}
    for role in ROLES[:-1]:
        r = w.call(role, "GET", f"/workers/{W1}")
        views[role] = "none" if r.status_code == 404 else ("full" if "level" in r.json() else "roster")
    assert views == {"admin": "full", "prime": "roster", "manager": "roster", "sub1": "roster", "sub2": "full",
                     "other": "none", "w1": "full", "w2": "none"}

    assert statuses(w, "GET", f"/sites/{SITE}") == expect(
        {"admin": 200, "prime": 200, "manager": 200, "sub1": 200, "sub2": 200, "w1": 200, "w2": 200}, 404)
    assert statuses(w, "GET", f"/sites/{SITE}/structure") == statuses(w, "GET", f"/sites/{SITE}")
    assert statuses(w, "GET", f"/sites/{SITE}/structure/history") == statuses(w, "GET", f"/sites/{SITE}")
    rosters = {}
    for role in ROLES[:-1]:
        r = w.call(role, "GET", f"/sites/{SITE}/roster")
        rosters[role] = sorted(e["worker"] for e in r.json()["entries"]) if r.status_code == 200 else r.status_code
    assert rosters == {"admin": [W1, W2], "prime": [W1, W2], "manager": [W1, W2], "sub1": [W1, W2], "sub2": [W1],
                       "other": 404, "w1": [W1], "w2": [W2]}
    assert statuses(w, "GET", "/companies") == expect({"admin": 200}, 403)
    assert statuses(w, "GET", f"/companies/{SUB2}") == expect(
        {"admin": 200, "prime": 200, "manager": 200, "sub1": 200, "sub2": 200, "w1": 200}, 404)
    assert statuses(w, "GET", f"/workers?employer={SUB2}") == expect({"admin": 200, "sub2": 200}, 403)
    assert statuses(w, "GET", f"/workers/{W1}/cards") == expect({"admin": 200, "sub2": 200, "w1": 200}, 404)
    assert statuses(w, "GET", f"/companies/{SUB2}/history?month=2026-11") == expect({"admin": 200, "sub2": 200}, 404)
    seeing = ("admin", "prime", "manager", "sub1", "sub2", "w1")
    worker_rows = {role: len(w.ok(role, "GET", f"/workers/{W1}/history?month=2026-11")["rows"]) for role in seeing}
    assert worker_rows == dict.fromkeys(seeing, 1)
    # the others get the 404 of a worker that does not exist: no existence oracle (issue 9 item 10)
    assert statuses(w, "GET", f"/workers/{W1}/history?month=2026-11") == expect(dict.fromkeys(seeing, 200), 404)
    assert statuses(w, "GET", "/users") == expect({"admin": 200}, 403)
    assert statuses(w, "GET", "/me") == expect({r: 200 for r in ROLES[:-1]}, 200)
    sites = {role: [s["site"] for s in w.ok(role, "GET", "/sites")["sites"]] for role in ROLES[:-1]}
    assert sites == {"admin": [SITE, SITE_B], "prime": [SITE], "manager": [SITE], "sub1": [SITE], "sub2": [SITE],
                     "other": [SITE_B], "w1": [SITE], "w2": [SITE]}


def _refused_changes_nothing(w: World, roles: list[str | None], method: str, path: str, body: object,
                             status: int) -> None:
    before = snapshot(w.engine)
    for role in roles:
        r = w.call(role, method, path, body)
        assert r.status_code == (401 if role is None else status), (role, r.text)
        assert "code" in r.json() and "message_ja" in r.json()
    assert snapshot(w.engine) == before


def test_changes_are_allowed_to_exactly_the_right_roles(world: World) -> None:
    w = world
    everyone_but = lambda *ok: [r for r in ROLES if r not in ok]  # noqa: E731

    _refused_changes_nothing(w, everyone_but("admin"), "POST", "/companies", {"company": "55555555555555", "name": "x"},
                             403)
    w.ok("admin", "POST", "/companies", {"company": "55555555555555", "name": "x"}, 201)

    body = {"worker": "66666666666666", "name": "新人", "furigana": "シンジン", "employer": SUB2}
    _refused_changes_nothing(w, everyone_but("admin", "sub2"), "POST", "/workers", body, 403)
    w.ok("sub2", "POST", "/workers", body, 201)

    site = {"site": "77777777777777", "name": "新現場", "prime": PRIME}
    _refused_changes_nothing(w, everyone_but("admin", "prime"), "POST", "/sites", site, 403)
    w.ok("prime", "POST", "/sites", site, 201)

    invite = {"parent": 1, "company": OTHER}
    _refused_changes_nothing(w, ["admin", "w1", "w2", None], "POST", f"/sites/{SITE}/structure/invitations", invite,
                             403)
    _refused_changes_nothing(w, ["sub1", "sub2", "other"], "POST", f"/sites/{SITE}/structure/invitations", invite,
                             403)
    w.ok("manager", "POST", f"/sites/{SITE}/structure/invitations", invite, 201)
    member = 5
    _refused_changes_nothing(w, ["prime", "sub1", "sub2"], "POST", f"/sites/{SITE}/structure/members/{member}/approve",
                             None, 403)
    w.ok("other", "POST", f"/sites/{SITE}/structure/members/{member}/approve")
    _refused_changes_nothing(w, ["other"], "POST", f"/sites/{SITE}/structure/members/{member}/approve", None, 409)

    card = {"idm": CARD3, "worker": W1, "valid_from": "2026-11-01"}
    _refused_changes_nothing(w, everyone_but("admin", "sub2"), "POST", "/cards", card, 403)
    w.ok("sub2", "POST", "/cards", card, 201)

    roster = {"worker": W3, "valid_from": "2026-11-10", "trade_code": "0401", "position": "作業員"}
    _refused_changes_nothing(w, everyone_but("admin", "other"), "POST", f"/sites/{SITE}/roster", roster, 403)
    w.ok("other", "POST", f"/sites/{SITE}/roster", roster, 201)

    corr = {"site": SITE, "worker": W1, "work_day": "2026-11-05", "entry_at": "2026-11-05T08:00:00+09:00",
            "exit_at": "2026-11-05T17:00:00+09:00", "reason": "カード忘れ"}
    _refused_changes_nothing(w, everyone_but("sub2", "w1"), "POST", "/corrections", corr, 403)
    cid = w.ok("w1", "POST", "/corrections", corr, 201)["id"]
    _refused_changes_nothing(w, ["admin", "sub2", "w1"], "POST", f"/corrections/{cid}/approve", None, 403)
    _refused_changes_nothing(w, ["sub1", "other", "w2"], "POST", f"/corrections/{cid}/approve", None, 404)
    done = w.ok("manager", "POST", f"/corrections/{cid}/approve")
    assert done["status"] == "approved" and [a["action"] for a in done["audit"]] == ["requested", "approved"]
    _refused_changes_nothing(w, ["prime"], "POST", f"/corrections/{cid}/approve", None, 409)
    visible = {role: len(w.ok(role, "GET", "/corrections")["corrections"]) for role in ROLES[:-1]}
    assert visible == {"admin": 1, "prime": 1, "manager": 1, "sub1": 0, "sub2": 1, "other": 0, "w1": 1, "w2": 0}

    _refused_changes_nothing(w, everyone_but("admin"), "POST", "/users", {"name": "x", "role": "company",
                                                                          "company": SUB1}, 403)
    _refused_changes_nothing(w, everyone_but("admin"), "POST", "/history/rebuild", None, 403)
    assert w.ok("admin", "POST", "/history/rebuild")["rows"] == 3

    consent = {"fields": ["level"]}
    _refused_changes_nothing(w, ["admin", "prime", "sub1", "other", "w2"], "PUT", f"/workers/{W1}/consent", consent,
                             403)
    w.ok("w1", "PUT", f"/workers/{W1}/consent", consent)
    assert w.call("other", "GET", f"/workers/{W1}").status_code == 404  # the employer has not agreed yet
    assert w.ok("sub2", "PUT", f"/workers/{W1}/consent", consent)["disclosed"] == ["level"]
    assert w.ok("other", "GET", f"/workers/{W1}") == {"worker": W1, "name": "技能者21", "level": 2}


def test_placeholder_replacement_through_the_api(world: World) -> None:
    w = world
    _refused_changes_nothing(w, ["sub2"], "POST", f"/sites/{SITE}/structure/members/4/replace", {"company": NEWCO},
                             403)
    _refused_changes_nothing(w, ["sub1"], "POST", f"/sites/{SITE}/structure/members/3/replace", {"company": NEWCO},
                             409)
    w.client.app.state.genba.clock.advance(3600)  # type: ignore[attr-defined]
    out = w.ok("sub1", "POST", f"/sites/{SITE}/structure/members/4/replace", {"company": NEWCO})
    assert out["chart"][-1] == f"    2次 {NEWCO} CCUS建設(株) [登録]"
    assert [c["action"] for c in w.ok("admin", "GET", f"/sites/{SITE}/structure/history")["changes"]] == [
        "prime", "invite", "approve", "invite", "approve", "place", "replace"]
    assert SUB1 in out["chart"][1] and SUB2 in out["chart"][2]
    changes = w.ok("admin", "GET", f"/sites/{SITE}/structure/history")["changes"]
    before = changes[-2]["at"]  # when the placeholder was placed: still the name-only company then
    then = w.ok("sub1", "GET", f"/sites/{SITE}/structure?as_of={before.replace('+', '%2B')}")
    assert then["chart"][-1] == "    2次 CCUS未登録 CCUS建設 [登録]"
    assert w.call("sub1", "GET", f"/sites/{SITE}/structure?as_of=2026-11-01T00:00:00").json()["code"] == "invalid"


def test_after_revocation_a_token_is_refused(world: World) -> None:
    users = world.ok("admin", "GET", "/users")["users"]
    uid = next(u["id"] for u in users if u["name"] == "w2")
    world.ok("admin", "POST", f"/users/{uid}/revoke")
    r = world.call("w2", "GET", "/me")
    assert (r.status_code, r.json()["code"]) == (401, "bad_token")
    assert world.ok("w1", "GET", "/me")["worker"] == W1
    assert world.call("w1", "GET", f"/workers/{W2}").status_code == 404


def test_the_remaining_endpoints_role_by_role(world: World) -> None:
    w = world
    everyone_but = lambda *ok: [r for r in ROLES if r not in ok]  # noqa: E731
    # work name of SUB2 (member 3): SUB2 itself or a company above it
    work = {"work_name": "型枠工事", "work_description": "基礎"}
    _refused_changes_nothing(w, ["admin", "other", "w1", "w2", None], "PUT", f"/sites/{SITE}/structure/members/3/work",
                             work, 403)
    for role in ("prime", "manager", "sub1", "sub2"):
        assert w.ok(role, "PUT", f"/sites/{SITE}/structure/members/3/work", work)["change"]["by"]
    # a name-only company below SUB2: SUB2 or above
    place = {"parent": 3, "name": "(個人)左官"}
    _refused_changes_nothing(w, ["admin", "other", "w1", "w2", None], "POST", f"/sites/{SITE}/structure/placeholders",
                             place, 403)
    assert w.ok("sub2", "POST", f"/sites/{SITE}/structure/placeholders", place, 201)["chart"][-1].endswith("[登録]")

    # ending a roster entry and a card: the employer (or the admin)
    roster = w.ok("admin", "GET", f"/sites/{SITE}/roster")["entries"]
    entry = next(e["id"] for e in roster if e["worker"] == W2)
    _refused_changes_nothing(w, everyone_but("admin", "sub1"), "POST", f"/sites/{SITE}/roster/{entry}/end",
                             {"valid_to": "2026-11-30"}, 403)
    assert w.ok("sub1", "POST", f"/sites/{SITE}/roster/{entry}/end", {"valid_to": "2026-11-30"})["valid_to"] == (
        "2026-11-30")
    _refused_changes_nothing(w, ["sub1"], "POST", f"/sites/{SITE}/roster/{entry}/end", {"valid_to": "2026-10-01"},
                             422)
    card = w.ok("sub2", "GET", f"/workers/{W1}/cards")["cards"][0]["id"]
    _refused_changes_nothing(w, everyone_but("admin", "sub2"), "POST", f"/cards/{card}/end",
                             {"valid_to": "2026-12-31"}, 403)
    w.ok("admin", "POST", f"/cards/{card}/end", {"valid_to": "2026-12-31"})

    # reading and rejecting a correction
    corr = {"site": SITE, "worker": W1, "work_day": "2026-11-06", "exit_at": "2026-11-06T17:00:00+09:00"}
    cid = w.ok("sub2", "POST", "/corrections", corr, 201)["id"]
    assert statuses(w, "GET", f"/corrections/{cid}") == expect(
        {"admin": 200, "prime": 200, "manager": 200, "sub2": 200, "w1": 200}, 404)
    _refused_changes_nothing(w, ["admin", "sub2", "w1"], "POST", f"/corrections/{cid}/reject", {"note": "x"}, 403)
    out = w.ok("prime", "POST", f"/corrections/{cid}/reject", {"note": "証拠なし"})
    assert out["status"] == "rejected" and [a["action"] for a in out["audit"]] == ["requested", "rejected"]
    rows = w.ok("admin", "GET", f"/sites/{SITE}/history?month=2026-11")["rows"]
    assert "2026-11-06" not in {r["work_day"] for r in rows}  # a rejected correction adds nothing

    # CSV answers the same rows as JSON, for whoever may read them
    text = w.ok("sub2", "GET", f"/sites/{SITE}/history?month=2026-11&format=csv")
    assert text.splitlines()[0].startswith("site,work_day,worker") and len(text.splitlines()) == 2


def test_user_revocation_and_replacement_refused_to_every_other_role(world: World) -> None:
    w = world
    uid = next(u["id"] for u in w.ok("admin", "GET", "/users")["users"] if u["name"] == "other")
    _refused_changes_nothing(w, [r for r in ROLES if r != "admin"], "POST", f"/users/{uid}/revoke", None, 403)
    _refused_changes_nothing(w, ["admin", "w1", "w2", None], "POST", f"/sites/{SITE}/structure/members/4/replace",
                             {"company": NEWCO}, 403)
    _refused_changes_nothing(w, ["sub2", "other"], "POST", f"/sites/{SITE}/structure/members/4/replace",
                             {"company": NEWCO}, 403)
    w.ok("prime", "POST", f"/sites/{SITE}/structure/members/4/replace", {"company": NEWCO})  # above it: allowed
    w.ok("admin", "POST", f"/users/{uid}/revoke")
    assert w.call("other", "GET", "/me").status_code == 401


def test_proxy_registration_needs_the_employers_agreement_and_a_place_above_it(world: World) -> None:
    """代理手続: an upper company registers another company's workers only after that company agreed."""
    w = world
    w4 = "44444444444444"
    w.ok("sub2", "POST", "/workers", {"worker": w4, "name": "新入 四郎", "furigana": "シンニュウ シロウ",
                                      "employer": SUB2, "level": 1}, 201)
    entry = {"worker": w4, "valid_from": "2026-11-15", "trade_code": "0401", "position": "作業員"}
    _refused_changes_nothing(w, ["prime", "manager", "sub1", "other"], "POST", f"/sites/{SITE}/roster", entry, 403)
    assert w.call("prime", "GET", f"/workers/{w4}").status_code == 404  # not on any roster, no agreement yet

    _refused_changes_nothing(w, [r for r in ROLES if r != "sub2"], "PUT", f"/companies/{SUB2}/proxies/{PRIME}",
                             None, 403)
    assert w.ok("sub2", "PUT", f"/companies/{SUB2}/proxies/{PRIME}")["proxies"] == [PRIME]
    assert w.ok("sub2", "PUT", f"/companies/{SUB2}/proxies/{OTHER}")["proxies"] == [OTHER, PRIME]
    assert statuses(w, "GET", f"/companies/{SUB2}/proxies") == expect({"admin": 200, "sub2": 200}, 403)
    assert "level" in w.ok("prime", "GET", f"/workers/{w4}")  # the proxy may read the record to register it
    _refused_changes_nothing(w, ["other", "sub1"], "POST", f"/sites/{SITE}/roster", entry, 403)  # not above / no deal
    created = w.ok("manager", "POST", f"/sites/{SITE}/roster", entry, 201)
    assert (created["employer"], created["worker"]) == (SUB2, w4)

    w.ok("sub2", "DELETE", f"/companies/{SUB2}/proxies/{PRIME}")
    _refused_changes_nothing(w, ["prime"], "POST", f"/sites/{SITE}/roster/{created['id']}/end",
                             {"valid_to": "2026-11-30"}, 403)
    _refused_changes_nothing(w, ["sub2"], "DELETE", f"/companies/{SUB2}/proxies/{PRIME}", None, 404)
    w.ok("sub2", "POST", f"/sites/{SITE}/roster/{created['id']}/end", {"valid_to": "2026-11-30"})
