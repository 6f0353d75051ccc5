"""The fleet page's data: every device with its site, gate, backlog, clock and alarms; sorting and filtering.

Built on :func:`server.store.devices.device_overview` (the same rows as ``genba server devices`` and
``GET /api/v1/admin/devices``), plus what a person needs beside them: the site's and gate's names, the
quarantined forks, and the alarms (:mod:`server.web.alarms`). The device's health (reader state and errors,
free disk: shared/kioskstatus.py) comes with the overview; a field a device does not report is None and is
shown as "not reported", never guessed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from server.store import console_queries as queries
from server.store import console_store as store
from server.store.devices import device_overview
from server.web.alarms import READER_ALARM_STATES, AlarmJudge, Thresholds

SORT_KEYS = ("device", "site", "gate", "last_contact", "unsent", "oldest", "acked", "app", "reader", "disk", "offset",
             "forks", "alarms")


def fleet_rows(conn: sa.Connection, now: datetime, th: Thresholds,
               scope: set[str] | None = None) -> list[dict[str, Any]]:
    """Every device's row with its alarms; ``scope``: only the devices of these sites (None: all).

    The overview's own dicts are completed in place (no copy per row), the alarm rules are prepared once for all
    rows (:class:`server.web.alarms.AlarmJudge`), and each site's local hour is computed once."""
    sites, forks, gates = queries.site_info(conn), queries.fork_counts(conn), store.gate_names(conn)
    judge = AlarmJudge(th)
    hours: dict[str, float] = {}
    out = []
    for row in device_overview(conn, now):
        site = row["site"]
        if scope is not None and site not in scope:
            continue
        name, tz = sites.get(site, ("", "Asia/Tokyo"))
        hour = hours.get(tz)
        if hour is None:
            local = now.astimezone(ZoneInfo(tz))
            hour = hours[tz] = local.hour + local.minute / 60
        device = row["device"]
        row["site_name"] = name
        row["gate"] = gates.get(device, "")
        row["forks"] = forks.get(device, 0)
        row["alarms"] = judge(row, hour)
        out.append(row)
    return out


@dataclass(frozen=True, slots=True)
class View:
    q: str = ""
    site: str = ""
    only_alarms: bool = False
    sort: str = "alarms"
    desc: bool = True

    @classmethod
    def from_query(cls, params: dict[str, str]) -> View:
        sort = params.get("sort", "alarms")
        return cls(q=params.get("q", "")[:100].strip(), site=params.get("site", "")[:14],
                   only_alarms=params.get("alarms") == "1", sort=sort if sort in SORT_KEYS else "alarms",
                   desc=params.get("dir", "desc" if sort == "alarms" else "asc") == "desc")

    def query(self, **change: Any) -> str:
        from urllib.parse import urlencode

        v = {"q": self.q, "site": self.site, "alarms": "1" if self.only_alarms else "", "sort": self.sort,
             "dir": "desc" if self.desc else "asc", **change}
        return urlencode({k: val for k, val in v.items() if val})


def _num(value: Any) -> float:
    return float("inf") if value is None else float(value)


SORTERS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "device": lambda r: r["device"], "site": lambda r: (r["site_name"], r["site"]), "gate": lambda r: r["gate"],
    "last_contact": lambda r: _num(r["last_seen_age_s"]), "unsent": lambda r: _num(r["unsent"]),
    "oldest": lambda r: _num(r["oldest_unsent_age_s"]), "acked": lambda r: r["acked"], "app": lambda r: r["app"],
    "reader": lambda r: (r["reader_state"] in READER_ALARM_STATES, r["reader_errors"] or 0, r["reader_state"] or ""),
    "disk": lambda r: _num(r["disk_free_bytes"]), "offset": lambda r: abs(_num(r["clock_offset_s"])),
    "forks": lambda r: r["forks"], "alarms": lambda r: (len(r["alarms"]), _num(r["last_seen_age_s"])),
}
"""The sort key of each column (one function per column, chosen once per page)."""


def select(rows: list[dict[str, Any]], view: View) -> list[dict[str, Any]]:
    q = view.q.lower()
    out = [r for r in rows
           if (not view.site or r["site"] == view.site) and (not view.only_alarms or r["alarms"])
           and (not q or q in r["device"].lower() or q in r["site"] or q in r["site_name"].lower()
                or q in r["gate"].lower())]
    by = SORTERS[view.sort]
    return sorted(out, key=lambda r: (by(r), r["device"]), reverse=view.desc)


def device_row(conn: sa.Connection, now: datetime, th: Thresholds, device: str) -> dict[str, Any] | None:
    return next((r for r in fleet_rows(conn, now, th) if r["device"] == device), None)
