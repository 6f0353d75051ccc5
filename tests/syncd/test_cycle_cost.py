"""Per-cycle work of a one-event upload that must not come back: each answer is decoded from JSON once, and
the request URL is merged with the server's base URL once per path, not on every request. In process: the real
server app (SQLite) behind httpx's ASGI transport, the real SyncEngine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

import syncd.client
from tests.e2e.harness import enrolled_device, running_site


def test_a_one_event_cycle_decodes_its_answer_once_and_reuses_its_url(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    decoded: list[bytes] = []
    merged: list[object] = []
    json_or_none = syncd.client._json_or_none
    merge_url = httpx.Client._merge_url

    def counting_json(content: bytes) -> Any:
        decoded.append(content)
        return json_or_none(content)

    def counting_merge(self: httpx.Client, url: httpx.URL | str) -> httpx.URL:
        if isinstance(url, str):  # a path still to be parsed and merged with the base URL
            merged.append(url)
        return merge_url(self, url)

    with running_site(tmp_path) as site, enrolled_device(tmp_path, site) as dev, \
            dev.syncd(site.transport) as engine:
        dev.tap(1)
        assert engine.run_once(pull=False, report_status=False).acknowledged == 1  # warm: reconcile, 1st URL
        monkeypatch.setattr(syncd.client, "_json_or_none", counting_json)
        monkeypatch.setattr(httpx.Client, "_merge_url", counting_merge)
        for _ in range(3):
            dev.tap(1)
            report = engine.run_once(pull=False, report_status=False)
            assert report.ok and report.acknowledged == 1 and report.batches == 1
    assert len(decoded) == 3  # one POST /batches answer per cycle, decoded once
    assert merged == []


def test_a_one_event_cycle_writes_state_db_twice_and_reads_nothing_it_already_holds(tmp_path: Path) -> None:
    """The receipt is one transaction; the cycle's outcome and clock sample are one more (they were two: on a
    Raspberry Pi's SD card each is an fsync). Building the batch reads the journal's device id once per life and
    the last event's head and signature with its data, not again for the checkpoint."""
    state_sql: list[str] = []
    journal_sql: list[str] = []
    with running_site(tmp_path) as site, enrolled_device(tmp_path, site) as dev, \
            dev.syncd(site.transport) as engine:
        dev.tap(1)
        assert engine.run_once(pull=False, report_status=False).acknowledged == 1  # warm: reconcile, device id
        journal = engine.journal()
        assert journal is not None
        engine.state._w.set_trace_callback(state_sql.append)
        journal.conn.set_trace_callback(journal_sql.append)
        for _ in range(3):
            dev.tap(1)
            report = engine.run_once(pull=False, report_status=False)
            assert report.ok and report.acknowledged == 1 and report.batches == 1
        engine.state._w.set_trace_callback(None)
        journal.conn.set_trace_callback(None)
        sample = engine.client.clock_sample
        held = engine.state.clock()
    assert sum(s.startswith("BEGIN") for s in state_sql) == 6  # 2 per cycle
    assert sum(s == "COMMIT" for s in state_sql) == 6
    assert sample is not None and held is not None  # the clock sample went in with the outcome
    assert held[:2] == (sample.offset_ms, sample.rtt_ms)
    assert not [s for s in journal_sql if "FROM meta" in s]
    assert not [s for s in journal_sql if s.startswith("SELECT head, sig")]
