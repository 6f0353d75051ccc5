"""``auto`` finds the reader a site has, and every status tells a site manager what to do (ja + en)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from hardware import open_reader
from hardware.base import Reader
from hardware.errors import (
    BadCard,
    HardwareError,
    NoPermission,
    NoReader,
    PcscdUnavailable,
    ReaderBusy,
    ReadError,
    ReaderUnavailable,
    ReaderUnplugged,
)
from hardware.status import KIND_OF_CODE, STATUS_MESSAGES, make_status, status_for_error
from hardware.vicc import ViccCard
from tests.hardware.conftest import Collector
from tests.hardware.pcsc_stack import PcscStack

Collect = Callable[[Reader], Collector]
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def fake_usb(root: Path, product: str | None, node: bool) -> tuple[Path, Path]:
    sysfs, dev = root / "sys", root / "dev"
    sysfs.mkdir()
    dev.mkdir()
    if product is not None:
        entry = sysfs / "1-1"
        entry.mkdir()
        for key, value in (("idVendor", "054c"), ("idProduct", product), ("busnum", "1"), ("devnum", "7")):
            (entry / key).write_text(value)
        if node:
            (dev / "001").mkdir()
            (dev / "001" / "007").write_bytes(b"")
    return sysfs, dev


def test_auto_uses_the_pcsc_reader_when_no_usb_reader_is_there(
    tmp_path: Path, pcscd: PcscStack, vicc: ViccCard, collect: Collect
) -> None:
    sysfs, dev = fake_usb(tmp_path, None, node=False)
    collector = collect(open_reader("auto", sysfs=sysfs, devroot=dev))
    ready = collector.next_status()
    assert (ready.code, ready.reader) == ("ok", "pcsc:Virtual_PCD_00_00")
    vicc.present("0123456789ABCDEF")
    tap = collector.next_tap()
    assert (tap.idm, tap.reader) == ("0123456789ABCDEF", "pcsc:Virtual_PCD_00_00")
    vicc.remove()  # removed and presented again is a new tap, through auto as directly
    pcscd.wait_for_card(present=False)
    vicc.present("0123456789ABCDEF")
    assert collector.next_tap().idm == "0123456789ABCDEF"


def test_auto_with_nothing_keeps_looking_and_finds_the_reader_when_it_appears(
    tmp_path: Path, pcsc_stack: PcscStack, collect: Collect
) -> None:
    pcsc_stack.stop()
    sysfs, dev = fake_usb(tmp_path, None, node=False)
    collector = collect(open_reader("auto", sysfs=sysfs, devroot=dev, retry_interval=0.1))
    status = collector.next_status()
    assert (status.kind, status.code) == ("disconnected", "no_reader")
    pcsc_stack.start()
    assert collector.next_status().code == "ok"


@pytest.mark.parametrize(
    ("product", "node", "code"),
    [("06c3", False, "no_permission"), ("0dc9", True, "pcscd_unavailable"), ("0dc8", True, "pcscd_unavailable")],
)
def test_auto_says_why_a_plugged_in_reader_cannot_be_used(
    tmp_path: Path, pcsc_stack: PcscStack, collect: Collect, product: str, node: bool, code: str
) -> None:
    pcsc_stack.stop()
    sysfs, dev = fake_usb(tmp_path, product, node)
    collector = collect(open_reader("auto", sysfs=sysfs, devroot=dev, retry_interval=0.1))
    status = collector.next_status()
    assert (status.kind, status.code) == ("disconnected", code)


@pytest.mark.parametrize("code", sorted(STATUS_MESSAGES))
def test_every_status_has_japanese_and_english_advice(code: str) -> None:
    ja, en = STATUS_MESSAGES[code]
    assert JAPANESE.search(ja), ja
    assert en and not JAPANESE.search(en)
    assert ja.endswith("。") and en.endswith(".")


@pytest.mark.parametrize(
    ("error", "code", "kind", "advice"),
    [
        (NoReader("x"), "no_reader", "disconnected", "Plug"),
        (NoPermission("x"), "no_permission", "disconnected", "udev"),
        (ReaderBusy("x"), "reader_busy", "disconnected", "Quit other"),
        (PcscdUnavailable("x"), "pcscd_unavailable", "disconnected", "systemctl enable --now pcscd.socket"),
        (ReaderUnplugged("x"), "unplugged", "disconnected", "reconnects automatically"),
        (ReadError("x"), "read_error", "error", "again"),
        (BadCard("x"), "bad_card", "error", "again"),
        (HardwareError("x"), "reader_error", "error", "Re-plug"),
        (ReaderUnavailable("x"), "reader_error", "disconnected", "Re-plug"),
    ],
)
def test_each_problem_has_its_own_status_and_advice(error: HardwareError, code: str, kind: str, advice: str) -> None:
    status = status_for_error("usb:001:004", error, 7)
    assert (status.code, status.kind, status.detail, status.mono_us) == (code, kind, "x", 7)
    assert advice in status.message_en
    assert status.message("ja") == status.message_ja


def test_only_ok_is_connected_and_unknown_codes_get_generic_advice() -> None:
    assert [c for c, k in KIND_OF_CODE.items() if k == "connected"] == ["ok"]
    status = make_status("sim", "something_new", 1)
    assert (status.kind, status.message_en) == ("error", STATUS_MESSAGES["reader_error"][1])


@pytest.mark.parametrize("code", sorted(STATUS_MESSAGES))
def test_every_status_code_is_documented_for_site_managers(code: str) -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "readers.md").read_text(encoding="utf-8")
    assert f"| `{code}` |" in docs, f"status {code} is missing from the table in docs/readers.md"
