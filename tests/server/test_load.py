"""Many devices against several server processes on one PostgreSQL, killed and restarted mid-run (loopback only).

CI-sized by default; ``GENBA_LOAD_DEVICES=1000`` runs it at the size of the load test in docs/server.md (which
``bench/bench_load.py`` runs with its figures). Only correctness is checked (zero lost, zero duplicated, every
receipt valid, history equal to a rebuild after the kills): nothing here judges wall-clock time.
"""

from __future__ import annotations

import os

import pytest

from bench.bench_load import run
from tests.pg import PgCluster

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
DEVICES = int(os.environ.get("GENBA_LOAD_DEVICES", "12"))


def test_four_server_processes_and_a_worker_killed_twice_mid_run_lose_nothing_and_history_catches_up(
        pg_cluster: PgCluster) -> None:
    result = run(pg_cluster.create_database(), devices=DEVICES, cards=4, backlog_days=1, batch=3, processes=4,
                 restarts=2, concurrency=min(DEVICES, 12), separate_worker=True, deadline_s=1200)
    assert (result["lost"], result["duplicated"], result["rebuild_identical"]) == (0, 0, True)
    assert result["restarts"] == 2  # SIGKILL of every server process and of the worker, twice
    assert result["uploads"] >= DEVICES * 4  # 12 events each in batches of at most 3, every receipt verified
    assert result["history_rows"] > 0
