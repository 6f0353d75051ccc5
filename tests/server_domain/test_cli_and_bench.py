"""``genba server seed-demo / history / rebuild`` end to end, and the benchmarks in a tiny configuration."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

from typer.testing import CliRunner

from genba.cli import app

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"GENBA_LANG": "en"})
    return result.exit_code, result.output


def test_seed_demo_history_and_rebuild(tmp_path: Path) -> None:
    d = str(tmp_path / "data")
    code, out = run("--data-dir", d, "server", "seed-demo", "--month", "2026-10")
    assert code == 0, out
    site, month = out.strip().splitlines()[-2:]
    assert (site, month) == ("90000000000001", "2026-10") and "identical" in out

    code, text = run("--data-dir", d, "server", "history", "--site", site, "--month", month, "--format", "csv")
    assert code == 0, text
    rows = list(csv.DictReader(io.StringIO(text)))
    workers = {r["worker"] for r in rows if r["worker"]}
    assert len(workers) == 60
    assert {r["work_day"][:7] for r in rows} == {"2026-10"}
    flags = {f for r in rows for f in r["flags"].split()}
    assert {"entry_without_exit", "repeats_collapsed", "unknown_card", "not_on_roster", "roster_incomplete",
            "amended", "corrected"} <= flags
    night = [r for r in rows if r["first_entry"][11:13] == "20"]
    assert night and all(r["last_exit"][:10] > r["work_day"] for r in night if r["last_exit"])

    code, out = run("--data-dir", d, "server", "rebuild")
    assert code == 0 and f"{len(rows)} work-history rows" in out, out
    assert run("--data-dir", d, "server", "history", "--site", site, "--month", month, "--format", "csv")[1] == text
    code, cal = run("--data-dir", d, "server", "history", "--site", site, "--month", month, "--format", "calendar")
    assert code == 0 and len(cal.strip().splitlines()) == 1 + 60 + 1  # header, workers, the unknown card

    code, out = run("--data-dir", d, "server", "seed-demo", "--month", "2026-10")
    assert code == 1 and "already exists" in out
    check_demo_step(Path(d), month)
    code, out = run("--data-dir", d, "server", "history", "--site", site, "--month", "2026-13")
    assert code == 1 and "invalid" in out
    code, out = run("--data-dir", d, "server", "history", "--site", "00000000000000", "--month", month)
    assert code == 1 and "not_found" in out


def check_demo_step(data: Path, month: str) -> None:
    """The final step of ``genba demo`` shows the seeded site's structure and month (no second seeding)."""
    from genba.cli.server_domain import show_demo_site
    from server.context import open_context
    from server.settings import load_settings

    ctx = open_context(load_settings(data, dev=True), check_token=False)
    runner = CliRunner()
    try:
        import typer

        probe = typer.Typer()
        probe.command()(lambda: show_demo_site(data, 7, context=ctx, month=month))
        result = runner.invoke(probe, [], env={"GENBA_LANG": "en"})
    finally:
        ctx.close()
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("[7] Site structure") and "CCUS未登録" in out and "[未承認]" in out
    assert f"[8] Work history for {month}" in out and "unknown_card 1" in out and "Ingesting" not in out


