"""Foreign errors become ours at the boundary: nfcpy/libusb errnos, pcscd absent or not installed.

A real RC-S380 cannot be unplugged on a CI machine; these pin the mapping the
nfcpy backend applies to what nfcpy's USB transport raises (it turns libusb's
errors into IOError with ENODEV, EIO, EACCES, EBUSY, ETIMEDOUT).
"""

from __future__ import annotations

import errno
import socket

import pytest

from hardware import pcsc_backend
from hardware.errors import BadCard, NoPermission, NoReader, ReaderBusy, ReadError, ReaderUnavailable, ReaderUnplugged
from hardware.nfcpy_backend import _translate_io_error, _translate_open_error, parse_read_response, parse_sensf_res
from hardware.polling import DataBlock


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (OSError(errno.EACCES, "denied"), NoPermission),
        (OSError(errno.EBUSY, "busy"), ReaderBusy),
        (OSError(errno.ENODEV, "gone"), NoReader),
        (socket.gaierror(socket.EAI_NONAME, "unknown host"), NoReader),
        (OSError(errno.EPROTO, "odd"), ReaderUnavailable),
    ],
)
def test_open_errors(error: OSError, expected: type[ReaderUnavailable]) -> None:
    assert type(_translate_open_error(error, "usb")) is expected


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (OSError(errno.ENODEV, "unplugged"), ReaderUnplugged),
        (OSError(errno.EIO, "io"), ReaderUnplugged),
        (OSError(errno.ETIMEDOUT, "slow"), ReadError),
    ],
)
def test_errors_while_polling(error: OSError, expected: type[Exception]) -> None:
    assert type(_translate_io_error(error)) is expected


@pytest.mark.parametrize(
    "frame",
    ["01" + "11" * 8 + "22" * 8, "01" + "11" * 8 + "22" * 8 + "FE00" + "00", "02" + "11" * 16 + "FE00", ""],
)
def test_sensf_res_of_the_wrong_shape_is_a_bad_card(frame: str) -> None:
    with pytest.raises(BadCard):
        parse_sensf_res(bytes.fromhex(frame))


def test_sensf_res_is_split_into_idm_pmm_and_system_code() -> None:
    read = parse_sensf_res(bytes.fromhex("01" + "0123456789ABCDEF" + "0120220427674EFF" + "FE00"))
    assert (read.idm.hex(), read.pmm, read.system_code) == (
        "0123456789abcdef", bytes.fromhex("0120220427674EFF"), b"\xfe\x00")


IDM = bytes.fromhex("0123456789ABCDEF")
BLOCK = DataBlock(block=1, offset=4, length=4)


@pytest.mark.parametrize(
    "response",
    [
        b"",  # nothing
        bytes([31, 0x07]) + IDM + b"\x00\x00\x01" + bytes(16),  # the length byte disagrees with the frame
        bytes([29, 0x07]) + bytes(8) + b"\x00\x00\x01" + bytes(16),  # another card's IDm
        bytes([12, 0x07]) + IDM + b"\xff\xa8",  # status flags: no such block
        bytes([20, 0x07]) + IDM + b"\x00\x00\x01" + bytes(7),  # short block
    ],
)
def test_bad_block_answers_are_bad_cards(response: bytes) -> None:
    with pytest.raises(BadCard):
        parse_read_response(response, IDM, BLOCK)


def test_good_block_answer_gives_the_configured_slice() -> None:
    response = bytes([29, 0x07]) + IDM + b"\x00\x00\x01" + bytes(range(16))
    assert parse_read_response(response, IDM, BLOCK) == "04050607"


def test_pcscd_not_installed_is_told_apart_from_not_running(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pcsc_backend.shutil, "which", lambda name: None)
    monkeypatch.setattr(pcsc_backend.os.path, "exists", lambda path: False)
    assert pcsc_backend.pcscd_missing_detail() == "pcscd is not installed"
    monkeypatch.setattr(pcsc_backend.shutil, "which", lambda name: "/usr/sbin/pcscd")
    assert pcsc_backend.pcscd_missing_detail() == "pcscd is installed but not running"


@pytest.mark.parametrize(
    ("response", "ok"),
    [([0x01, 0x02, 0x90, 0x00], True), ([0x90], False), ([0x6A, 0x81], False), ([], False),
     ([1, 2, 0x63, 0x00], False)],
)
def test_response_apdus_must_end_in_9000(response: list[int], ok: bool) -> None:
    if ok:
        assert pcsc_backend.parse_response(response, "GET DATA") == bytes(response[:-2])
    else:
        with pytest.raises(BadCard):
            pcsc_backend.parse_response(response, "GET DATA")
