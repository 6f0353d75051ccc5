"""Roster CSV import: UTF-8 or CP932, Japanese headers, and any bad line means nothing imported."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from genba.cli import app
from shared.paths import DataDir
from shared.state import (
    MAX_ROSTER_BYTES,
    RosterEncoding,
    RosterInvalid,
    RosterTooLarge,
    SiteConfig,
    StateReader,
    StateWriter,
    parse_roster_csv,
)

JA_HEADER = "技能者ID,氏名,フリガナ,所属事業者ID,所属事業者名,職種,職種コード,立場,カードIDm\n"
GOOD_JA = (
    JA_HEADER
    + "10000000000001,山田 太郎,ヤマダ タロウ,20000000000001,山田建設,型枠,0101,職長,012e000000000001\n"
    + "10000000000002,佐藤 花子,サトウ ハナコ,20000000000001,山田建設,鉄筋,0102,班長,"
    + "012E000000000002;012E000000000003\n"
    + "10000000000003,鈴木 一郎,スズキ イチロウ,20000000000002,鈴木組,土工,0103,,\n"
)
runner = CliRunner()


def test_japanese_headers_in_utf8_with_bom_and_lower_case_idm() -> None:
    workers = parse_roster_csv(("\ufeff" + GOOD_JA).encode("utf-8"))
    assert [w.worker for w in workers] == ["10000000000001", "10000000000002", "10000000000003"]
    assert workers[0].idms == ("012E000000000001",)
    assert workers[1].idms == ("012E000000000002", "012E000000000003")
    assert workers[2].idms == () and workers[2].position == ""


def test_cp932_file_as_excel_saves_it() -> None:
    workers = parse_roster_csv(GOOD_JA.replace("\n", "\r\n").encode("cp932"))
    assert workers[0].name == "山田 太郎" and workers[0].employer_name == "山田建設"


def test_english_headers_in_any_order_and_one_row_per_card() -> None:
    text = ("idm,name,worker,position\n"
            "012E00000000000A,Taro,10000000000001,foreman\n"
            "012E00000000000B,Taro,10000000000001,foreman\n")
    (w,) = parse_roster_csv(text.encode())
    assert w.idms == ("012E00000000000A", "012E00000000000B")


def test_every_bad_line_is_reported_with_its_number() -> None:
    text = (JA_HEADER
            + "1000000000000X,山田,ヤマダ,20000000000001,山田建設,型枠,0101,職長,012E000000000001\n"
            + "10000000000002,,サトウ,20000000000001,山田建設,鉄筋,0102,班長,012E000000000002\n"
            + "10000000000003,鈴木,スズキ,20000000000002,鈴木組,土工,0103,,012E00000000ZZZZ\n"
            + "10000000000004,田中,タナカ,20000000000002,鈴木組,土工,0103,,012E0000000001\n"
            + "10000000000005,伊藤,イトウ,20000000000002\n")
    with pytest.raises(RosterInvalid) as info:
        parse_roster_csv(text.encode())
    lines = {line for line, _ in info.value.problems}
    assert lines == {2, 3, 4, 5, 6}
    messages = " ".join(m for _, m in info.value.problems)
    assert "14 digits" in messages and "hex" in messages and "16 hex digits" in messages


def test_one_card_bound_to_two_workers_is_refused() -> None:
    text = ("worker,name,idm\n10000000000001,A,012E000000000001\n10000000000002,B,012e000000000001\n")
    with pytest.raises(RosterInvalid) as info:
        parse_roster_csv(text.encode())
    assert "also bound to worker 10000000000001" in info.value.message


def test_same_worker_twice_with_different_details_is_refused() -> None:
    text = "worker,name\n10000000000001,A\n10000000000001,B\n"
    with pytest.raises(RosterInvalid, match="appears again"):
        parse_roster_csv(text.encode())


def test_header_problems_are_named() -> None:
    with pytest.raises(RosterInvalid) as info:
        parse_roster_csv("氏名,誕生日\n山田,1980-01-01\n".encode())
    messages = [m for _, m in info.value.problems]
    assert any("誕生日" in m for m in messages), "unknown (and too personal) columns are refused"
    assert any("missing column 'worker'" in m for m in messages)
    with pytest.raises(RosterInvalid, match="empty"):
        parse_roster_csv(b"")


def test_binary_and_undecodable_files_are_refused() -> None:
    with pytest.raises(RosterEncoding, match="NUL"):
        parse_roster_csv(b"PK\x03\x04\x00\x00xlsx")
    with pytest.raises(RosterEncoding):
        parse_roster_csv(b"worker,name\n" + b"10000000000001,\x81\x20abc\n")


def test_oversized_file_and_too_many_rows_are_refused() -> None:
    with pytest.raises(RosterTooLarge):
        parse_roster_csv(b"worker,name\n" + b"x" * MAX_ROSTER_BYTES)
    rows = "".join(f"{10000000000000 + i},W{i}\n" for i in range(50_001))
    with pytest.raises(RosterTooLarge):
        parse_roster_csv(("worker,name\n" + rows).encode())


def test_control_characters_in_names_are_refused() -> None:
    with pytest.raises(RosterInvalid, match="control characters"):
        parse_roster_csv(b"worker,name\n10000000000001,Ta\x07ro\n")


def _run(data: DataDir, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--data-dir", str(data.root), *args])


def test_cli_imports_and_kiosk_can_look_up(tmp_path: Path, data: DataDir) -> None:
    f = tmp_path / "roster.csv"
    f.write_bytes(GOOD_JA.encode("cp932"))
    result = _run(data, "roster", "import", str(f))
    assert result.exit_code == 0, result.output
    assert "3" in result.output
    worker = StateReader(data.state).worker_by_idm("012E000000000003")
    assert worker is not None and worker.name == "佐藤 花子"


def test_cli_bad_file_changes_nothing_and_names_lines(tmp_path: Path, data: DataDir) -> None:
    good = tmp_path / "good.csv"
    good.write_bytes(GOOD_JA.encode())
    assert _run(data, "roster", "import", str(good)).exit_code == 0
    bad = tmp_path / "bad.csv"
    bad.write_bytes((GOOD_JA + "10000000000009,X,,,,,,,NOTHEX\n").encode())
    result = _run(data, "roster", "import", str(bad))
    assert result.exit_code == 1
    assert "line 5" in result.output or "5 行目" in result.output
    assert len(StateReader(data.state).roster()) == 3, "the previous roster is untouched"


def test_cli_refuses_while_syncd_holds_the_state(tmp_path: Path, data: DataDir) -> None:
    f = tmp_path / "roster.csv"
    f.write_bytes(GOOD_JA.encode())
    holder = StateWriter.open(data.state)
    try:
        result = _run(data, "roster", "import", str(f))
    finally:
        holder.close()
    assert result.exit_code == 1 and "syncd" in result.output
    assert StateReader(data.state).roster() == []


def test_cli_refuses_oversized_file_before_reading_it(tmp_path: Path, data: DataDir) -> None:
    f = tmp_path / "big.csv"
    f.write_bytes(b"worker,name\n" + b"1" * (MAX_ROSTER_BYTES + 1))
    result = _run(data, "roster", "import", str(f))
    assert result.exit_code == 1
    assert not data.state.exists() or StateReader(data.state).roster() == []


# --- setting the site of a kiosk with no server (`--site`, `--site-name`) -----------------------------------------

SITE_A, SITE_B = "30000000000001", "30000000000002"


def _roster_file(tmp_path: Path) -> Path:
    f = tmp_path / "roster.csv"
    f.write_bytes(GOOD_JA.encode())
    return f


def _config(data: DataDir) -> SiteConfig:
    with StateReader(data.state) as state:
        return state.site_config()


def test_site_and_name_given_with_the_roster_become_the_kiosks_site(tmp_path: Path, data: DataDir) -> None:
    result = _run(data, "roster", "import", str(_roster_file(tmp_path)), "--site", SITE_A, "--site-name", "駅前 A棟")
    assert result.exit_code == 0, result.output
    config = _config(data)
    assert (config.site, config.name, config.day_boundary, config.timezone) == (SITE_A, "駅前 A棟", "04:00",
                                                                                "Asia/Tokyo")
    assert SITE_A in result.output
    again = _run(data, "roster", "import", str(_roster_file(tmp_path)), "--site", SITE_A)
    assert again.exit_code == 0 and _config(data).name == "駅前 A棟", "the same site again keeps its name"


@pytest.mark.parametrize("args", [
    ["--site", "3000000000000X"],
    ["--site", "300000000000012"],
    ["--site", SITE_A, "--site-name", "x" * 201],
    ["--site", SITE_A, "--site-name", "駅前\x1b[2J"],
])
def test_a_malformed_site_or_name_imports_nothing(tmp_path: Path, data: DataDir, args: list[str]) -> None:
    result = _run(data, "roster", "import", str(_roster_file(tmp_path)), *args)
    assert result.exit_code == 1
    assert StateReader(data.state).roster() == [] and _config(data).site is None


def test_site_name_or_change_without_a_site_is_a_usage_error(tmp_path: Path, data: DataDir) -> None:
    for extra in (["--site-name", "駅前"], ["--change-site"]):
        result = _run(data, "roster", "import", str(_roster_file(tmp_path)), *extra)
        assert result.exit_code == 2
        assert not data.state.exists() or StateReader(data.state).roster() == []


def test_another_site_replaces_the_one_set_only_when_asked_explicitly(tmp_path: Path, data: DataDir) -> None:
    assert _run(data, "roster", "import", str(_roster_file(tmp_path)), "--site", SITE_A).exit_code == 0
    writer = StateWriter.open(data.state)
    writer.replace_roster([], version="empty", etag=None, source="csv")
    writer.close()
    refused = _run(data, "roster", "import", str(_roster_file(tmp_path)), "--site", SITE_B)
    assert refused.exit_code == 1 and "--change-site" in refused.output
    assert _config(data).site == SITE_A and StateReader(data.state).roster() == [], "nothing changed"
    changed = _run(data, "roster", "import", str(_roster_file(tmp_path)), "--site", SITE_B, "--change-site")
    assert changed.exit_code == 0 and _config(data).site == SITE_B


def test_an_enrolled_device_takes_its_site_from_the_enrollment_only(tmp_path: Path, data: DataDir) -> None:
    from shared.device import DeviceIdentity, save_identity

    save_identity(data, DeviceIdentity(device="kiosk-0001", epoch=1, site=SITE_A, server_url="https://genba.test",
                                       server_key="k"))
    refused = _run(data, "roster", "import", str(_roster_file(tmp_path)), "--site", SITE_B, "--change-site")
    assert refused.exit_code == 1 and SITE_A in refused.output
    assert StateReader(data.state).roster() == [] and _config(data).site is None
    same = _run(data, "roster", "import", str(_roster_file(tmp_path)), "--site", SITE_A, "--site-name", "A棟")
    assert same.exit_code == 0 and (_config(data).site, _config(data).name) == (SITE_A, "A棟")


def test_offline_site_rule_keeps_the_sites_day_rules_and_refuses_silent_replacement() -> None:
    from shared.state import SiteConflict, offline_site_config

    current = SiteConfig(site=None, day_boundary="05:00", repeat_window_s=60, timezone="Asia/Tokyo", etag="e1")
    got = offline_site_config(current, site=SITE_A, name="A", enrolled_site=None)
    assert (got.site, got.name, got.day_boundary, got.repeat_window_s, got.etag) == (SITE_A, "A", "05:00", 60, None)
    with pytest.raises(SiteConflict):
        offline_site_config(got, site=SITE_B, name=None, enrolled_site=None)
    assert offline_site_config(got, site=SITE_B, name=None, enrolled_site=None, change=True).name == ""
    with pytest.raises(SiteConflict):
        offline_site_config(current, site=SITE_B, name=None, enrolled_site=SITE_A, change=True)
