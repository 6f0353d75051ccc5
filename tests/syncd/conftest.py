from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.clock import ManualClock
from shared.device import DeviceIdentity, load_or_create_identity
from shared.journal import EventDraft, JournalWriter
from shared.keys import SigningKey
from shared.paths import DataDir

SITE = "12345678901234"


@pytest.fixture
def data(tmp_path: Path) -> DataDir:
    return DataDir.resolve(tmp_path / "genba").ensure()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def device(data: DataDir) -> tuple[DeviceIdentity, SigningKey]:
    return load_or_create_identity(data, site=SITE)


@pytest.fixture
def writer(data: DataDir, device: tuple[DeviceIdentity, SigningKey], clock: ManualClock) -> Iterator[JournalWriter]:
    identity, key = device
    w = JournalWriter.open(data.journal, identity, key, clock=clock, app_version="0.1.0")
    yield w
    w.close()


def tap(writer: JournalWriter, n: int = 1, *, idm: str = "012E000000000001", step_s: float = 60) -> None:
    """Append ``n`` taps, moving the manual clock ``step_s`` seconds before each."""
    for _ in range(n):
        clock = writer.clock
        if isinstance(clock, ManualClock):
            clock.advance(step_s)
        writer.append(EventDraft(kind="tap", reader="sim", site=SITE, idm=idm, direction="in"))
