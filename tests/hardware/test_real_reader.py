"""Acceptance tests on a site machine with a real reader and a real card (``-m hardware``; skipped by default).

Interactive: they ask a person to tap, hold, and unplug. Run with ``-s`` so
the prompts show; see docs/hardware-tests.md. Settings (environment):

* ``GENBA_TEST_READER``: the reader path (default ``auto``);
* ``GENBA_TEST_IDM``: the IDm of the test card, if known (16 hex digits);
* ``GENBA_TEST_WAIT``: seconds to wait for each action (default 30);
* ``GENBA_TEST_SERVICE_CODE`` / ``GENBA_TEST_BLOCK`` / ``GENBA_TEST_SYSTEM_CODE``: a FeliCa service
  (hex), block number and system code (hex, default FFFF) to read as the data-block option; the
  data-block test is skipped unless a service code is given.
"""

from __future__ import annotations

import os
import queue
from collections.abc import Callable, Iterator

import pytest

from hardware import DataBlock, open_reader
from hardware.base import ReaderStatus, Tap
from shared.ids import check_idm, normalize_idm
from tests.hardware.conftest import Collector

pytestmark = pytest.mark.hardware

READER = os.environ.get("GENBA_TEST_READER", "auto")
WAIT = float(os.environ.get("GENBA_TEST_WAIT", "30"))


@pytest.fixture
def say(pytestconfig: pytest.Config) -> Callable[[str], None]:
    capture = pytestconfig.pluginmanager.getplugin("capturemanager")

    def prompt(text: str) -> None:
        if capture is not None:
            with capture.global_and_fixture_disabled():
                print(f"\n>>> {text}", flush=True)
        else:
            print(f"\n>>> {text}", flush=True)

    return prompt


@pytest.fixture
def reader() -> Iterator[Collector]:
    collector = Collector(open_reader(READER))
    yield collector
    collector.stop()


def ready(reader: Collector) -> ReaderStatus:
    status = reader.until(lambda e: isinstance(e, ReaderStatus) and e.code == "ok", timeout=WAIT)
    assert isinstance(status, ReaderStatus)
    return status


def no_tap_for(reader: Collector, seconds: float) -> None:
    try:
        event = reader.until(lambda e: isinstance(e, Tap), timeout=seconds)
    except queue.Empty:
        return
    pytest.fail(f"unexpected second tap {event}")


def test_reader_opens_and_a_tap_gives_the_cards_idm(reader: Collector, say: Callable[[str], None]) -> None:
    status = ready(reader)
    say(f"Reader ready ({status.reader}). Touch the test card and take it away. / カードをかざしてください")
    tap = reader.until(lambda e: isinstance(e, Tap), timeout=WAIT)
    assert isinstance(tap, Tap)
    assert check_idm(tap.idm) == tap.idm
    expected = os.environ.get("GENBA_TEST_IDM")
    if expected:
        assert tap.idm == normalize_idm(expected)
    say(f"Read {tap.idm} (PMm {tap.pmm}, system {tap.system_code}).")


def test_card_held_for_five_seconds_is_one_tap(reader: Collector, say: Callable[[str], None]) -> None:
    ready(reader)
    say("Lay the card on the reader and LEAVE it there for 5 seconds. / カードを置いたままにしてください")
    reader.until(lambda e: isinstance(e, Tap), timeout=WAIT)
    no_tap_for(reader, 5)
    say("Now take the card away, then touch it again. / 離して、もう一度かざしてください")
    assert isinstance(reader.until(lambda e: isinstance(e, Tap), timeout=WAIT), Tap)


def test_unplug_is_reported_and_replug_recovers_without_restart(reader: Collector, say: Callable[[str], None]) -> None:
    ready(reader)
    say("UNPLUG the reader's USB cable now. / USBケーブルを抜いてください")
    gone = reader.until(lambda e: isinstance(e, ReaderStatus) and e.kind == "disconnected", timeout=WAIT)
    assert isinstance(gone, ReaderStatus)
    say(f"Reported: {gone.code} — {gone.message_en}. Now PLUG it back in. / 差し直してください")
    ready(reader)
    say("Touch the card once more. / もう一度かざしてください")
    assert isinstance(reader.until(lambda e: isinstance(e, Tap), timeout=WAIT), Tap)


def test_probe_lists_the_reader(say: Callable[[str], None]) -> None:
    from genba.cli.reader import probe_report

    report = probe_report()
    say(f"probe: {report}")
    assert report["auto"] is not None, "no usable reader found: see docs/readers.md"


def test_configured_data_block_is_read_from_the_real_card(say: Callable[[str], None]) -> None:
    service = os.environ.get("GENBA_TEST_SERVICE_CODE")
    if not service:
        pytest.skip("set GENBA_TEST_SERVICE_CODE (hex) to test the data-block option on this card")
    block = DataBlock(system_code=int(os.environ.get("GENBA_TEST_SYSTEM_CODE", "FFFF"), 16),
                      service_code=int(service, 16), block=int(os.environ.get("GENBA_TEST_BLOCK", "0")))
    collector = Collector(open_reader(READER, data_block=block))
    try:
        ready(collector)
        say(f"Touch the card: reading service {block.service_code:04X} block {block.block}. / カードをかざしてください")
        tap = collector.until(lambda e: isinstance(e, Tap), timeout=WAIT)
        assert isinstance(tap, Tap) and tap.card_data is not None and len(tap.card_data) == 32
        say(f"Block data: {tap.card_data}")
    finally:
        collector.stop()
