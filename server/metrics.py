"""Prometheus metrics of one server instance (its own registry, so tests can run many apps).

Counters move in the process; per-device gauges are read from the database at
scrape time (so they survive restarts and agree with ``genba server devices``).
Names are documented in docs/server.md ("Metrics").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.events_ingested = Counter("genba_events_ingested", "Events stored by ingest.", registry=self.registry)
        self.batches = Counter("genba_batches", "Batches accepted, by outcome (append, duplicate).",
                               ["outcome"], registry=self.registry)
        self.refused = Counter("genba_batches_refused", "Batches refused, by reason (error code).",
                               ["reason"], registry=self.registry)
        self.forks = Counter("genba_forks", "Forked batches detected (ALARM: investigate).", registry=self.registry)
        self.hook_failures = Counter("genba_ingest_hook_failures", "Ingest hooks that raised.",
                                     registry=self.registry)
        self.device_requests_refused = Counter("genba_device_requests_refused",
                                               "Device-authenticated requests refused, by reason.",
                                               ["reason"], registry=self.registry)

    def add_device_gauges(self, read: Callable[[], list[dict[str, Any]]]) -> None:
        """Register gauges computed at scrape time from ``read()`` (one dict per device)."""
        self.registry.register(_DeviceCollector(read))

    def render(self) -> bytes:
        return generate_latest(self.registry)


class _DeviceCollector(Collector):
    def __init__(self, read: Callable[[], list[dict[str, Any]]]) -> None:
        self._read = read

    def collect(self) -> Iterator[Metric]:
        acked = GaugeMetricFamily("genba_device_acked_seq", "Highest seq held, current epoch.", labels=["device"])
        unsent = GaugeMetricFamily("genba_device_unsent_events", "Unsent events as reported by the device.",
                                   labels=["device"])
        oldest = GaugeMetricFamily("genba_device_oldest_unsent_age_seconds",
                                   "Age of the oldest unacknowledged event, as reported by the device.",
                                   labels=["device"])
        lag = GaugeMetricFamily("genba_device_lag_seconds",
                                "Oldest unsent age reported, plus the time since the report.", labels=["device"])
        seen = GaugeMetricFamily("genba_device_last_seen_age_seconds", "Seconds since the device was last heard.",
                                 labels=["device"])
        offset = GaugeMetricFamily("genba_device_clock_offset_seconds", "Estimated device clock − server clock.",
                                   labels=["device"])
        errors = GaugeMetricFamily("genba_device_reader_errors_last_hour",
                                   "Card reader errors in the last hour, as the device reports them.",
                                   labels=["device"])
        disk = GaugeMetricFamily("genba_device_disk_free_bytes",
                                 "Free space of the device's data directory, as the device reports it.",
                                 labels=["device"])
        for d in self._read():
            dev = [d["device"]]
            acked.add_metric(dev, d["acked"])
            for family, key in ((unsent, "unsent"), (oldest, "oldest_unsent_age_s"), (lag, "lag_s"),
                                (seen, "last_seen_age_s"), (offset, "clock_offset_s"), (errors, "reader_errors"),
                                (disk, "disk_free_bytes")):
                if d.get(key) is not None:
                    family.add_metric(dev, float(d[key]))
        yield from (acked, unsent, oldest, lag, seen, offset, errors, disk)
