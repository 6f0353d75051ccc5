"""Dates a report prints are the site's (Asia/Tokyo), not UTC's, which is a day behind from 00:00 to 09:00 JST."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.reports.test_api_reports import csv_text, get
from tests.server_domain.api_world import NEWCO, World, build_world
from tests.server_domain.factory import SITE


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = build_world(tmp_path, f"sqlite:///{tmp_path / 'server.db'}")
    yield w
    w.client.close()


def test_the_structure_ledger_dates_an_approval_by_the_sites_day(world: World) -> None:
    """Approved at 01:30 JST on 23 November (16:30 UTC on the 22nd): the ledger's 承認日 is 2026-11-23."""
    clock = world.client.app.state.genba.clock  # type: ignore[attr-defined]
    clock.set_wall(datetime(2026, 11, 22, 16, 30, tzinfo=UTC))
    world.tokens["newco"] = world.ok("admin", "POST", "/users", {"name": "newco", "role": "company",
                                                                 "company": NEWCO}, 201)["token"]
    invited = world.ok("prime", "POST", f"/sites/{SITE}/structure/invitations",
                       {"parent": 1, "company": NEWCO}, 201)
    member = invited["change"]["member"]
    world.ok("newco", "POST", f"/sites/{SITE}/structure/members/{member}/approve")

    rows = list(csv.reader(io.StringIO(csv_text(get(world, "prime", "structure-ledger", format="csv")))))
    header = next(r for r in rows if "承認日" in r)
    row = next(r for r in rows if NEWCO in r)
    assert row[header.index("承認日")] == "2026-11-23"
    # the members approved at 12:00 JST on the 22nd (the world's clock) keep that day
    assert {r[header.index("承認日")] for r in rows[rows.index(header) + 1:] if r[header.index("状態")] == "登録"
            and NEWCO not in r} == {"2026-11-22"}

