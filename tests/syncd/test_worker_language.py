"""A worker's own language travels from the roster CSV or the server pull into state.db, and the server's
minimum app version into the kiosk's view (issue 11, items 11 and 13)."""

from __future__ import annotations

import sqlite3

import pytest

from kiosk.appversion import is_outdated, release
from kiosk.state_view import StateSiteView
from shared.errors import FormatError
from shared.paths import DataDir
from shared.state import RosterInvalid, SiteConfig, StateReader, StateWriter, check_roster, parse_roster_csv
from shared.state.migrations import MIGRATIONS

HEADER = "技能者ID,氏名,所属事業者名,職種,立場,カードIDm,言語\n"


def test_language_column_is_read_normalised_and_stored(data: DataDir) -> None:
    text = (HEADER + "10000000000001,グエン・ヴァン・アン,山田建設,型枠,班長,012E000000000001,vi\n"
            "10000000000002,王 偉,山田建設,鉄筋,,012E000000000002,zh_CN\n"
            "10000000000003,山田 太郎,山田建設,土工,職長,012E000000000003,\n")
    workers = parse_roster_csv(text.encode())
    assert [w.language for w in workers] == ["vi", "zh-cn", ""]
    with StateWriter.open(data.state) as state:
        state.replace_roster(workers, version="csv", etag=None, source="csv")
    with StateReader(data.state) as reader:
        got = reader.worker_by_idm("012E000000000001")
        assert got is not None and got.language == "vi"
        view = StateSiteView(reader, fallback_site=None)
        holder = view.lookup("012E000000000002")
        assert holder is not None and holder.language == "zh-cn"


@pytest.mark.parametrize("value", ["Vietnamese", "v", "vi-", "ja jp", "zh-" + "x" * 20, "ベトナム語"])
def test_a_malformed_language_refuses_the_whole_roster_naming_the_line(value: str) -> None:
    text = (HEADER + "10000000000001,山田 太郎,山田建設,土工,職長,012E000000000001,\n"
            f"10000000000002,王 偉,山田建設,鉄筋,,012E000000000002,{value}\n")
    with pytest.raises(RosterInvalid, match="line 3: language") as caught:
        parse_roster_csv(text.encode())
    assert [n for n, _ in caught.value.problems] == [3]


def test_language_from_the_server_json_must_be_text() -> None:
    with pytest.raises(RosterInvalid, match="language must be text"):
        check_roster([(1, {"worker": "10000000000001", "name": "A", "language": 7})])
    [w] = check_roster([(1, {"worker": "10000000000001", "name": "A", "language": "TL"})])
    assert w.language == "tl"


def test_a_state_db_before_the_language_migration_reads_everyone_as_japanese(data: DataDir) -> None:
    """The kiosk may start before syncd has migrated state.db after an upgrade."""
    conn = sqlite3.connect(data.state, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for name, step in list(MIGRATIONS)[:2]:
        step(conn)
        conn.execute("INSERT INTO _migrations VALUES (?, datetime('now'))", (name,))
    conn.execute("INSERT INTO workers VALUES ('10000000000001', '山田 太郎', '', '', '', '', '', '', 1)")
    conn.execute("INSERT INTO cards VALUES ('0123456789ABCDEF', '10000000000001')")
    conn.close()
    with StateReader(data.state) as reader:
        worker = reader.worker_by_idm("0123456789ABCDEF")
        assert worker is not None and worker.language == "" and reader.roster_size() == 1


def test_minimum_app_version_round_trips_and_marks_an_older_kiosk(data: DataDir) -> None:
    with StateWriter.open(data.state) as state:
        state.replace_roster(parse_roster_csv((HEADER + "10000000000001,A,B,C,D,,\n").encode()),
                             version="v", etag=None, source="csv")
        state.set_site_config(SiteConfig(site="12345678901234", min_app_version="999.0"))
    with StateReader(data.state) as reader:
        assert reader.site_config().min_app_version == "999.0"
        settings = StateSiteView(reader, fallback_site=None).settings()
        assert "app_outdated" in settings.problems and settings.min_app_version == "999.0"
    with StateWriter.open(data.state) as state:
        state.set_site_config(SiteConfig(site="12345678901234", min_app_version="0.0.1"))
    with StateReader(data.state) as reader:
        assert "app_outdated" not in StateSiteView(reader, fallback_site=None).settings().problems


@pytest.mark.parametrize("bad", ["0.2 or later", "x" * 33, 3])
def test_a_malformed_minimum_from_the_server_is_refused(bad: object) -> None:
    with pytest.raises(FormatError):
        SiteConfig.from_json({"site": "12345678901234", "min_app_version": bad})


@pytest.mark.parametrize("minimum, current, outdated", [
    ("0.2.0", "0.1.0", True), ("0.10.0", "0.9.9", True), ("0.1", "0.1.0", False), ("0.1.0", "0.1.0", False),
    ("1.0.0rc1", "1.0.0", False), ("0.2.0", "0.2.0rc1", False), ("1.2.3", "1.2.3.1", False),
    ("", "0.1.0", False), ("latest", "0.1.0", False), ("v2", "1.9", True),
])
def test_outdated_compares_release_numbers(minimum: str, current: str, outdated: bool) -> None:
    assert is_outdated(minimum, current) is outdated
    assert release("1.2") == (1, 2, 0)
