"""Group commit (server.store.engine.GroupCommit) and the ingest fast paths, on real databases.

On SQLite concurrent writers share one transaction (one fsync): every caller is answered only after the
commit, one caller's failure is rolled back to its savepoint and touches nobody else, and a failed commit
fails every caller of its group with nothing stored. On PostgreSQL each call is its own transaction.
The per-process cache of enrolled keys never lets a revoked device in.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from server import ServerContext
from server.errors import Revoked
from server.store.engine import GroupCommit, make_engine
from shared.errors import GenbaError
from tests.server.conftest import Api, Kiosk, count, snapshot


@pytest.fixture
def scratch(tmp_path: Path) -> sa.Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'scratch.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE parent (id INTEGER PRIMARY KEY)"))
        conn.execute(sa.text("CREATE TABLE child (id INTEGER PRIMARY KEY, parent INTEGER NOT NULL "
                             "REFERENCES parent (id))"))
        conn.execute(sa.text("INSERT INTO parent VALUES (1)"))
    return engine


def _grouped_run(committer: GroupCommit, jobs: list[object]) -> list[object]:
    """Run one job per thread; the first holds its transaction open until all the others are waiting, so they
    all form the next group (deterministic grouping, no timing)."""
    results: list[object] = [None] * (len(jobs) + 1)
    first_in = threading.Event()

    def hold(conn: sa.Connection) -> str:
        first_in.set()
        deadline = time.monotonic() + 30
        while len(committer._pending) < len(jobs) and time.monotonic() < deadline:
            time.sleep(0.001)
        conn.execute(sa.text("INSERT INTO child VALUES (0, 1)"))
        return "first"

    def call(i: int, fn: object) -> None:
        try:
            results[i] = committer.run(fn)  # type: ignore[arg-type]
        except Exception as exc:
            results[i] = exc

    leader = threading.Thread(target=call, args=(0, hold), daemon=True)
    leader.start()
    assert first_in.wait(30)
    threads = [threading.Thread(target=call, args=(i + 1, fn), daemon=True) for i, fn in enumerate(jobs)]
    for th in threads:
        th.start()
    for th in [leader, *threads]:
        th.join(60)
    return results


def test_concurrent_writers_share_one_commit_and_a_failure_is_its_own(scratch: sa.Engine) -> None:
    committer = GroupCommit(scratch)
    seen_after_return: list[bool] = []

    def insert(i: int) -> object:
        def fn(conn: sa.Connection) -> int:
            conn.execute(sa.text("INSERT INTO child VALUES (:i, 1)"), {"i": i})
            if i == 5:
                raise ValueError("this caller's own refusal")
            return i
        return fn

    jobs = [insert(i) for i in range(1, 11)]
    results = _grouped_run(committer, jobs)
    assert results[0] == "first"
    assert results[1:5] == [1, 2, 3, 4] and results[6:] == [6, 7, 8, 9, 10]
    assert isinstance(results[5], ValueError)
    with scratch.connect() as conn:
        ids = [r[0] for r in conn.execute(sa.text("SELECT id FROM child ORDER BY id"))]
        seen_after_return.append(ids == [0, 1, 2, 3, 4, 6, 7, 8, 9, 10])
    assert seen_after_return == [True], "only the failing caller's row is missing; everyone else's committed"
    assert committer.jobs == 11
    assert committer.groups == 2, "the ten that waited went in one transaction"


def test_a_failed_commit_fails_every_caller_of_the_group_and_stores_nothing(scratch: sa.Engine) -> None:
    committer = GroupCommit(scratch)

    def good(i: int) -> object:
        def fn(conn: sa.Connection) -> int:
            conn.execute(sa.text("INSERT INTO child VALUES (:i, 1)"), {"i": i})
            return i
        return fn

    def breaks_at_commit(conn: sa.Connection) -> int:
        # a foreign key checked only at COMMIT: the statement succeeds, the commit of the group fails
        conn.execute(sa.text("PRAGMA defer_foreign_keys = ON"))
        conn.execute(sa.text("INSERT INTO child VALUES (99, 42)"))
        return 99

    results = _grouped_run(committer, [good(1), breaks_at_commit, good(2)])
    assert results[0] == "first"
    assert all(isinstance(r, sa.exc.IntegrityError) for r in results[1:]), results
    with scratch.connect() as conn:
        assert [r[0] for r in conn.execute(sa.text("SELECT id FROM child ORDER BY id"))] == [0]
    # and the committer goes on working
    assert committer.run(good(3)) == 3


def test_concurrent_uploads_from_many_devices_are_all_stored_once_and_a_bad_one_only_refused(
        api: Api, ctx: ServerContext, tmp_path: Path) -> None:
    kiosks = [Kiosk(tmp_path / f"k{i}", device=f"kiosk-gc{i:02d}") for i in range(12)]
    for k in kiosks:
        k.enroll(api)
        k.tap(6)
    bodies = [k.batch(1, 3).to_bytes() for k in kiosks] + [k.batch(4, 3).to_bytes() for k in kiosks]
    gap = kiosks[0].batch(5, 2).to_bytes()  # starts past what the server can hold at that point: refused
    errors: list[BaseException] = []
    outcomes: list[tuple[str, int]] = []
    barrier = threading.Barrier(len(kiosks) + 1)

    def device(i: int) -> None:
        barrier.wait()
        try:
            for body in (bodies[i], bodies[len(kiosks) + i]):
                r = ctx.ingest.ingest(body)
                outcomes.append((r.outcome, r.acked))
        except GenbaError as exc:  # pragma: no cover - a failure below
            errors.append(exc)

    refused: list[str] = []

    def bad() -> None:
        barrier.wait()
        try:
            ctx.ingest.ingest(gap)
        except GenbaError as exc:
            refused.append(exc.code)

    threads = [threading.Thread(target=device, args=(i,)) for i in range(len(kiosks))]
    threads.append(threading.Thread(target=bad))
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    assert errors == []
    assert sorted(outcomes) == sorted([("append", 3)] * 12 + [("append", 6)] * 12)
    assert refused in (["gap"], []), refused  # a gap, unless it came after seq 6 was stored (then a duplicate)
    assert count(ctx, "events") == 72
    assert count(ctx, "receipts") == 24
    with ctx.engine.connect() as conn:
        dupes = conn.execute(sa.text("SELECT count(*) FROM (SELECT device, epoch, seq FROM events "
                                     "GROUP BY device, epoch, seq HAVING count(*) > 1) AS d")).scalar_one()
    assert dupes == 0


def test_a_device_revoked_after_uploading_is_refused_at_once(api: Api, kiosk: Kiosk, ctx: ServerContext) -> None:
    kiosk.enroll(api)
    kiosk.tap(4)
    assert kiosk.upload(api, kiosk.batch(1, 2)).status_code == 200  # its key is now kept by this process
    assert api.admin("POST", f"/api/v1/admin/devices/{kiosk.device}/revoke").status_code == 200
    before = snapshot(ctx)
    resp = kiosk.upload(api, kiosk.batch(3, 2))
    assert (resp.status_code, resp.json()["code"]) == (403, "revoked")
    assert snapshot(ctx) == before
    with pytest.raises(Revoked):
        ctx.ingest.ingest(kiosk.batch(3, 2).to_bytes())
    # a refusal that comes before the revocation check is the one it always was (the key is looked up again)
    body = bytearray(kiosk.batch(3, 2).to_bytes())
    body[body.index(b'"checkpoint":"') + 20] ^= 1
    again = kiosk.upload(api, bytes(body))
    assert (again.status_code, again.json()["code"]) == (403, "revoked")
    assert snapshot(ctx) == before
