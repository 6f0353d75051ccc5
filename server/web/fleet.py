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
from server.web.alarms import READER_ALARM_STATES, Thresholds, device_alarms

SORT_KEYS = ("device", "site", "gate", "last_contact", "unsent", "oldest", "acked", "app", "reader", "disk", "offset",
             "forks", "alarms")


def fleet_rows(conn: sa.Connection, now: datetime, th: Thresholds,
               scope: set[str] | None = None) -> list[dict[str, Any]]:
    """Every device's row with its alarms; ``scope``: only the devices of these sites (None: all)."""
    sites, forks, gates = queries.site_info(conn), queries.fork_counts(conn), store.gate_names(conn)
    hours: dict[str, float] = {}
    out = []
    for r in device_overview(conn, now):
        if scope is not None and r["site"] not in scope:
            continue
        name, tz = sites.get(r["site"], ("", "Asia/Tokyo"))
        if tz not in hours:
            local = now.astimezone(ZoneInfo(tz))
            hours[tz] = local.hour + local.minute / 60
        row = {**r, "site_name": name, "gate": gates.get(r["device"], ""), "forks": forks.get(r["device"], 0)}
        row["alarms"] = device_alarms(row, th, hours[tz])
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


def _key(row: dict[str, Any], sort: str) -> Any:
    def num(value: Any) -> float:
        return float("inf") if value is None else float(value)

    getters: dict[str, Callable[[], Any]] = {
        "device": lambda: row["device"], "site": lambda: (row["site_name"], row["site"]),
        "gate": lambda: row["gate"], "last_contact": lambda: num(row["last_seen_age_s"]),
        "unsent": lambda: num(row["unsent"]), "oldest": lambda: num(row["oldest_unsent_age_s"]),
        "acked": lambda: row["acked"], "app": lambda: row["app"],
        "reader": lambda: (row["reader_state"] in READER_ALARM_STATES, row["reader_errors"] or 0,
                           row["reader_state"] or ""),
        "disk": lambda: num(row["disk_free_bytes"]),
        "offset": lambda: abs(num(row["clock_offset_s"])), "forks": lambda: row["forks"],
        "alarms": lambda: (len(row["alarms"]), num(row["last_seen_age_s"])),
    }
    return getters[sort]()


def select(rows: list[dict[str, Any]], view: View) -> list[dict[str, Any]]:
    q = view.q.lower()
    out = [r for r in rows
           if (not view.site or r["site"] == view.site) and (not view.only_alarms or r["alarms"])
           and (not q or q in r["device"].lower() or q in r["site"] or q in r["site_name"].lower()
                or q in r["gate"].lower())]
    return sorted(out, key=lambda r: (_key(r, view.sort), r["device"]), reverse=view.desc)


def device_row(conn: sa.Connection, now: datetime, th: Thresholds, device: str) -> dict[str, Any] | None:
    return next((r for r in fleet_rows(conn, now, th) if r["device"] == device), None)
