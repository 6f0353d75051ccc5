"""``genba journal …``, ``genba --version`` and bad command-line input, through the real entry point."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from genba.cli import app
from shared import __version__

runner = CliRunner()


def run(data: Path, *args: str, lang: str = "ja"):
    return runner.invoke(app, ["--data-dir", str(data), *args], env={"GENBA_LANG": lang})


def test_version_and_help_work_through_the_installed_entry_point() -> None:
    out = subprocess.run(["genba", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"genba {__version__}"
    helped = subprocess.run([sys.executable, "-m", "genba", "--help"], capture_output=True, text=True, check=True)
    assert "journal" in helped.stdout


def test_simulate_verify_tail_round_trip(tmp_path: Path) -> None:
    result = run(tmp_path, "journal", "simulate", "--taps", "12", "--site", "12345678901234", "--seed", "1")
    assert result.exit_code == 0, result.output
    assert "12 件" in result.output
    verified = run(tmp_path, "journal", "verify", "--json")
    assert json.loads(verified.output)["events"] == 12
    tail = run(tmp_path, "journal", "tail", "-n", "3", lang="en")
    lines = tail.output.strip().splitlines()
    assert len(lines) == 3 and all(" tap " in line for line in lines)
    import re

    assert all(re.search(r"\b[0-9A-F]{16}\b", line) for line in lines)
    as_json = run(tmp_path, "journal", "tail", "-n", "1", "--json")
    assert json.loads(as_json.output)["seq"] == 12
    assert (tmp_path / "keys" / "device-e1.key").stat().st_mode & 0o777 == 0o600


def test_verify_prints_first_bad_seq_and_exits_non_zero_on_tampering(tmp_path: Path) -> None:
    assert run(tmp_path, "journal", "simulate", "--taps", "8").exit_code == 0
    conn = sqlite3.connect(tmp_path / "journal.db")
    conn.execute("UPDATE events SET data = replace(data, X'22696E22', X'226F757422') WHERE seq = 5")
    conn.commit()
    conn.close()
    result = run(tmp_path, "journal", "verify")
    assert result.exit_code == 1
    assert "seq 5" in result.output
    as_json = run(tmp_path, "journal", "verify", "--json")
    assert as_json.exit_code == 1 and json.loads(as_json.output)["first_bad_seq"] == 5


def test_verify_of_a_named_path_that_is_not_a_journal_fails_clearly(tmp_path: Path) -> None:
    bogus = tmp_path / "x.db"
    bogus.write_text("garbage")
    result = run(tmp_path, "journal", "verify", str(bogus), lang="en")
    assert result.exit_code == 1 and "DAMAGED" in result.output


@pytest.mark.parametrize("args", [
    ["journal", "simulate", "--taps", "0"],
    ["journal", "simulate", "--taps", "many"],
    ["journal", "simulate", "--site", "123"],
    ["journal", "tail", "-n", "-1"],
    ["journal", "frobnicate"],
])
def test_bad_arguments_exit_non_zero_and_change_nothing(tmp_path: Path, args: list[str]) -> None:
    result = run(tmp_path, *args)
    assert result.exit_code != 0
    assert not (tmp_path / "journal.db").exists()


def test_loose_key_permissions_stop_simulate_with_advice(tmp_path: Path) -> None:
    assert run(tmp_path, "journal", "simulate", "--taps", "1").exit_code == 0
    os.chmod(tmp_path / "keys" / "device-e1.key", 0o644)
    result = run(tmp_path, "journal", "simulate", "--taps", "1", lang="en")
    assert result.exit_code == 1 and "chmod 600" in result.output
    assert json.loads(run(tmp_path, "journal", "verify", "--json").output)["events"] == 1


def test_data_dir_comes_from_the_environment(tmp_path: Path) -> None:
    result = runner.invoke(app, ["journal", "simulate", "--taps", "2"], env={"GENBA_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 0
    assert (tmp_path / "journal.db").exists()
