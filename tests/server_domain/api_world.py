"""A small but complete world built through the API: companies, a site with a 3-tier structure, users, taps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from genba.cli.server_domain_seed import JournalKiosk
from server.app import create_app
from server.settings import Settings
from shared.batch import BATCH_MEDIA_TYPE
from shared.clock import ManualClock
from tests.server_domain.factory import CARD1, CARD2, OTHER, PRIME, SITE, SUB1, SUB2, W1, W2, W3, jst

ADMIN_TOKEN = "admin-token-for-tests-0123456789abcdef"
NEWCO = "00296344578652"
SITE_B = "99190759824771"


@dataclass
class World:
    client: TestClient
    engine: sa.Engine
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, Any] = field(default_factory=dict)

    def call(self, role: str | None, method: str, path: str, body: Any = None) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}
        return self.client.request(method, "/api/v1" + path, json=body, headers=headers)

    def ok(self, role: str, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        r = self.call(role, method, path, body)
        assert r.status_code == status, r.text
        return r.json() if r.headers.get("content-type", "").startswith("application/json") else r.text

    def upload(self, k: JournalKiosk) -> Any:
        """POST kiosk ``k``'s next batch (up to 500 events after what it has acknowledged) as a device does; on 200
        they are acknowledged."""
        batch = k.reader.batch(1, k.acked + 1, 500)
        assert batch is not None
        resp = self.client.post("/api/v1/batches", content=batch.to_bytes(),
                                headers={"Content-Type": BATCH_MEDIA_TYPE})
        if resp.status_code == 200:
            k.acked = batch.last
        return resp


def build_world(tmp_path: Path, database_url: str) -> World:
    clock = ManualClock(datetime(2026, 11, 22, 3, 0, tzinfo=UTC))
    settings = Settings(data_dir=tmp_path / "server", database_url=database_url, admin_token=ADMIN_TOKEN,
                        log_json=False, log_level="WARNING")
    app = create_app(settings, clock=clock)
    client = TestClient(app)
    ctx = app.state.genba
    w = World(client, ctx.engine, tokens={"admin": ADMIN_TOKEN})
    for cid, name in ((PRIME, "基本建設(株)"), (SUB1, "一次工務店(株)"), (SUB2, "二次建築(株)"), (OTHER, "無関係(株)"),
                      (NEWCO, "CCUS建設(株)")):
        w.ok("admin", "POST", "/companies", {"company": cid, "name": name}, 201)
    w.ok("admin", "POST", "/sites", {"site": SITE, "name": "虎ノ門現場", "prime": PRIME}, 201)
    w.ok("admin", "POST", "/sites", {"site": SITE_B, "name": "別現場", "prime": OTHER}, 201)
    for role, body in (("prime", {"role": "prime", "company": PRIME}),
                       ("manager", {"role": "prime", "company": PRIME, "site": SITE}),
                       ("sub1", {"role": "company", "company": SUB1}),
                       ("sub2", {"role": "company", "company": SUB2}),
                       ("other", {"role": "company", "company": OTHER})):
        w.tokens[role] = w.ok("admin", "POST", "/users", {"name": role, **body}, 201)["token"]
    for wid, employer in ((W1, SUB2), (W2, SUB1), (W3, OTHER)):
        w.ok("admin", "POST", "/workers", {"worker": wid, "name": f"技能者{wid[-2:]}", "furigana": "ギノウシャ",
                                           "employer": employer, "level": 2}, 201)
    w.tokens["w1"] = w.ok("admin", "POST", "/users", {"name": "w1", "role": "worker", "worker": W1}, 201)["token"]
    w.tokens["w2"] = w.ok("admin", "POST", "/users", {"name": "w2", "role": "worker", "worker": W2}, 201)["token"]
    # structure: prime → SUB1 → SUB2, and a name-only company under SUB1
    w.ok("prime", "POST", f"/sites/{SITE}/structure/invitations", {"parent": 1, "company": SUB1}, 201)
    w.ok("sub1", "POST", f"/sites/{SITE}/structure/members/2/approve")
    w.ok("sub1", "POST", f"/sites/{SITE}/structure/invitations", {"parent": 2, "company": SUB2}, 201)
    w.ok("sub2", "POST", f"/sites/{SITE}/structure/members/3/approve")
    w.ok("sub1", "POST", f"/sites/{SITE}/structure/placeholders", {"parent": 2, "name": "CCUS建設"}, 201)
    w.ok("sub2", "POST", "/cards", {"idm": CARD1, "worker": W1, "valid_from": "2026-01-01"}, 201)
    w.ok("sub1", "POST", "/cards", {"idm": CARD2, "worker": W2, "valid_from": "2026-01-01"}, 201)
    w.ok("sub2", "POST", f"/sites/{SITE}/roster", {"worker": W1, "valid_from": "2026-11-01", "trade_code": "0201",
                                                   "trade_name": "とび工", "position": "職長"}, 201)
    w.ok("sub1", "POST", f"/sites/{SITE}/roster", {"worker": W2, "valid_from": "2026-11-01", "trade_code": "0301"},
         201)
    kiosk = JournalKiosk(tmp_path / "kiosks", "kiosk-gate", SITE, jst(1, 0))
    kiosk.enroll(ctx.engine, ctx.now())
    for card in (CARD1, CARD2):
        kiosk.tap(card, "in", jst(2, 8, 0 if card == CARD1 else 5))
    for card in (CARD1, CARD2):
        kiosk.tap(card, "out", jst(2, 17, 0 if card == CARD1 else 5))
    kiosk.ship(ctx.ingest)
    ctx.worker.drain()
    kiosk.close()
    return w


def snapshot(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every domain table's rows: a refused request must leave this unchanged."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for name in sorted(sa.inspect(conn).get_table_names()):
            if name.startswith("dom_"):
                out[name] = sorted(tuple(str(v) for v in r) for r in conn.execute(sa.text(f"SELECT * FROM {name}")))
    return out
