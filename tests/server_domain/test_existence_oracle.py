"""No existence oracle: an unknown worker and another company's worker look the same (issue 9 item 10).

A company user asking for a worker it may not see got 200 with empty rows,
but 404 for a worker id that does not exist: enough to learn who is registered.
Both now answer the same 404, word for word but for the id; only the admin is
told which case it is.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.server_domain.api_world import World
from tests.server_domain.factory import W1, W3

UNKNOWN = "00000000000000"


def shape(resp: Any, worker: str) -> tuple[int, str]:
    body = resp.json()
    return resp.status_code, str({k: v for k, v in body.items() if k != "server_time"}).replace(worker, "<id>")


@pytest.mark.parametrize("path", ["/workers/{w}/history?month=2026-11", "/workers/{w}/history?month=2026-11&format=csv",
                                  "/workers/{w}"])
@pytest.mark.parametrize("role", ["sub1", "sub2", "w1"])
def test_another_companys_worker_and_a_nonexistent_one_get_the_same_answer(world: World, role: str,
                                                                          path: str) -> None:
    other = world.call(role, "GET", path.format(w=W3))
    missing = world.call(role, "GET", path.format(w=UNKNOWN))
    assert other.status_code == 404
    assert shape(other, W3) == shape(missing, UNKNOWN)


def test_a_visible_worker_still_gets_their_rows_and_the_admin_is_told_which_case(world: World) -> None:
    own = world.call("sub2", "GET", f"/workers/{W1}/history?month=2026-11")
    assert own.status_code == 200 and own.json()["rows"]
    unknown = world.call("admin", "GET", f"/workers/{UNKNOWN}/history?month=2026-11")
    other = world.call("admin", "GET", f"/workers/{W3}/history?month=2026-11")
    assert unknown.status_code == 404 and "not registered" in unknown.json()["message"]
    assert other.status_code == 200 and other.json()["rows"] == []
