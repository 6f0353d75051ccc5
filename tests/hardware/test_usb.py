"""Finding supported USB readers in sysfs, and telling "not plugged in" from "no permission"."""

from __future__ import annotations

from pathlib import Path

import pytest

from hardware.errors import NoPermission, NoReader
from hardware.nfcpy_backend import NfcpyDriver
from hardware.paths import parse_reader_path
from hardware.usb import find_usb_readers, matches


def plug(sysfs: Path, name: str, vendor: str, product: str, bus: int, dev: int) -> None:
    entry = sysfs / name
    entry.mkdir(parents=True)
    for key, value in (("idVendor", vendor), ("idProduct", product), ("busnum", str(bus)), ("devnum", str(dev))):
        (entry / key).write_text(value + "\n")


@pytest.fixture
def usb(tmp_path: Path) -> tuple[Path, Path]:
    sysfs, devroot = tmp_path / "sys", tmp_path / "dev"
    sysfs.mkdir()
    plug(sysfs, "1-1", "054c", "06c3", 1, 4)  # RC-S380/P
    plug(sysfs, "1-2", "054c", "0dc9", 1, 5)  # RC-S300/P
    plug(sysfs, "2-1", "046d", "c52b", 2, 2)  # a mouse
    (sysfs / "usb1").mkdir()  # a hub without ids
    node = devroot / "001" / "004"
    node.parent.mkdir(parents=True)
    node.write_bytes(b"")
    return sysfs, devroot


def test_supported_readers_are_found_with_their_backend(usb: tuple[Path, Path]) -> None:
    found = find_usb_readers(*usb)
    assert [(r.usb_id, r.model, r.backend, r.path) for r in found] == [
        ("054c:06c3", "Sony RC-S380/P", "nfcpy", "usb:001:004"),
        ("054c:0dc9", "Sony RC-S300/P", "pcsc", "pcsc"),
    ]
    assert found[0].accessible
    assert not found[1].accessible  # no device node: nobody can open it


def test_no_sysfs_means_no_readers(tmp_path: Path) -> None:
    assert find_usb_readers(tmp_path / "absent", tmp_path) == []


@pytest.mark.parametrize(
    ("target", "expected"),
    [(None, True), ("054c", True), ("054c:06c3", True), ("054C:06C1", False), ("1", True), ("001:004", True),
     ("001:005", False), ("2", False)],
)
def test_usb_path_selects_by_vendor_product_or_bus_device(usb: tuple[Path, Path], target: str | None,
                                                          expected: bool) -> None:
    rcs380 = find_usb_readers(*usb)[0]
    assert matches(rcs380, target) is expected


def test_rcs300_is_never_driven_by_nfcpy(usb: tuple[Path, Path]) -> None:
    rcs300 = find_usb_readers(*usb)[1]
    assert matches(rcs300, None) is False


def test_nothing_plugged_in_is_no_reader(tmp_path: Path) -> None:
    driver = NfcpyDriver(parse_reader_path("usb"), sysfs=tmp_path, devroot=tmp_path)
    with pytest.raises(NoReader):
        driver.open()


def test_reader_we_may_not_open_is_no_permission(usb: tuple[Path, Path]) -> None:
    sysfs, devroot = usb
    (devroot / "001" / "004").unlink()  # as root, a missing node is the one thing os.access refuses
    driver = NfcpyDriver(parse_reader_path("usb:054c:06c3"), sysfs=sysfs, devroot=devroot)
    with pytest.raises(NoPermission) as caught:
        driver.open()
    assert "RC-S380/P" in caught.value.message
