"""The event record: canonical bytes once, strict parsing, every field checked."""

from __future__ import annotations

import json

import pytest

from shared.canonical import canonical_bytes, parse_canonical
from shared.errors import FormatError, InvalidIdm, InvalidTimestamp, NotCanonical
from shared.event import MAX_EVENT_BYTES, NO_SITE, Event
from shared.ids import normalize_idm
from shared.timefmt import format_rfc3339, parse_rfc3339

BASE = dict(device="kiosk-0a1b2c3d4e5f", epoch=1, seq=1, boot="6f1c2e0a-5b7d-4c3e-9a8b-0d1e2f3a4b5c",
            mono_us=1, at="2026-11-02T07:42:05.120+09:00", kind="tap", reader="sim", site="12345678901234",
            app="0.1.0", idm="012E4CD81A2B3C4D", direction="in")


def test_canonical_bytes_sort_keys_and_omit_absent_optional_fields() -> None:
    data = Event(**BASE).to_bytes()
    obj = json.loads(data)
    assert list(obj) == sorted(obj)
    assert "ref" not in obj and "worker" not in obj
    assert b" " not in data
    assert Event.from_bytes(data) == Event(**BASE)


def test_japanese_reason_is_stored_as_utf8_not_escaped() -> None:
    e = Event(**{**BASE, "kind": "amend", "seq": 2, "ref": 1, "idm": None, "reason": "押し間違い"})
    assert "押し間違い".encode() in e.to_bytes()


@pytest.mark.parametrize("change, error", [
    ({"idm": "012E4CD81A2B3C4"}, InvalidIdm),
    ({"idm": "012E4CD81A2B3C4DAA"}, InvalidIdm),
    ({"idm": "012E4CD81A2B3CXX"}, InvalidIdm),
    ({"idm": "012e4cd81a2b3c4d"}, InvalidIdm),
    ({"at": "2026-11-02 07:42:05+09:00"}, InvalidTimestamp),
    ({"at": "2026-11-02T07:42:05"}, InvalidTimestamp),
    ({"at": "2026-13-02T07:42:05Z"}, InvalidTimestamp),
    ({"at": "2026-11-02T07:42:05+25:00"}, InvalidTimestamp),
    ({"seq": 0}, FormatError),
    ({"seq": True}, FormatError),
    ({"seq": 2**53}, FormatError),
    ({"epoch": 1.0}, FormatError),
    ({"direction": "sideways"}, FormatError),
    ({"direction": None}, FormatError),
    ({"kind": "delete"}, FormatError),
    ({"boot": "not-a-uuid"}, FormatError),
    ({"device": "Kiosk_1"}, FormatError),
    ({"site": "1234567890123x"}, FormatError),
    ({"site": " "}, FormatError),
    ({"site": None}, FormatError),
    ({"site": 12345678901234}, FormatError),
    ({"reader": ""}, FormatError),
    ({"app": "1.0 beta"}, FormatError),
])
def test_invalid_fields_are_refused_with_a_typed_error(change: dict, error: type[Exception]) -> None:
    with pytest.raises(error):
        Event(**{**BASE, **change})


@pytest.mark.parametrize("kind, needs", [
    ("repeat", {"ref": 1}), ("amend", {"ref": 1}), ("manual", {"worker": "10000000000001"}),
    ("bind", {"worker": "10000000000001"}),
])
def test_each_kind_requires_its_fields(kind: str, needs: dict) -> None:
    with pytest.raises(FormatError, match="needs field"):
        Event(**{**BASE, "seq": 5, "kind": kind})


def test_an_event_recorded_before_the_site_was_known_carries_the_empty_site_and_round_trips() -> None:
    e = Event(**{**BASE, "site": NO_SITE})
    assert json.loads(e.to_bytes())["site"] == ""
    assert Event.from_bytes(e.to_bytes()) == e


def test_ref_must_point_backwards() -> None:
    with pytest.raises(FormatError, match="earlier seq"):
        Event(**{**BASE, "seq": 3, "kind": "repeat", "ref": 3})


def test_from_bytes_refuses_non_canonical_duplicate_unknown_and_oversized_input() -> None:
    good = Event(**BASE).to_bytes()
    with pytest.raises(NotCanonical):
        Event.from_bytes(json.dumps(json.loads(good), indent=1).encode())
    with pytest.raises(FormatError, match="duplicate"):
        Event.from_bytes(good[:-1] + b',"v":1}')
    with pytest.raises(FormatError, match="unknown field"):
        Event.from_bytes(canonical_bytes({**json.loads(good), "zz": 1}))
    with pytest.raises(FormatError, match="limit"):
        Event.from_bytes(b" " * (MAX_EVENT_BYTES + 1))
    with pytest.raises(FormatError, match="UTF-8"):
        Event.from_bytes(b'{"a":"\xff"}')
    with pytest.raises(FormatError, match="object"):
        parse_canonical(b"[1]", max_bytes=100)


def test_normalize_idm_accepts_bytes_and_either_case_but_nothing_else() -> None:
    assert normalize_idm(bytes.fromhex("012e4cd81a2b3c4d")) == "012E4CD81A2B3C4D"
    assert normalize_idm("012e4cd81a2b3c4d") == "012E4CD81A2B3C4D"
    for bad in ("012E-4CD8-1A2B-3C4D", "", "0" * 15, b"\x01" * 7, 12345):
        with pytest.raises(InvalidIdm):
            normalize_idm(bad)  # type: ignore[arg-type]


def test_rfc3339_round_trips_with_offset_and_refuses_naive_times() -> None:
    moment = parse_rfc3339("2026-11-02T07:42:05.120+09:00")
    assert format_rfc3339(moment) == "2026-11-02T07:42:05.120+09:00"
    assert format_rfc3339(parse_rfc3339("2026-11-01T22:42:05Z")) == "2026-11-01T22:42:05.000Z"
    with pytest.raises(InvalidTimestamp):
        format_rfc3339(moment.replace(tzinfo=None))


def test_any_reader_name_becomes_a_valid_reader_id() -> None:
    from shared.ids import check_reader_id, to_reader_id

    assert to_reader_id("pcsc:SONY FeliCa RC-S300/P 00 00") == "pcsc:SONY_FeliCa_RC-S300/P_00_00"
    for name in ("", "   ", "-lead", "日本語リーダー", "x" * 200, "a\nb"):
        check_reader_id(to_reader_id(name))
