"""The Prometheus rules and Grafana dashboard under packaging/ use metrics the server exports, and the same
thresholds as the console's alarms."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from prometheus_client.parser import text_string_to_metric_families

from server.metrics import Metrics
from server.web.alarms import Thresholds

ROOT = Path(__file__).resolve().parents[2]
RULES = yaml.safe_load((ROOT / "packaging/prometheus/genba-alerts.yml").read_text(encoding="utf-8"))
DASHBOARD = json.loads((ROOT / "packaging/grafana/genba-fleet.json").read_text(encoding="utf-8"))


def _exported() -> set[str]:
    m = Metrics()
    m.add_device_gauges(lambda: [{"device": "k", "acked": 1, "unsent": 0, "oldest_unsent_age_s": 0.0, "lag_s": 0.0,
                                  "last_seen_age_s": 1.0, "clock_offset_s": 0.0, "reader_errors": 0,
                                  "disk_free_bytes": 10**9}])
    m.forks.inc()
    m.refused.labels(reason="gap").inc()
    names = set()
    for family in text_string_to_metric_families(m.render().decode()):
        names |= {s.name for s in family.samples}
    return names


def _metric_names(expr: str) -> set[str]:
    return set(re.findall(r"\bgenba_[a-z_]+", expr))


def test_every_rule_and_panel_uses_a_metric_the_server_exports() -> None:
    exported = _exported()
    exprs = [r["expr"] for g in RULES["groups"] for r in g["rules"]]
    exprs += [t["expr"] for p in DASHBOARD["panels"] for t in p["targets"]]
    used = set().union(*(_metric_names(e) for e in exprs))
    assert used and used <= exported, used - exported


def test_rule_thresholds_are_the_consoles_default_alarm_thresholds() -> None:
    th = Thresholds()
    rules = {r["alert"]: r["expr"] for g in RULES["groups"] for r in g["rules"]}
    assert f"> {th.silent_minutes:g} * 60" in rules["GenbaDeviceSilent"]
    assert f">= {th.work_start_hour:g}" in rules["GenbaDeviceSilent"]
    assert f"< {th.work_end_hour:g}" in rules["GenbaDeviceSilent"]
    assert f"> {th.backlog_hours:g} * 3600" in rules["GenbaBacklogOld"]
    assert f"> {th.clock_seconds:g}" in rules["GenbaClockOffset"]
    assert "genba_forks_total" in rules["GenbaFork"]
    assert f">= {th.reader_errors_per_hour:g}" in rules["GenbaReaderErrors"]
    assert f"< {th.disk_free_mb:g} * 1024 * 1024" in rules["GenbaLowDisk"]


def test_a_device_that_does_not_report_its_health_exports_no_health_gauge() -> None:
    m = Metrics()
    m.add_device_gauges(lambda: [{"device": "old", "acked": 1, "reader_errors": None, "disk_free_bytes": None},
                                 {"device": "new", "acked": 1, "reader_errors": 3, "disk_free_bytes": 2048}])
    samples = {(s.name, s.labels["device"]): s.value
               for f in text_string_to_metric_families(m.render().decode()) for s in f.samples if "device" in s.labels}
    assert samples[("genba_device_reader_errors_last_hour", "new")] == 3
    assert samples[("genba_device_disk_free_bytes", "new")] == 2048
    assert ("genba_device_reader_errors_last_hour", "old") not in samples  # "not reported", never a 0
