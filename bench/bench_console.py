"""Console page render time against the JSON API call returning the same data, interleaved (issue 13).

- fleet: ``GET /fleet`` (a signed-in administrator's browser) vs ``GET /api/v1/admin/devices`` (admin token),
  with N devices (default 1,000) enrolled, each with a status report and a clock sample;
- calendar: ``GET /sites/S/calendar?month=M`` vs ``GET /api/v1/sites/S/history?month=M`` for a site with W
  workers (default 1,000) each with a row on every day of a 31-day month;
- live refresh: ``GET /fleet/live`` (what an open fleet page polls every 30 s) as a share of one core, when a
  device reported since the last poll (rendered) and when nothing changed (204, nothing rendered): wall time over
  HTTP and CPU time, each as a share of the poll interval (see :func:`_live`).

The production configuration: the real app served by uvicorn on a SQLite file, over HTTP on loopback. Rounds
interleave A, B, A, B …; the JSON line has the medians, the spread (p10–p90) and the ratios, of wall time and of
the process's CPU time per request (server and client together, both sides alike; CPU time, unlike wall time,
is not inflated by other work on a busy machine).
Data is written straight into the tables (a bench's setup; the pages only read).

Run: ``uv run --frozen python bench/bench_console.py [--devices N] [--workers W] [--rounds R] [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from server.domain.disclosure import Principal
from server.domain.registry import Company, Site
from server.store import console_store as store
from server.store import domain_records as rec
from server.store import domain_schema as dom
from server.store import domain_users as users_store
from server.store import schema as sync
from server.store.engine import write_transaction
from server.web import accounts
from server.web.auth import Policy
from server.web.passwords import hash_password
from shared.timefmt import format_rfc3339
from tests.web.world import ADMIN_TOKEN, WebWorld, serving, settings_for

SITE, PRIME, MONTH = "90000000000001", "10000000000001", "2026-10"
PASSWORD = "bench password 1234"


def _fill(w: WebWorld, devices: int, workers: int) -> None:
    now = w.ctx.now()
    stamp = format_rfc3339(now)
    with write_transaction(w.ctx.engine) as conn:
        rec.add_company(conn, Company(PRIME, "ベンチ建設(株)", origin="ccus"))
        rec.add_site(conn, Site(SITE, "ベンチ現場", PRIME), at=now - timedelta(days=90))
        conn.execute(sync.devices.insert(), [
            {"device": f"kiosk-{i:04d}", "epoch": 1, "site": SITE, "verifier_key": "x", "app": "0.1.0",
             "enrolled_at": stamp} for i in range(devices)])
        conn.execute(sync.chains.insert(), [
            {"device": f"kiosk-{i:04d}", "epoch": 1, "last_seq": 1000 + i, "head": b"\0" * 32, "receipt": None,
             "updated_at": stamp} for i in range(devices)])
        conn.execute(sync.device_status.insert(), [
            {"device": f"kiosk-{i:04d}", "last_seen": format_rfc3339(now - timedelta(seconds=37 * i)),
             "unsent": i % 50, "oldest_unsent_age_s": float(i * 60), "last_error": None, "reported_at": stamp,
             "reader_state": ("connected", "error", "disconnected", "silent")[i % 4], "reader_code": "read_error",
             "reader_errors": i % 9, "disk_free_bytes": (i % 40) * 100 * 1024 * 1024}
            for i in range(devices)])
        conn.execute(sync.device_clock.insert(), [
            {"device": f"kiosk-{i:04d}", "device_time": stamp, "server_time": stamp, "offset_us": (i % 300) * 1000_000}
            for i in range(devices)])
        conn.execute(dom.workers.insert(), [
            {"worker": f"5{i:013d}", "name": f"技能者 {i}", "furigana": "ギノウシャ", "employer": PRIME, "level": 1,
             "qualifications": "[]", "origin": "ccus"} for i in range(workers)])
        first = date.fromisoformat(MONTH + "-01")
        rows = []
        for i in range(workers):
            for d in range(31):
                day = first + timedelta(days=d)
                rows.append({"site": SITE, "work_day": day.isoformat(), "subject": f"5{i:013d}",
                             "worker": f"5{i:013d}", "idm": None, "employer": PRIME, "trade_code": "0301",
                             "trade_name": "鉄筋工", "position": "作業員", "work_content": "", "hazardous": "",
                             "first_entry": f"{day.isoformat()}T07:5{i % 10}:00+09:00",
                             "last_exit": f"{day.isoformat()}T17:0{i % 10}:00+09:00", "minutes_on_site": 550,
                             "source": "card", "taps": 2, "devices": "kiosk-0001",
                             "flags": "entry_without_exit" if (i + d) % 17 == 0 else ""})
        conn.execute(dom.work_days.insert(), rows)
        uid, _token = users_store.add_user(conn, Principal(role="admin", user="new"), name="Bench", at=now)
        accounts.new_console_user(conn, uid, "bench", "bench", now)
        store.set_password(conn, uid, hash_password(PASSWORD), now)


def _time(client: httpx.Client, path: str, **kw: object) -> float:
    t0 = time.perf_counter()
    r = client.get(path, **kw)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - t0
    assert r.status_code == 200, (path, r.status_code, r.text[:300])
    return elapsed * 1000


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    q = statistics.quantiles(ordered, n=10) if len(ordered) >= 2 else [ordered[0]] * 9
    return {"median_ms": round(statistics.median(ordered), 1), "p10_ms": round(q[0], 1), "p90_ms": round(q[-1], 1)}


VERSION = r"X-Genba-Version(?:\"|&#34;): (?:\"|&#34;)([0-9a-f]+)"
"""The version token in the fragment's hx-headers attribute (JSON, HTML-escaped in the attribute)."""


