"""The server does what docs/protocol.md and docs/api.md say, exactly (issue 9 item 9)."""

from __future__ import annotations

from pathlib import Path

import pytest

from server import ServerContext
from shared.canonical import canonical_bytes
from shared.errors import FormatError
from shared.event import Event
from shared.keys import SigningKey
from syncd.offline import BATCH_SUFFIX
from tests.server.conftest import TOKEN, Api, Kiosk, snapshot

ROOT = Path(__file__).parents[2]
TAP = {"v": 1, "device": "kiosk-test01", "epoch": 1, "seq": 1, "boot": "00000000-0000-4000-8000-000000000001",
       "mono_us": 5, "at": "2026-11-22T08:00:00.000+09:00", "kind": "tap", "reader": "sim",
       "site": "12345678901234", "app": "0.1.0", "idm": "0123456789ABCDEF", "direction": "in"}


@pytest.mark.parametrize("field", ["reason", "ref", "worker", "claimed_at"])
def test_an_optional_event_field_is_omitted_never_null(field: str) -> None:
    assert Event.from_bytes(canonical_bytes(TAP)).kind == "tap"
    with pytest.raises(FormatError, match="omitted, not null"):
        Event.from_bytes(canonical_bytes({**TAP, field: None}))


@pytest.mark.parametrize("name", ["genba-server", "kiosk-test01.e2", "kiosk-other.e1", "admin"])
def test_enrollment_refuses_a_key_not_named_device_dot_epoch(api: Api, kiosk: Kiosk, ctx: ServerContext,
                                                             name: str) -> None:
    code = api.admin("POST", "/api/v1/admin/enrollment-codes", json={"site": kiosk.site}).json()["code"]
    before = snapshot(ctx)
    resp = kiosk.enroll_with(api, code, key=SigningKey.generate(name).verifier.encode())
    assert resp.status_code == 400 and resp.json()["code"] == "key_name", resp.text
    assert snapshot(ctx) == before
    assert kiosk.enroll_with(api, code).status_code == 201  # the code was not consumed


def test_the_protocol_names_the_batch_file_suffix_the_code_uses() -> None:
    protocol = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
    assert f"`{BATCH_SUFFIX}`" in protocol and ".genba-batch" not in protocol


@pytest.mark.parametrize("path", ["/api/v1/admin/enrollment-codes", "/api/v1/companies"])
@pytest.mark.parametrize("body", [b"{not json", b'{"site": "\xff"}'])
def test_a_json_parse_error_is_malformed_on_every_json_endpoint(api: Api, path: str, body: bytes) -> None:
    resp = api.post(path, content=body, headers={"Authorization": f"Bearer {TOKEN}",
                                                 "Content-Type": "application/json"})
    assert resp.status_code == 400 and resp.json()["code"] == "malformed", resp.text


@pytest.mark.parametrize("path, methods", [("/api/v1/companies", {"GET", "POST"}),
                                           ("/api/v1/workers", {"GET", "POST"}),
                                           ("/api/v1/enroll", {"POST"})])
def test_405_names_every_method_of_the_path(api: Api, path: str, methods: set[str]) -> None:
    resp = api.request("DELETE", path, headers={"Authorization": f"Bearer {TOKEN}"})
    assert resp.status_code == 405 and resp.json()["code"] == "method_not_allowed"
    allowed = {m.strip() for m in resp.headers["allow"].split(",")}
    assert methods <= allowed and "DELETE" not in allowed


def test_every_domain_route_documents_its_4xx_with_the_error_body(api: Api) -> None:
    spec = api.get("/openapi.json").json()
    domain = {p: ops for p, ops in spec["paths"].items()
              if p.startswith("/api/v1/") and not p.startswith(("/api/v1/enroll", "/api/v1/batches",
                                                                  "/api/v1/device", "/api/v1/admin", "/api/v1/log"))}
    assert len(domain) > 10
    for path, ops in domain.items():
        for method, op in ops.items():
            # each route lists the 4xx it may answer (tests/server/test_openapi_models.py); all need a token
            listed = [s for s in op["responses"] if s.startswith("4")]
            assert "401" in listed, f"{method} {path}"
            for status in listed:
                ref = op["responses"][status].get("content", {}).get("application/json", {}).get("schema")
                assert ref == {"$ref": "#/components/schemas/ErrorBody"}, f"{method} {path} {status}"
