"""The nfcpy backend, run for real through nfcpy's udp driver against an emulated FeliCa card.

The card peer (hardware.emulated) answers the radio frames nfcpy sends; with
no card on the reader nfcpy's udp driver waits one second per poll, so tests
wait for "the reader has polled again" (``peer.wait_for_polls``) rather than
sleeping.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

import nfc
import nfc.clf
import pytest

from hardware import open_reader
from hardware.base import Reader, ReaderStatus, Tap
from hardware.emulated import DEFAULT_PMM, FelicaCardPeer
from hardware.polling import DataBlock
from tests.hardware.conftest import Collector

A = "0123456789ABCDEF"
B = "01010A10E41B2C3D"
C = "FEDCBA9876543210"

Collect = Callable[[Reader], Collector]


def start(peer: FelicaCardPeer, collect: Collect, **options: object) -> Collector:
    reader = open_reader(peer.path, poll_interval=0.02, retry_interval=0.2, **options)
    collector = collect(reader)
    status = collector.next_status()
    assert (status.kind, status.code) == ("connected", "ok")
    return collector


def taps_in(events: list[object]) -> list[str]:
    return [e.idm for e in events if isinstance(e, Tap)]


def test_card_presented_is_one_tap_with_idm_pmm_and_system_code(peer: FelicaCardPeer, collect: Collect) -> None:
    collector = start(peer, collect)
    peer.present(A)
    tap = collector.next_tap()
    assert (tap.idm, tap.pmm, tap.system_code, tap.reader) == (A, DEFAULT_PMM.hex().upper(), "FE00", peer.path)
    assert tap.mono_us > 0


def test_card_held_on_the_reader_is_one_tap(peer: FelicaCardPeer, collect: Collect) -> None:
    collector = start(peer, collect)
    peer.present(A)
    collector.next_tap()
    assert peer.wait_for_polls(10)  # the card answers all of them
    assert taps_in(collector.pending()) == []


def test_removed_and_presented_again_is_a_new_tap(peer: FelicaCardPeer, collect: Collect) -> None:
    collector = start(peer, collect)
    for _ in range(3):
        peer.present(A)
        assert collector.next_tap().idm == A
        peer.remove()
        assert peer.wait_for_polls(1)  # the reader saw the empty field
    assert taps_in(collector.pending()) == []


def test_several_cards_each_tap_once(peer: FelicaCardPeer, collect: Collect) -> None:
    collector = start(peer, collect)
    got = []
    for card in (A, B, C, A):  # each replaces the last without an empty field in between
        peer.present(card)
        got.append(collector.next_tap().idm)
        assert peer.wait_for_polls(2)
    assert got == [A, B, C, A]
    assert taps_in(collector.pending()) == []


def test_no_card_means_no_tap_and_no_status_noise(peer: FelicaCardPeer, collect: Collect) -> None:
    collector = start(peer, collect)
    assert peer.wait_for_polls(2)
    assert collector.pending() == []
    assert peer.polls_answered == 0


def test_card_lying_on_the_reader_when_it_opens_is_one_tap(peer: FelicaCardPeer, collect: Collect) -> None:
    peer.present(C)
    collector = start(peer, collect)
    assert collector.next_tap().idm == C
    assert peer.wait_for_polls(5)
    assert taps_in(collector.pending()) == []


@pytest.mark.parametrize("fault", ["garbage", "short_idm", "long_idm"])
def test_bad_answers_are_reported_never_tapped_and_the_reader_keeps_working(
    peer: FelicaCardPeer, collect: Collect, fault: str
) -> None:
    collector = start(peer, collect)
    peer.fault = fault  # type: ignore[assignment]
    peer.present(A)
    status = collector.next_status()
    assert (status.kind, status.code) == ("error", "bad_card")
    assert status.detail and status.message_ja and status.message_en
    assert taps_in(collector.seen) == []
    peer.fault = None
    assert collector.next_status().code == "ok"
    assert collector.next_tap().idm == A
    assert taps_in(collector.seen) == [A]


def test_truncated_answer_is_not_a_card(peer: FelicaCardPeer, collect: Collect) -> None:
    collector = start(peer, collect)
    peer.fault = "truncated"
    peer.present(A)
    assert peer.wait_for_polls(3)
    assert taps_in(collector.pending()) == []
    peer.fault = None
    assert collector.next_tap().idm == A


def test_errors_in_a_loop_give_one_error_then_one_repeated_status_and_no_crash(
    peer: FelicaCardPeer, collect: Collect
) -> None:
    collector = start(peer, collect)
    peer.fault = "long_idm"
    peer.present(B)
    assert collector.next_status().code == "bad_card"
    assert collector.next_status().code == "read_errors_repeated"
    assert peer.wait_for_polls(2)  # more failing reads, backing off
    assert [e for e in collector.pending() if isinstance(e, ReaderStatus)] == []  # no flood
    peer.fault = None
    assert collector.next_status().code == "ok"
    assert collector.next_tap().idm == B


BLOCK = DataBlock(system_code=0xFE00, service_code=0x1A8B, block=1, offset=2, length=8)
BLOCK_DATA = bytes(range(0x30, 0x40))


def test_configured_data_block_is_read_into_the_tap(peer: FelicaCardPeer, collect: Collect) -> None:
    collector = start(peer, collect, data_block=BLOCK)
    peer.present(A, blocks={(0x1A8B, 1): BLOCK_DATA})
    tap = collector.next_tap()
    assert (tap.idm, tap.card_data) == (A, BLOCK_DATA[2:10].hex().upper())


def test_card_removed_mid_read_gives_no_tap_and_the_next_read_works(peer: FelicaCardPeer, collect: Collect) -> None:
    collector = start(peer, collect, data_block=BLOCK)
    peer.fault = "silent_on_read"  # answers polling, gone before the block read
    peer.present(A, blocks={(0x1A8B, 1): BLOCK_DATA})
    status = collector.next_status()
    assert status.code == "bad_card" and "left" in status.detail
    assert taps_in(collector.seen) == []
    peer.fault = None
    tap = collector.next_tap()
    assert tap.card_data == BLOCK_DATA[2:10].hex().upper()


@pytest.mark.parametrize(("blocks", "fault"), [({}, None), ({(0x1A8B, 1): BLOCK_DATA}, "bad_block")])
def test_refused_or_short_block_read_gives_no_tap(
    peer: FelicaCardPeer, collect: Collect, blocks: dict[tuple[int, int], bytes], fault: str | None
) -> None:
    collector = start(peer, collect, data_block=BLOCK)
    peer.fault = fault  # type: ignore[assignment]
    peer.present(A, blocks=blocks)
    assert collector.next_status().code == "bad_card"
    assert peer.wait_for_polls(2)
    assert taps_in(collector.seen + collector.pending()) == []


def test_card_of_another_system_code_is_not_seen(peer: FelicaCardPeer, collect: Collect) -> None:
    collector = start(peer, collect, data_block=BLOCK)
    peer.present(A, system_code=bytes.fromhex("0003"))
    assert peer.wait_for_polls(2)
    assert collector.pending() == []


def test_tap_time_comes_from_the_given_clock(peer: FelicaCardPeer, collect: Collect) -> None:
    from shared.clock import ManualClock

    clock = ManualClock(mono_us=42_000_000)
    collector = collect(open_reader(peer.path, clock=clock, poll_interval=0.02, reader_id="gate-1"))
    peer.present(A)
    tap = collector.next_tap()
    assert (tap.mono_us, tap.reader) == (42_000_000, "gate-1")


def test_close_from_another_thread_stops_a_reader_waiting_for_cards(peer: FelicaCardPeer) -> None:
    reader = open_reader(peer.path)
    collector = Collector(reader)
    assert peer.wait_for_polls(1)
    collector.stop()
    reader.close()  # twice is fine


def test_unknown_host_is_no_reader_and_keeps_retrying(collect: Collect) -> None:
    collector = collect(open_reader("udp:no-such-host.invalid:5", retry_interval=0.1))
    status = collector.next_status()
    assert (status.kind, status.code) == ("disconnected", "no_reader")


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_card_emulated_by_nfcpy_itself_is_tapped(collect: Collect) -> None:
    """Interoperability: the far end is nfcpy's own card emulation (listen_ttf), not our peer."""
    port = _free_udp_port()
    sensf_res = bytearray.fromhex("01" + C) + DEFAULT_PMM + bytearray.fromhex("12FC")
    card = nfc.ContactlessFrontend(f"udp:127.0.0.1:{port}")
    done = threading.Event()

    def emulate() -> None:
        try:
            card.listen(nfc.clf.LocalTarget("212F", sensf_res=sensf_res), 2.0)
        finally:
            card.close()
            done.set()

    threading.Thread(target=emulate, daemon=True).start()
    collector = collect(open_reader(f"udp:127.0.0.1:{port}", poll_interval=0.05))
    tap = collector.next_tap()
    assert (tap.idm, tap.system_code) == (C, "12FC")
    collector.stop()
    assert done.wait(10)


