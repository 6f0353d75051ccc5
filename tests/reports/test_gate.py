"""The roster a kiosk pulls carries the gate's flags (expired, education missing) and nothing personal."""

from __future__ import annotations

import json
from typing import Any

from tests.server_domain.api_world import World
from tests.server_domain.factory import SITE, W1, W2


def pulled(world: World) -> dict[str, Any]:
    ctx = world.client.app.state.genba  # type: ignore[attr-defined]
    with ctx.engine.connect() as conn:
        body = ctx.pull.roster(conn, SITE).as_dict()
    return {w["worker"]: w for w in body["workers"]} | {"_text": json.dumps(body, ensure_ascii=False)}


def test_gate_flags_follow_education_and_lapsed_health_checks_and_never_carry_personal_data(world: World) -> None:
    before = pulled(world)
    assert before[W1]["gate"] == ["education_missing"] and before[W2]["gate"] == ["education_missing"]
    world.ok("admin", "PUT", f"/workers/{W2}/details", {
        "birth_date": "1979-03-03", "emergency_phone": "090-5555-1234", "health_general": "2025-01-01"})
    world.ok("prime", "PUT", f"/sites/{SITE}/education/{W1}", {"educated_on": "2026-11-01"})
    world.ok("prime", "PUT", f"/sites/{SITE}/education/{W2}", {"educated_on": "2026-11-01"})
    after = pulled(world)
    assert "gate" not in after[W1]  # nothing to warn about: the key is left out, old versions unchanged
    assert after[W2]["gate"] == ["expired"]  # the general check of 2025-01-01 lapsed on 2026-01-01
    assert "1979" not in after["_text"] and "090-5555" not in after["_text"] and "2025-01-01" not in after["_text"]
    assert set(after[W2]) <= {"worker", "name", "furigana", "employer", "employer_name", "trade", "trade_code",
                              "position", "idms", "on_roster", "gate"}


def test_the_gate_wrapper_is_installed_once(world: World) -> None:
    from server.reports.gate import install

    ctx = world.client.app.state.genba  # type: ignore[attr-defined]
    first = ctx.pull.roster
    install(ctx.pull, ctx.now)
    assert ctx.pull.roster is first
