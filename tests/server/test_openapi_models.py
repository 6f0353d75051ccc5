"""The served OpenAPI schema is the real one (issue 10 item 7): every route under /api/v1 has a typed success
answer and lists the 4xx it may answer, each with the error body; validation failures are documented as the
400 ``malformed`` the API sends, never FastAPI's default 422."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from server import Settings, create_app
from server.api.domain_models import ERROR_MEANING
from tests.server.conftest import TOKEN

NOT_JSON = {
    ("GET", "/api/v1/sites/{site}/reports/{kind}"): "a file (CSV, XLSX or PDF) chosen by Accept / format",
}
"""Routes whose success answer is a file, not JSON: each documents its formats' media types (checked below)."""
NOT_TYPED_YET: set[tuple[str, str]] = set()
"""Routes allowed to answer untyped JSON: none (any route without a typed answer fails the test)."""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    root: Path = tmp_path_factory.mktemp("openapi-models")
    return create_app(Settings(data_dir=root, admin_token=TOKEN))


def _operations(app: FastAPI) -> list[tuple[str, str, dict[str, Any]]]:
    """(METHOD, path, operation) of every route under /api/v1 in the served document."""
    return [(method.upper(), path, op) for path, item in app.openapi()["paths"].items()
            if path.startswith("/api/v1/") for method, op in item.items()]


def _schema_is_typed(schema: dict[str, Any], doc: dict[str, Any]) -> bool:
    if "$ref" in schema:
        target = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        return bool(target.get("properties"))
    return bool(schema.get("properties") or schema.get("items") or schema.get("anyOf"))


def test_every_api_route_has_a_typed_success_answer(app: FastAPI) -> None:
    doc = app.openapi()
    operations = _operations(app)
    assert len(operations) >= 45, len(operations)
    untyped = []
    for method, path, op in operations:
        key = (method, path)
        status = min(code for code in op["responses"] if code.startswith("2"))
        if status == "204":
            assert "content" not in op["responses"]["204"], key
            continue
        if key in NOT_JSON:
            continue
        schema = op["responses"][status].get("content", {}).get("application/json", {}).get("schema", {})
        if not _schema_is_typed(schema, doc):
            untyped.append(key)
    assert set(untyped) <= NOT_TYPED_YET, f"untyped success answers: {sorted(set(untyped) - NOT_TYPED_YET)}"


PUBLIC = ("/api/v1/enroll", "/api/v1/batches", "/api/v1/log/")
"""No credential needed: the enrollment code, the batch's own signature, the public audit log."""


def test_a_report_documents_the_media_type_of_every_format(app: FastAPI) -> None:
    from server.reports import FORMATS

    ok = app.openapi()["paths"]["/api/v1/sites/{site}/reports/{kind}"]["get"]["responses"]["200"]
    assert set(ok["content"]) == {media for media, _ext in FORMATS.values()}
    assert all(c["schema"] == {"type": "string", "format": "binary"} for c in ok["content"].values())


def test_every_api_route_lists_its_4xx_with_the_error_body(app: FastAPI) -> None:
    for method, path, op in _operations(app):
        key = (method, path)
        refusals = {code: r for code, r in op["responses"].items() if code.startswith("4")}
        assert refusals, f"{key} documents no 4xx"
        for code, r in refusals.items():
            schema = r.get("content", {}).get("application/json", {}).get("schema", {})
            assert schema.get("$ref", "").endswith("/ErrorBody"), (key, code, schema)
            assert int(code) in ERROR_MEANING, (key, code)
        if op.get("parameters") or op.get("requestBody"):
            assert "400" in refusals, f"{key} takes input but does not document 400 malformed"
        if not path.startswith(PUBLIC):
            assert "401" in refusals, f"{key} needs a credential but does not document 401"


def test_no_route_documents_the_default_422_the_api_never_sends(app: FastAPI) -> None:
    doc = app.openapi()
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    for path, item in doc["paths"].items():
        for method, op in item.items():
            r422 = op["responses"].get("422")
            if r422 is not None:
                assert r422["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody"), (method, path)


def test_domain_routes_need_a_token_and_document_401(app: FastAPI) -> None:
    doc = app.openapi()
    for path in ("/api/v1/companies", "/api/v1/sites/{site}/roster", "/api/v1/corrections", "/api/v1/me"):
        for op in doc["paths"][path].values():
            assert "401" in op["responses"], path


def test_answers_sent_past_validation_match_their_documented_models(tmp_path: Path, database_url: str) -> None:
    """History (JSON or CSV) and the device pulls are sent as ready responses, so FastAPI does not check them
    against their models: check real answers here (``extra="forbid"``: an undocumented field fails)."""
    from server.api.domain_models import HistoryOut
    from tests.server_domain.api_world import build_world
    from tests.server_domain.factory import PRIME, SITE, W1

    w = build_world(tmp_path, database_url)
    try:
        for path in (f"/sites/{SITE}/history?month=2026-11", f"/workers/{W1}/history?month=2026-11",
                     f"/companies/{PRIME}/history?month=2026-11"):
            body = w.ok("admin", "GET", path)
            HistoryOut.model_validate(body)
            assert body["rows"] or "companies" in path, path  # the world's taps made rows
    finally:
        w.client.close()
