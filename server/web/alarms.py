"""Fleet alarms: which device needs a person's attention, and why. Pure: plain rows and thresholds in, alarms out.

The same rules ship for Prometheus users as packaging/prometheus/genba-alerts.yml (keep the two in step).
Thresholds are set by an administrator on the console's alarm settings page; these are the defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True, slots=True)
class Thresholds:
    silent_minutes: float = 30
    """Silent for longer than this during the site's working hours."""
    work_start_hour: float = 7
    work_end_hour: float = 19
    backlog_hours: float = 24
    """The oldest unsent record (as the device reports it) is older than this."""
    clock_seconds: float = 120
    disk_free_mb: float = 500
    reader_errors_per_hour: float = 5
    """Reader errors (cards not read, reader faults) in the last hour, as the device reports them."""

    @classmethod
    def from_stored(cls, stored: dict[str, float]) -> Thresholds:
        return cls(**{f.name: stored[f.name] for f in fields(cls) if f.name in stored})


LIMITS: dict[str, tuple[float, float]] = {
    "silent_minutes": (1, 10080), "work_start_hour": (0, 23), "work_end_hour": (1, 24),
    "backlog_hours": (1, 720), "clock_seconds": (1, 86400), "disk_free_mb": (0, 1_000_000),
    "reader_errors_per_hour": (1, 100_000),
}
"""Accepted range of each threshold (the settings form refuses anything else)."""


READER_ALARM_STATES = ("disconnected", "silent", "unreadable")
"""Reported reader states that raise the reader alarm during working hours (shared/kioskstatus.py): the
reader cannot be used, the kiosk stopped writing its status (not running or hung), or its file is damaged.
A kiosk stopped on purpose (``stopped``) raises none; outside working hours it is the silent alarm's job."""


@dataclass(frozen=True, slots=True)
class Alarm:
    code: str
    """One of silent, backlog, clock, fork, reader, kiosk_silent, kiosk_status, reader_errors, disk
    (i18n key ``alarm_<code>``)."""
    values: dict[str, Any]


def device_alarms(row: dict[str, Any], th: Thresholds, local_hour: float) -> list[Alarm]:
    """The alarms of one fleet row (see :func:`server.web.fleet.fleet_rows`); none for a revoked device.

    ``local_hour``: the current hour (with fraction) in the device's site time zone, for the working-hours rule.
    """
    return AlarmJudge(th)(row, local_hour)


class AlarmJudge:
    """:func:`device_alarms` for many rows: the thresholds are converted once, and equal alarms are one shared
    object (a page then words each distinct alarm once: a fleet of 1,000 devices has a few dozen)."""

    def __init__(self, th: Thresholds) -> None:
        self.th = th
        self.silent_s = th.silent_minutes * 60
        self.backlog_s = th.backlog_hours * 3600
        self.disk_bytes = th.disk_free_mb * 1024 * 1024
        self.silent = Alarm("silent", {"minutes": _num(th.silent_minutes)})
        self.backlog = Alarm("backlog", {"hours": _num(th.backlog_hours)})
        self.clock = Alarm("clock", {"seconds": _num(th.clock_seconds)})
        self.fork = Alarm("fork", {})
        self._shared: dict[tuple[str, Any], Alarm] = {}

    def _one(self, code: str, key: Any, values: dict[str, Any]) -> Alarm:
        found = self._shared.get((code, key))
        if found is None:
            found = self._shared[(code, key)] = Alarm(code, values)
        return found

    def __call__(self, row: dict[str, Any], local_hour: float) -> list[Alarm]:
        if row["revoked"]:
            return []
        th = self.th
        out: list[Alarm] = []
        seen = row.get("last_seen_age_s")
        working = th.work_start_hour <= local_hour < th.work_end_hour
        if working and (seen is None or seen > self.silent_s):
            out.append(self.silent)
        lag = row.get("lag_s")
        if lag is not None and lag > self.backlog_s:
            out.append(self.backlog)
        offset = row.get("clock_offset_s")
        if offset is not None and abs(offset) > th.clock_seconds:
            out.append(self.clock)
        if row.get("forks"):
            out.append(self.fork)
        reader = row.get("reader_state")
        if working and reader in READER_ALARM_STATES:
            code = {"disconnected": "reader", "silent": "kiosk_silent", "unreadable": "kiosk_status"}[reader]
            shown = str(row.get("reader_code") or "—")
            out.append(self._one(code, shown, {"code": shown}))
        errors = row.get("reader_errors")
        if errors is not None and errors >= th.reader_errors_per_hour:
            out.append(self._one("reader_errors", errors, {"n": errors}))
        disk = row.get("disk_free_bytes")
        if disk is not None and disk < self.disk_bytes:
            free = f"{disk / 1024 / 1024:.0f} MB"
            out.append(self._one("disk", free, {"free": free}))
        return out


def _num(value: float) -> str:
    return f"{value:g}"
