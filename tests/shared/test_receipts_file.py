"""The receipts file carried back by hand: exact format, strict parsing, verification with the pinned key."""

from __future__ import annotations

import pytest

from shared.checkpoint import Receipt
from shared.errors import BadSignature, FormatError, UnknownKey
from shared.keys import SigningKey
from shared.receipts_file import format_receipts_file, open_receipts, parse_receipts_file

SERVER = SigningKey(name="genba-server", seed=bytes(range(32)))
STRANGER = SigningKey(name="genba-server", seed=bytes(range(2, 34)))


def receipt(acked: int, key: SigningKey = SERVER) -> str:
    return Receipt("kiosk-abc", 1, acked, bytes([acked]) * 32, "2026-11-22T03:00:00.000Z").sign(key)


def test_format_is_header_then_notes_separated_by_dashes() -> None:
    text = format_receipts_file([receipt(1), receipt(2)])
    assert text.startswith("genba receipts v1\ngenba receipt v1\ndevice kiosk-abc\n")
    assert text.count("\n---\n") == 1
    assert text.endswith("\n")


def test_round_trip_and_verification() -> None:
    notes = [receipt(1), receipt(5), receipt(9)]
    assert parse_receipts_file(format_receipts_file(notes).encode()) == notes
    got = open_receipts(format_receipts_file(notes), [SERVER.verifier])
    assert [r.acked for r in got] == [1, 5, 9]


def test_receipt_signed_by_another_key_is_refused() -> None:
    text = format_receipts_file([receipt(1), receipt(2, STRANGER)])
    with pytest.raises(UnknownKey):
        open_receipts(text, [SERVER.verifier])


def test_altered_receipt_is_refused() -> None:
    text = format_receipts_file([receipt(3)]).replace("acked 3", "acked 4")
    with pytest.raises(BadSignature):
        open_receipts(text, [SERVER.verifier])


@pytest.mark.parametrize(
    "mutate",
    [
        lambda t: t.replace("genba receipts v1", "genba receipts v2"),
        lambda t: t[len("genba receipts v1\n"):],
        lambda t: t.replace("\n", "\r\n"),
        lambda t: t[:-1],
        lambda t: t + "---\n",
        lambda t: t.replace("genba receipt v1", "genba checkpoint v1"),
        lambda t: t.replace("acked 1\n", ""),
        lambda t: t.replace("\u2014 ", "- "),
        lambda t: "genba receipts v1\n",
    ],
)
def test_malformed_files_are_refused(mutate: object) -> None:
    text = format_receipts_file([receipt(1), receipt(2)])
    with pytest.raises(FormatError):
        parse_receipts_file(mutate(text))  # type: ignore[operator]


def test_not_utf8_and_oversize_are_refused() -> None:
    with pytest.raises(FormatError):
        parse_receipts_file(b"genba receipts v1\n\xff\xfe\n")
    with pytest.raises(FormatError):
        parse_receipts_file(b"genba receipts v1\n" + b"x" * (4 * 1024 * 1024))


def test_formatting_refuses_nothing_or_non_receipts() -> None:
    with pytest.raises(FormatError):
        format_receipts_file([])
    with pytest.raises(FormatError):
        format_receipts_file(["not a note\n"])
