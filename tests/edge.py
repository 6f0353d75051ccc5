"""Edge fixtures shared by the test packages: a data directory, a manual clock, a device and its journal writer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.clock import ManualClock
from shared.device import DeviceIdentity, load_or_create_identity
from shared.journal import JournalWriter
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
