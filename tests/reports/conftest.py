"""One small world per module (built through the API, SQLite) for the report tests; PostgreSQL where noted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server_domain.api_world import World, build_world


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root: Path = tmp_path_factory.mktemp("reports-world")
    w = build_world(root, f"sqlite:///{root / 'server.db'}")
    yield w
    w.client.close()