def test_bad_option_values_are_refused() -> None:
    with pytest.raises(ValueError):
        open_reader("udp", poll_interval=0)
    with pytest.raises(ValueError):
        DataBlock(block=300)
    with pytest.raises(ValueError):
        DataBlock(offset=10, length=8)


def test_the_card_peer_never_binds_a_port_nfcpy_cannot_open(monkeypatch: pytest.MonkeyPatch) -> None:
    """nfcpy's udp driver turns a port into its /etc/services name (57000 → ``dircproxy``) and then fails on
    ``int()``; a peer on an ephemeral port must step over named ports (a CI run once drew 57000)."""
    from hardware import emulated

    named: list[int] = []

    def first_port_is_named(host: str, port: int) -> bool:
        if not named:
            named.append(port)
            return True
        return False

    real = emulated._has_service_name
    monkeypatch.setattr(emulated, "_has_service_name", first_port_is_named)
    with FelicaCardPeer() as peer:
        assert named and peer.port != named[0]
    monkeypatch.undo()
    assert emulated._has_service_name is real
    if socket.getnameinfo(("127.0.0.1", 57000), socket.NI_NUMERICHOST)[1] == "dircproxy":  # Debian's netbase
        assert emulated._has_service_name("127.0.0.1", 57000)
        with pytest.raises(ValueError, match="dircproxy"):
            nfc.ContactlessFrontend("udp:127.0.0.1:57000")  # the nfcpy behaviour this works around
