"""CSV for every report: UTF-8 with BOM, CP932 on request, Japanese booleans, formulas neutralised, 𠮷 refused."""

from __future__ import annotations

import csv
import io

import pytest

from server.reports.csvout import encode
from server.reports.errors import NotRepresentable
from server.reports.model import Column, Report, Sheet


def report(*rows: list[object]) -> Report:
    sheet = Sheet("s", "試験", [Column("氏名"), Column("加入", kind="flag"), Column("日数", kind="num")])
    for r in rows:
        sheet.add(list(r))
    return Report("calendar", "月別カレンダー", "40224614116771", "現場", "2026-11", [sheet], "2026-11-22 12:00")


def read(data: bytes, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding), newline="")))


@pytest.mark.parametrize(("encoding", "decode"), [("utf-8-sig", "utf-8-sig"), ("cp932", "cp932")])
def test_names_outside_jis_level_1_round_trip_in_both_encodings(encoding: str, decode: str) -> None:
    data = encode(report(["髙橋 一郎", True, 3], ["﨑山 花子", False, 0], ["山田 太郎", None, 1]), encoding)
    rows = read(data, decode)
    assert rows == [["氏名", "加入", "日数"], ["髙橋 一郎", "○", "3"], ["﨑山 花子", "×", "0"], ["山田 太郎", "", "1"]]


def test_utf8_output_starts_with_a_bom_so_excel_reads_it_as_utf8() -> None:
    assert encode(report(["髙橋", True, 1])).startswith(b"\xef\xbb\xbf")
    assert not encode(report(["髙橋", True, 1]), "cp932").startswith(b"\xef\xbb\xbf")


def test_a_character_cp932_lacks_is_refused_with_the_character_and_line() -> None:
    data = report(["髙橋", True, 1], ["𠮷野 家", True, 2])
    assert "𠮷野 家" in encode(data).decode("utf-8-sig")  # UTF-8 keeps it
    with pytest.raises(NotRepresentable) as err:
        encode(data, "cp932")
    assert err.value.code == "not_representable_in_cp932"
    assert err.value.extra["character"] == "𠮷" and err.value.extra["line"] == 3
    assert "𠮷" in err.value.message_ja and "UTF-8" in err.value.message_ja


def test_jis_and_microsoft_variants_are_written_in_their_cp932_form() -> None:
    rows = read(encode(report(["1〜3日 −5", True, 1]), "cp932"), "cp932")
    assert rows[1][0] == "1～3日 －5"


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)"])
def test_formula_triggers_are_neutralised(text: str) -> None:
    rows = read(encode(report([text, True, 1])), "utf-8-sig")
    assert rows[1][0] != text and rows[1][0].endswith(text) and rows[1][0][0] not in "=+-@"


def test_numbers_are_not_mistaken_for_formulas() -> None:
    rows = read(encode(report(["山田", True, -1])), "utf-8-sig")
    assert rows[1][2] == "-1"


def test_several_sheets_come_as_titled_blocks() -> None:
    r = report(["a", True, 1])
    r.sheets.append(Sheet("t", "二つ目", [Column("x")], rows=[["y"]], styles=[""]))
    text = encode(r).decode("utf-8-sig")
    assert text.split("\r\n")[:6] == ["試験", "氏名,加入,日数", "a,○,1", "", "二つ目", "x"]
