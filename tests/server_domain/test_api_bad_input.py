"""Bad input through the API: a clear 4xx with a machine-readable code, and nothing changed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.server_domain.api_world import World, build_world, snapshot
from tests.server_domain.factory import CARD1, OTHER, PRIME, SITE, W1, W3

UNKNOWN = "00000000000000"


@pytest.fixture
def world(tmp_path: Path, database_url: str) -> Iterator[World]:
    w = build_world(tmp_path, database_url)
    w.ok("prime", "POST", f"/sites/{SITE}/structure/invitations", {"parent": 1, "company": OTHER}, 201)  # member 5
    yield w
    w.client.close()


CORRECTION = {"site": SITE, "worker": W1, "entry_at": "2026-11-03T08:00:00+09:00"}

CASES: list[tuple[str, str, str, str, Any, int, str]] = [
    ("unknown site", "admin", "GET", f"/sites/{UNKNOWN}", None, 404, "not_found"),
    ("unknown worker", "admin", "GET", f"/workers/{UNKNOWN}", None, 404, "not_found"),
    ("unknown company invited", "prime", "POST", f"/sites/{SITE}/structure/invitations",
     {"parent": 1, "company": UNKNOWN}, 404, "not_found"),
    ("unknown member", "sub1", "POST", f"/sites/{SITE}/structure/members/99/approve", None, 404, "not_found"),
    ("unknown correction", "prime", "POST", "/corrections/999/approve", None, 404, "not_found"),
    ("malformed id", "admin", "POST", "/companies", {"company": "123", "name": "x"}, 422, "invalid"),
    ("duplicate company", "admin", "POST", "/companies", {"company": PRIME, "name": "x"}, 409, "duplicate"),
    ("approving twice", "sub1", "POST", f"/sites/{SITE}/structure/members/2/approve", None, 409,
     "already_approved"),
    ("approval by the wrong company", "sub1", "POST", f"/sites/{SITE}/structure/members/5/approve", None, 403,
     "wrong_company"),
    ("a cycle in the tree", "sub1", "POST", f"/sites/{SITE}/structure/invitations", {"parent": 2, "company": PRIME},
     409, "structure_cycle"),
    ("replacing a registered company", "sub1", "POST", f"/sites/{SITE}/structure/members/3/replace",
     {"company": OTHER}, 409, "not_placeholder"),
    ("roster entry for a company not (yet) registered on the site", "other", "POST", f"/sites/{SITE}/roster",
     {"worker": W3, "valid_from": "2026-11-01"}, 422, "employer_not_on_site"),
    ("overlapping roster entry", "sub2", "POST", f"/sites/{SITE}/roster", {"worker": W1, "valid_from": "2026-11-20"},
     409, "overlapping_roster"),
    ("overlapping card binding", "sub2", "POST", "/cards", {"idm": CARD1, "worker": W1, "valid_from": "2026-06-01"},
     409, "overlapping_binding"),
    ("lower-case IDm", "sub2", "POST", "/cards", {"idm": CARD1.lower(), "worker": W1, "valid_from": "2026-06-01"},
     422, "invalid"),
    ("correction for the future", "w1", "POST", "/corrections", {**CORRECTION, "work_day": "2026-11-23",
                                                                "entry_at": "2026-11-23T08:00:00+09:00"},
     422, "correction_in_future"),
    ("correction past the deadline", "w1", "POST", "/corrections", {**CORRECTION, "work_day": "2026-09-30",
                                                                   "entry_at": "2026-09-30T08:00:00+09:00"},
     422, "correction_past_deadline"),
    ("correction without any time", "w1", "POST", "/corrections", {"site": SITE, "worker": W1,
                                                                  "work_day": "2026-11-03"}, 422, "invalid"),
    ("correction exit before entry", "w1", "POST", "/corrections",
     {**CORRECTION, "work_day": "2026-11-03", "exit_at": "2026-11-03T07:00:00+09:00"}, 422, "invalid"),
    ("unknown field", "admin", "POST", "/companies", {"company": "55555555555555", "name": "x", "evil": 1}, 400,
     "malformed"),
    ("oversized name", "admin", "POST", "/companies", {"company": "55555555555555", "name": "x" * 5000}, 400,
     "malformed"),
    ("wrong type", "admin", "POST", "/sites", {"site": "55555555555555", "name": "x", "prime": PRIME,
                                               "repeat_window_s": "many"}, 400, "malformed"),
    ("bad month", "admin", "GET", f"/sites/{SITE}/history?month=2026-13", None, 422, "invalid"),
    ("correction entry on another day", "w1", "POST", "/corrections",
     {**CORRECTION, "work_day": "2026-11-04"}, 422, "invalid"),
    ("correction exit two days later", "w1", "POST", "/corrections",
     {"site": SITE, "worker": W1, "work_day": "2026-11-03", "exit_at": "2026-11-05T17:00:00+09:00"}, 422, "invalid"),
    ("control character in a name", "admin", "POST", "/companies", {"company": "55555555555555", "name": "a\x00b"},
     400, "malformed"),
    ("control character deep in a list", "sub2", "POST", f"/sites/{SITE}/roster",
     {"worker": W1, "valid_from": "2027-01-01", "qualifications": ["ok", "bad\x1b[31m"]}, 400, "malformed"),
    ("absurd numeric id", "prime", "POST", "/corrections/99999999999999999999/approve", None, 400, "malformed"),
    ("malformed site id in the path", "admin", "GET", "/sites/abc", None, 400, "malformed"),
    ("malformed employer filter", "admin", "GET", "/workers?employer=1%00", None, 400, "malformed"),
    ("unknown status filter", "admin", "GET", "/corrections?status=maybe", None, 400, "malformed"),
    ("undisclosable consent field", "w1", "PUT", f"/workers/{W1}/consent", {"fields": ["address"]}, 422, "invalid"),
]


def test_bad_input_is_refused_with_a_code_and_changes_nothing(world: World) -> None:
    """One world per database for the whole table (each case is checked to change nothing)."""
    before = snapshot(world.engine)
    for name, role, method, path, body, status, code in CASES:
        r = world.call(role, method, path, body)
        assert (r.status_code, r.json()["code"]) == (status, code), f"{name}: {r.text}"
        assert r.json()["message"] and r.json()["message_ja"], name
        assert snapshot(world.engine) == before, name


def test_malformed_json_and_bad_tokens(world: World) -> None:
    before = snapshot(world.engine)
    r = world.client.post("/api/v1/companies", content=b"{", headers={
        "Authorization": f"Bearer {world.tokens['admin']}", "Content-Type": "application/json"})
    assert (r.status_code, r.json()["code"]) == (400, "malformed")
    for header in ("Bearer nope", "Basic abc", "", "Bearer "):
        r = world.client.get("/api/v1/me", headers={"Authorization": header} if header else {})
        assert (r.status_code, r.json()["code"]) == (401, "bad_token")
    assert snapshot(world.engine) == before


def test_a_correction_inside_the_window_is_accepted_on_the_last_allowed_month(world: World) -> None:
    out = world.ok("w1", "POST", "/corrections", {**CORRECTION, "work_day": "2026-10-01",
                                                  "entry_at": "2026-10-01T08:00:00+09:00"}, 201)
    assert (out["status"], out["deadline"]) == ("requested", "2026-11-30")
