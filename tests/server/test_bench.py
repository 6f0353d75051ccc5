"""The ingest benchmark runs (tiny) on both databases and reports its figures with the raw baseline."""

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
    for db in ("sqlite", "postgresql"):
        figures = result[db]
        assert figures["http_events_per_s"] > 0 and figures["raw_events_per_s"] > 0
        assert figures["service_events_per_s"] > 0
        assert abs(figures["ratio"] - figures["http_events_per_s"] / figures["raw_events_per_s"]) < 0.01
