"""The PC/SC backend, run for real: pyscard → a private pcscd → vsmartcard-vpcd → a virtual FeliCa card.

The card answers GET DATA ``FF CA 00 00 00`` with its IDm, as a FeliCa card
on an RC-S300 does through libccid. Stopping and restarting the test pcscd
stands in for pcscd dying or the reader going away and coming back.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hardware import open_reader
from hardware.base import Reader, ReaderStatus, Tap
from hardware.errors import NoReader
from hardware.pcsc_backend import list_pcsc_readers, select_reader
from hardware.polling import DataBlock
from hardware.vicc import ViccCard
from tests.hardware.conftest import Collector
from tests.hardware.pcsc_stack import PcscStack

A = "0123456789ABCDEF"
B = "01010A10E41B2C3D"
C = "FEDCBA9876543210"

Collect = Callable[[Reader], Collector]


def start(pcscd: PcscStack, collect: Collect, **options: object) -> Collector:
    reader = open_reader(f"pcsc:{pcscd.reader}", poll_interval=0.02, retry_interval=0.2, **options)
    collector = collect(reader)
    status = collector.next_status()
    assert (status.kind, status.code) == ("connected", "ok"), status
    return collector


def taps_in(events: list[object]) -> list[str]:
    return [e.idm for e in events if isinstance(e, Tap)]


def take_away(pcscd: PcscStack, vicc: ViccCard) -> None:
    """Take the card away, and wait as long as a hand would for pcscd to notice."""
    vicc.remove()
    pcscd.wait_for_card(present=False)


def test_card_on_the_reader_is_one_tap_with_its_idm(pcscd: PcscStack, vicc: ViccCard, collect: Collect) -> None:
    collector = start(pcscd, collect)
    vicc.present(A)
    tap = collector.next_tap()
    assert (tap.idm, tap.reader, tap.card_data) == (A, "pcsc:Virtual_PCD_00_00", None)
    assert collector.seen[1:-1] == []  # no card before: nothing between the ready status and the tap


def test_card_held_is_one_tap_and_presented_again_is_a_new_tap(
    pcscd: PcscStack, vicc: ViccCard, collect: Collect
) -> None:
    collector = start(pcscd, collect)
    vicc.present(A)
    assert collector.next_tap().idm == A
    take_away(pcscd, vicc)
    vicc.present(A)
    assert collector.next_tap().idm == A
    take_away(pcscd, vicc)
    vicc.present(B)
    assert collector.next_tap().idm == B
    assert taps_in(collector.seen) == [A, A, B]  # held A never tapped twice


def test_several_cards_one_after_another(pcscd: PcscStack, vicc: ViccCard, collect: Collect) -> None:
    collector = start(pcscd, collect)
    got = []
    for card in (A, B, C):
        vicc.present(card)
        got.append(collector.next_tap().idm)
        take_away(pcscd, vicc)
    assert got == [A, B, C]


@pytest.mark.parametrize("fault", ["garbage", "short_idm", "long_idm", "error_sw", "drop_on_read"])
def test_bad_answers_and_a_card_leaving_mid_read_are_reported_never_tapped(
    pcscd: PcscStack, vicc: ViccCard, collect: Collect, fault: str
) -> None:
    collector = start(pcscd, collect)
    vicc.fault = fault  # type: ignore[assignment]
    vicc.present(A)
    status = collector.next_status()
    assert (status.kind, status.code) == ("error", "bad_card"), status
    assert status.detail
    vicc.fault = None
    take_away(pcscd, vicc)
    vicc.present(B)
    assert collector.next_tap().idm == B
    assert taps_in(collector.seen) == [B]


def test_a_held_card_that_failed_once_is_read_again(pcscd: PcscStack, vicc: ViccCard, collect: Collect) -> None:
    collector = start(pcscd, collect)
    vicc.fault = "long_idm"
    vicc.present(C)
    assert collector.next_status().code == "bad_card"
    vicc.fault = None  # the card stays on the reader
    assert collector.next_tap().idm == C


BLOCK = DataBlock(service_code=0x090F, block=2, offset=0, length=16)


def test_configured_data_block_is_read(pcscd: PcscStack, vicc: ViccCard, collect: Collect) -> None:
    collector = start(pcscd, collect, data_block=BLOCK)
    vicc.blocks = {(0x090F, 2): bytes(range(16))}
    vicc.present(A)
    tap = collector.next_tap()
    assert (tap.idm, tap.card_data) == (A, bytes(range(16)).hex().upper())


def test_missing_data_block_is_a_bad_card_not_a_tap(pcscd: PcscStack, vicc: ViccCard, collect: Collect) -> None:
    collector = start(pcscd, collect, data_block=BLOCK)
    vicc.present(A)
    status = collector.next_status()
    assert status.code == "bad_card" and "6A 82" in status.detail
    take_away(pcscd, vicc)
    vicc.blocks = {(0x090F, 2): bytes(16)}
    vicc.present(B)
    assert collector.next_tap().card_data == "00" * 16
    assert taps_in(collector.seen) == [B]


def test_pcscd_stopping_is_reported_and_the_reader_recovers_when_it_returns(
    pcscd: PcscStack, vicc: ViccCard, collect: Collect
) -> None:
    collector = start(pcscd, collect)
    vicc.present(A)
    assert collector.next_tap().idm == A
    take_away(pcscd, vicc)
    pcscd.stop()
    # pcscd may or may not tell waiting clients that its readers are going before its socket closes,
    # so an "unplugged" may come first; "pcscd_unavailable" must come, and nothing else.
    gone = collector.next_status("pcscd_unavailable")
    assert gone.kind == "disconnected"
    assert {e.code for e in collector.seen[2:] if isinstance(e, ReaderStatus)} <= {"unplugged", "pcscd_unavailable"}
    assert "pcscd" in gone.message_en and "pcscd" in gone.message_ja
    pcscd.start()
    back = collector.next_status()
    assert (back.kind, back.code) == ("connected", "ok")
    vicc.present(A)  # the same card again after the outage is a new tap
    assert collector.next_tap().idm == A
    statuses = [e.code for e in collector.seen if isinstance(e, ReaderStatus)]
    assert statuses.count("pcscd_unavailable") == 1  # once per outage, not once per retry


def test_pcscd_not_running_at_start_is_reported_then_found(pcsc_stack: PcscStack, vicc: ViccCard,
                                                           collect: Collect) -> None:
    pcsc_stack.stop()
    collector = collect(open_reader("pcsc", retry_interval=0.1))
    status = collector.next_status()
    assert (status.kind, status.code) == ("disconnected", "pcscd_unavailable")
    assert "not running" in status.detail
    pcsc_stack.start()
    assert collector.next_status().code == "ok"
    vicc.present(B)
    assert collector.next_tap().idm == B


def test_unknown_reader_name_is_no_reader(pcscd: PcscStack, collect: Collect) -> None:
    collector = collect(open_reader("pcsc:RC-S300", retry_interval=0.1))
    status = collector.next_status()
    assert (status.kind, status.code) == ("disconnected", "no_reader")
    assert "Virtual PCD" in status.detail  # tells which readers pcscd does know


def test_readers_are_listed_and_chosen_by_index_or_name(pcscd: PcscStack) -> None:
    names = list_pcsc_readers()
    assert names[:2] == ["Virtual PCD 00 00", "Virtual PCD 00 01"]
    assert select_reader(names, None) == names[0]
    assert select_reader(names, "1") == names[1]
    assert select_reader(names, "pcd 00 01") == names[1]
    for bad in ("7", "RC-S300"):
        with pytest.raises(NoReader):
            select_reader(names, bad)
    with pytest.raises(NoReader):
        select_reader([], None)
