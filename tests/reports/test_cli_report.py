"""``genba server report``: every kind in every format to a file, the fixed KIND choice, bad input."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from genba.cli import app
from genba.cli.server_report import Format, Kind
from server.reports import FORMATS, KINDS
from tests.server_domain.api_world import World
from tests.server_domain.factory import SITE


def run(world_db: str, data: Path, *args: str) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(app, ["--data-dir", str(data), "server", "report", *args],
                                env={"GENBA_LANG": "en", "GENBA_DATABASE_URL": world_db})
    return result.exit_code, result.stdout_bytes, result.stderr


@pytest.fixture(scope="module")
def db(world: World) -> str:
    return str(world.engine.url)


def test_the_command_offers_exactly_the_service_kinds_and_formats() -> None:
    assert [k.value for k in Kind] == list(KINDS)
    assert [f.value for f in Format] == list(FORMATS)
    result = CliRunner().invoke(app, ["server", "report", "--help"], env={"COLUMNS": "300"})
    assert "calendar|attendance|roster|structure-chart|structure-ledger|kpi|labour|daily" in result.stdout


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_is_written_as_xlsx_to_the_out_file(db: str, tmp_path: Path, kind: str) -> None:
    out = tmp_path / f"{kind}.xlsx"
    code, _, err = run(db, tmp_path / "data", kind, "--site", SITE, "--month", "2026-11", "--format", "xlsx",
                       "--out", str(out))
    assert code == 0, err
    assert openpyxl.load_workbook(io.BytesIO(out.read_bytes())).sheetnames


def test_csv_goes_to_standard_output_with_a_bom(db: str, tmp_path: Path) -> None:
    code, out, err = run(db, tmp_path / "data", "calendar", "--site", SITE, "--month", "2026-11")
    assert code == 0, err
    assert out.startswith(b"\xef\xbb\xbf") and "技能者21".encode() in out
    code, out, _ = run(db, tmp_path / "data", "calendar", "--site", SITE, "--month", "2026-11", "--format",
                       "csv-cp932")
    assert code == 0 and "技能者21".encode("cp932") in out


@pytest.mark.parametrize(("args", "code", "words"), [
    (["calendar", "--site", SITE, "--month", "2026-13"], 1, "YYYY-MM"),
    (["calendar", "--site", "99999999999999", "--month", "2026-11"], 1, "not registered"),
    (["calendar", "--site", "123", "--month", "2026-11"], 1, "site"),
    (["calendar", "--site", SITE, "--month", "1999-01"], 1, "outside"),
    (["daily", "--site", SITE, "--month", "2026-11", "--day", "2026-12-01"], 1, "not in month"),
    (["daily", "--site", SITE, "--month", "2026-11", "--day", "someday"], 1, "YYYY-MM-DD"),
    (["payroll", "--site", SITE, "--month", "2026-11"], 2, "payroll"),
    (["calendar", "--site", SITE, "--month", "2026-11", "--format", "docx"], 2, "docx"),
])
def test_bad_input_exits_non_zero_with_a_reason(db: str, tmp_path: Path, args: list[str], code: int,
                                                words: str) -> None:
    got, out, err = run(db, tmp_path / "data", *args)
    assert got == code and words in err, err
    assert out == b""
