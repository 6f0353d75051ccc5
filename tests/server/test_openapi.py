"""The served OpenAPI document, and schemathesis against it: no generated request may cause a 5xx."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from server import Settings, create_app
from shared.batch import BATCH_MEDIA_TYPE
from tests.server.conftest import TOKEN


@pytest.fixture(scope="module")
def sqlite_app(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root: Path = tmp_path_factory.mktemp("openapi")
    return create_app(Settings(data_dir=root, admin_token=TOKEN))


def test_no_generated_request_causes_a_server_error(sqlite_app) -> None:  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_asgi("/openapi.json", sqlite_app)
    checked = []
    seen_status: list[int] = []
    ctypes: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck),
                  database=None)
        def run(case) -> None:  # type: ignore[no-untyped-def]
            headers = {"Authorization": f"Bearer {TOKEN}"} if "/admin/" in case.path else None
            response = case.call(headers=headers)
            seen_status.append(response.status_code)
            ctypes.append(response.headers.get("content-type", [""])[0])
            assert response.status_code < 500, (case.method, case.path, response.text)
            if response.status_code >= 400 and "json" in response.headers.get("content-type", [""])[0]:
                body = response.json()
                assert isinstance(body.get("code"), str) and body.get("message_ja"), body

        run()
        checked.append(f"{operation.method.upper()} {operation.path}")
    assert len(checked) >= 12, checked
    assert any(s >= 400 for s in seen_status) and any("json" in c for c in ctypes), (seen_status, ctypes)


def test_openapi_documents_every_sync_endpoint(sqlite_app) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    import httpx

    async def fetch() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sqlite_app), base_url="http://t") as c:
            return await c.get("/openapi.json")

    doc = asyncio.run(fetch()).json()
    paths = doc["paths"]
    for path in ("/api/v1/enroll", "/api/v1/batches", "/api/v1/device/receipt", "/api/v1/device/config",
                 "/api/v1/device/roster", "/api/v1/device/status", "/api/v1/admin/enrollment-codes",
                 "/api/v1/admin/devices", "/api/v1/admin/devices/{device}/revoke", "/api/v1/admin/import",
                 "/healthz", "/metrics"):
        assert path in paths, path
    assert BATCH_MEDIA_TYPE in paths["/api/v1/batches"]["post"]["requestBody"]["content"]
    assert "409" in paths["/api/v1/batches"]["post"]["responses"]