def test_benchmarks_run_in_a_tiny_configuration(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    import bench_national
    import bench_reconcile

    r = bench_reconcile.main(["--workers", "20", "--days", "3", "--database-url", f"sqlite:///{tmp_path}/r.db"])
    assert r["rows"] == r["db_rows"] and r["events"] > 0
    assert set(r["worker"]) == {"batch_1000", "burst_50x1", "single_1"}  # the worker's rounds ran
    [n] = bench_national.main(["--quick", "--database-url", f"sqlite:///{tmp_path}/n.db"])
    assert n["sites"] == 2 and n["site_month_rows"] > 0 and n["rows"] > 0
    sys.modules.pop("bench_reconcile", None)
    sys.modules.pop("bench_national", None)


def test_load_users_and_history_by_worker_and_company(tmp_path: Path) -> None:
    import json

    from tests.server_domain.factory import CARD1, PRIME, SITE, SUB1, W1

    d = str(tmp_path / "data")
    good = {
        "companies": [{"company": PRIME, "name": "元請(株)", "origin": "ccus"}, {"company": SUB1, "name": "一次(株)"}],
        "workers": [{"worker": W1, "name": "匠 一", "furigana": "タクミ ハジメ", "employer": SUB1}],
        "sites": [{"site": SITE, "name": "現場", "prime": PRIME, "day_boundary": "05:00"}],
        "structure": [{"site": SITE, "action": "invite", "by": PRIME, "parent": 1, "company": SUB1},
                      {"site": SITE, "action": "approve", "by": SUB1, "member": 2},
                      {"site": SITE, "action": "place", "by": SUB1, "parent": 2, "name": "(個人)塗装"}],
        "cards": [{"idm": CARD1, "worker": W1, "valid_from": "2026-01-01"}],
        "roster": [{"site": SITE, "worker": W1, "valid_from": "2026-11-01", "trade_code": "0201", "position": "職長"}],
    }
    bad = json.loads(json.dumps(good))
    bad["companies"][1]["company"] = "20862153068123"  # the worker's employer is then unknown → nothing stored
    (tmp_path / "bad.json").write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "good.json").write_text(json.dumps(good, ensure_ascii=False), encoding="utf-8")
    code, out = run("--data-dir", d, "server", "load", str(tmp_path / "bad.json"))
    assert code == 1 and "not_found" in out
    code, out = run("--data-dir", d, "server", "load", str(tmp_path / "good.json"))
    assert code == 0 and "companies 2, workers 1, sites 1, structure 3, cards 1, roster 1" in out, out
    code, out = run("--data-dir", d, "server", "load", str(tmp_path / "good.json"))
    assert code == 1 and "duplicate" in out  # all or nothing: the second load changes nothing

    code, out = run("--data-dir", d, "server", "users", "add", "--name", "一次の担当", "--role", "company",
                    "--company", SUB1)
    assert code == 0 and out.strip().splitlines()[-1].startswith("gu_")
    code, out = run("--data-dir", d, "server", "users", "add", "--name", "x", "--role", "company")
    assert code == 1 and "invalid" in out
    assert "一次の担当 company" in run("--data-dir", d, "server", "users", "list")[1]
    assert run("--data-dir", d, "server", "users", "revoke", "1")[0] == 0
    assert "revoked" in run("--data-dir", d, "server", "users", "list")[1]
    assert run("--data-dir", d, "server", "users", "revoke", "1")[0] == 1

    for who in (("--worker", W1), ("--company", SUB1)):
        code, out = run("--data-dir", d, "server", "history", *who, "--month", "2026-11", "--format", "csv")
        assert code == 0 and out.startswith("site,work_day"), out
    code, out = run("--data-dir", d, "server", "history", "--month", "2026-11")
    assert code == 1 and "--site" in out


def test_the_demo_month_defaults_to_the_month_before_the_current_work_day() -> None:
    """Between midnight and 04:00 JST on the 1st the work day is still the previous month's last day: "last
    month" is then the month before THAT, so the demo never fills the work day in progress."""
    from datetime import UTC, datetime

    from genba.cli.server_domain import last_month

    assert last_month(datetime(2026, 11, 30, 15, 50, tzinfo=UTC)) == "2026-10"  # 1 Dec 00:50 JST: work day 30 Nov
    assert last_month(datetime(2026, 11, 30, 19, 0, tzinfo=UTC)) == "2026-11"  # 1 Dec 04:00 JST: work day 1 Dec
    assert last_month(datetime(2026, 1, 1, 3, 0, tzinfo=UTC)) == "2025-12"  # 1 Jan 12:00 JST
    assert last_month(datetime(2025, 12, 31, 18, 0, tzinfo=UTC)) == "2025-11"  # 1 Jan 03:00 JST: work day 31 Dec