def _live(w: WebWorld, browser: httpx.Client, rounds: int) -> dict[str, object]:
    """The fleet page's live refresh, as an open page polls it (``X-Genba-Version``: the version it shows).

    Interleaved: ``changed`` — one device reported since the last poll (a busy fleet: 1,000 devices each
    reporting every minute change something between any two polls), so the table is rendered; ``unchanged`` —
    nothing changed, the server answers 204 without rendering. Per poll: wall time over HTTP, and the process's
    CPU time (server and this client together: an upper bound on the server's, and unlike wall time not inflated
    by other work on the machine)."""
    headers = {"X-Genba-Poll": "1", "HX-Request": "true"}
    first = browser.get("/fleet/live", headers=headers)
    version = re.search(VERSION, first.text)
    assert first.status_code == 200 and version, first.text[:300]
    sides: dict[str, dict[str, list[float]]] = {k: {"wall": [], "cpu": []} for k in ("changed", "unchanged")}
    for i in range(max(rounds, 5)):
        for side in ("changed", "unchanged"):
            if side == "changed":  # one device reports (the bench's setup, outside the timing)
                with write_transaction(w.ctx.engine) as conn:
                    conn.execute(sync.device_status.update().where(sync.device_status.c.device == "kiosk-0000")
                                 .values(unsent=i + 1, reported_at=format_rfc3339(w.ctx.now())))
            cpu0, t0 = time.process_time(), time.perf_counter()
            r = browser.get("/fleet/live", headers={**headers, "X-Genba-Version": version.group(1)})
            wall, cpu = (time.perf_counter() - t0) * 1000, (time.process_time() - cpu0) * 1000
            assert r.status_code == (200 if side == "changed" else 204), (side, r.status_code)
            if side == "changed":
                found = re.search(VERSION, r.text)
                assert found and found.group(1) != version.group(1)
                version = found
            sides[side]["wall"].append(wall)
            sides[side]["cpu"].append(cpu)
    every = Policy().poll_seconds
    result: dict[str, object] = {"poll_every_s": every}
    for side, m in sides.items():
        result[side] = {**_stats(m["wall"]), "cpu_median_ms": round(statistics.median(m["cpu"]), 1),
                        "cpu_share_per_browser_pct": round(100 * statistics.median(m["cpu"]) / 1000 / every, 2),
                        "wall_share_per_browser_pct": round(100 * statistics.median(m["wall"]) / 1000 / every, 2)}
    changed = result["changed"]
    assert isinstance(changed, dict)
    result["cpu_share_per_browser_pct"] = changed["cpu_share_per_browser_pct"]  # the busy fleet: the worst case
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--devices", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--quick", action="store_true", help="20 devices, 20 workers, 3 rounds")
    args = ap.parse_args()
    if args.quick:
        args.devices, args.workers, args.rounds = 20, 20, 3
    from server.context import open_context
    from shared.clock import ManualClock

    root = Path(tempfile.mkdtemp(prefix="genba-bench-console-")) / "server"
    clock = ManualClock(datetime(2026, 11, 20, 1, 30, tzinfo=UTC))
    ctx = open_context(settings_for(root), clock=clock)
    w = WebWorld(ctx, clock)
    _fill(w, args.devices, args.workers)
    out: dict[str, object] = {"bench": "console", "devices": args.devices, "workers": args.workers, "days": 31,
                              "rounds": args.rounds, "database": "sqlite", "server": "uvicorn"}
    with serving(w), httpx.Client(base_url=w.url, timeout=120) as browser, \
            httpx.Client(base_url=w.url, timeout=120, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as api:
        page = browser.get("/sign-in")
        csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
        assert browser.post("/sign-in", data={"csrf": csrf, "login": "bench", "password": PASSWORD}).status_code \
            in (200, 303)
        Side = tuple[str, httpx.Client, dict[str, Any]]
        pairs: dict[str, tuple[Side, Side]] = {
            "fleet": (("/fleet", browser, {}), ("/api/v1/admin/devices", api, {})),
            "calendar": ((f"/sites/{SITE}/calendar?month={MONTH}", browser, {}),
                         (f"/api/v1/sites/{SITE}/history?month={MONTH}", api, {})),
        }
        for name, ((page_path, pc, pk), (api_path, ac, ak)) in pairs.items():
            _time(pc, page_path, **pk), _time(ac, api_path, **ak)  # warm both
            page_ms: list[float] = []
            api_ms: list[float] = []
            page_cpu: list[float] = []
            api_cpu: list[float] = []
            for _ in range(args.rounds):
                for path, client, kw, wall, cpu in ((page_path, pc, pk, page_ms, page_cpu),
                                                    (api_path, ac, ak, api_ms, api_cpu)):
                    cpu0 = time.process_time()
                    wall.append(_time(client, path, **kw))
                    cpu.append((time.process_time() - cpu0) * 1000)
            out[name] = {"page": {**_stats(page_ms), "cpu_median_ms": round(statistics.median(page_cpu), 1)},
                         "json": {**_stats(api_ms), "cpu_median_ms": round(statistics.median(api_cpu), 1)},
                         "ratio_median": round(statistics.median(page_ms) / statistics.median(api_ms), 2),
                         "cpu_ratio_median": round(statistics.median(page_cpu) / statistics.median(api_cpu), 2)}
        out["live_refresh"] = _live(w, browser, args.rounds)
    ctx.close()
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
