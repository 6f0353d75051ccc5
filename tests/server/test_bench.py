"""Benchmark P3 runs (tiny) on both databases and reports interleaved rounds against the bulk-insert baseline."""

from __future__ import annotations

import pytest

from tests.pg import PgCluster


def test_bench_ingest_quick_runs_on_sqlite_and_postgresql(
    pg_cluster: PgCluster, capsys: pytest.CaptureFixture[str]
) -> None:
    from bench.bench_ingest import main

    result = main(["--quick", "--postgresql-url", pg_cluster.create_schema()])
    line = capsys.readouterr().out.strip().splitlines()
    assert len(line) == 1 and line[0].startswith('{"bench": "ingest"')
    assert result["rounds"] == 3
    for db in ("sqlite", "postgresql"):
        figures = result[db]
        assert len(figures["round_ratios"]) == 3
        for side in ("ingest_events_per_s", "baseline_events_per_s"):
            s = figures[side]
            assert 0 < s["min"] <= s["median"] <= s["max"]
        ratio = figures["ingest_events_per_s"]["median"] / figures["baseline_events_per_s"]["median"]
        assert abs(figures["ratio"] - ratio) < 0.01
