"""Schemathesis against the domain endpoints as the admin: no generated request may cause a 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.server_domain.api_world import ADMIN_TOKEN, World, build_world

SYNC_PREFIXES = ("/api/v1/enroll", "/api/v1/batches", "/api/v1/device", "/healthz", "/metrics",
                 "/api/v1/admin/import")


@pytest.fixture
def world(tmp_path: Path, database_url: str) -> Iterator[World]:
    """SQLite and PostgreSQL: a hostile-input suite runs on both backends (issue 9 item 7)."""
    w = build_world(tmp_path, database_url)
    yield w
    w.client.close()


def test_no_generated_request_to_the_domain_api_causes_a_server_error(world: World) -> None:
    app = world.client.app
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    checked: list[str] = []
    statuses: set[int] = set()
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.startswith(SYNC_PREFIXES):
            continue

        @given(case=operation.as_strategy())
        @settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck),
                  database=None)
        def run(case) -> None:  # type: ignore[no-untyped-def]
            response = case.call(headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
            statuses.add(response.status_code)
            assert response.status_code < 500, (case.method, case.path, response.text)
            if response.status_code >= 400:
                body = response.json()
                assert isinstance(body.get("code"), str) and body.get("message_ja"), body

        run()
        checked.append(f"{operation.method.upper()} {operation.path}")
    assert len(checked) >= 30, checked
    assert "POST /api/v1/admin/devices/{device}/site" in checked
    assert {200, 400} <= statuses or {201, 400} <= statuses, statuses
