"""A device-signed request writes in ONE transaction (issue 10 item 7): its auth bookkeeping (nonce, clock
sample, last seen) goes into the transaction of the work it does, and a read-only pull makes only that one.

Counted with SQLAlchemy's ``commit`` event on the server's real engine (SQLite file and PostgreSQL); reads
end in a rollback and are not counted.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from server import ServerContext
from shared.batch import BATCH_MEDIA_TYPE
from tests.server.conftest import Api, Kiosk, count


@pytest.fixture
def commits(ctx: ServerContext) -> Iterator[list[str]]:
    seen: list[str] = []

    def on_commit(conn: sa.Connection) -> None:
        seen.append(conn.dialect.name)

    sa.event.listen(ctx.engine, "commit", on_commit)
    yield seen
    sa.event.remove(ctx.engine, "commit", on_commit)


@pytest.fixture
def enrolled(api: Api, kiosk: Kiosk) -> Kiosk:
    kiosk.enroll(api)
    return kiosk


def _last_seen(api: Api) -> object:
    return api.admin("GET", "/api/v1/admin/devices").json()["devices"][0]["last_seen"]


def test_signed_batch_upload_is_one_write_transaction(api: Api, enrolled: Kiosk, ctx: ServerContext,
                                                      commits: list[str]) -> None:
    enrolled.tap(3)
    body = enrolled.batch().to_bytes()
    before = len(commits)
    resp = enrolled.signed(api, "POST", "/api/v1/batches", body=body, **{"Content-Type": BATCH_MEDIA_TYPE})
    assert resp.status_code == 200, resp.text
    assert len(commits) - before == 1, "events, receipt, queue row, nonce, clock sample and last seen: one commit"
    assert (count(ctx, "events"), count(ctx, "request_nonces"), count(ctx, "device_clock")) == (3, 1, 1)
    # the same request again is a replay: refused, and nothing of it stored
    again = api.post("/api/v1/batches", content=body, headers=dict(resp.request.headers))
    assert (again.status_code, again.json()["code"]) == (401, "replayed")
    assert (count(ctx, "events"), count(ctx, "request_nonces")) == (3, 1)


@pytest.mark.parametrize("path", ["/api/v1/device/roster", "/api/v1/device/config", "/api/v1/device/receipt"])
def test_read_only_pull_is_one_write_transaction(api: Api, enrolled: Kiosk, ctx: ServerContext,
                                                 commits: list[str], path: str) -> None:
    before = len(commits)
    resp = enrolled.signed(api, "GET", path)
    assert resp.status_code == 200, resp.text
    assert len(commits) - before == 1, "nonce, clock sample and last seen together; the pull itself only reads"
    assert _last_seen(api) == resp.json()["server_time"]


def test_status_report_is_one_write_transaction(api: Api, enrolled: Kiosk, commits: list[str]) -> None:
    before = len(commits)
    resp = enrolled.signed(api, "POST", "/api/v1/device/status", body=b'{"unsent": 4}')
    assert resp.status_code == 204, resp.text
    assert len(commits) - before == 1, "the report and the request's bookkeeping: one commit"
    assert api.admin("GET", "/api/v1/admin/devices").json()["devices"][0]["unsent"] == 4


def test_refused_status_report_stores_nothing_not_even_the_nonce(api: Api, enrolled: Kiosk, ctx: ServerContext,
                                                                 commits: list[str]) -> None:
    nonces, before = count(ctx, "request_nonces"), len(commits)
    resp = enrolled.signed(api, "POST", "/api/v1/device/status", body=b'{"unsent": -1}')
    assert (resp.status_code, resp.json()["code"]) == (400, "malformed")
    assert (len(commits) - before, count(ctx, "request_nonces")) == (0, nonces)
