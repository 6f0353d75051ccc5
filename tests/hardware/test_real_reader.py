"""Acceptance tests on a site machine with a real reader and a real card (``-m hardware``; skipped by default).

Interactive: they ask a person to tap, hold, and unplug. Run with ``-s`` so
the prompts show; see docs/hardware-tests.md. Settings (environment):

* ``GENBA_TEST_READER``: the reader path (default ``auto``);
* ``GENBA_TEST_IDM``: the IDm of the test card, if known (16 hex digits);
* ``GENBA_TEST_WAIT``: seconds to wait for each action (default 30).
"""

from __future__ import annotations

import os
import queue
from collections.abc import Callable, Iterator

import pytest

from hardware import open_reader
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
