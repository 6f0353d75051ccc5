"""Finding the USB drive for "export to USB" from /proc/mounts text, and the commands the kiosk runs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kiosk import commands
from kiosk.usb import export_folder, find_drives

MOUNTS = """\
/dev/mmcblk0p2 / ext4 rw,noatime 0 0
/dev/mmcblk0p1 /boot/firmware vfat rw,relatime 0 0
proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0
/dev/sda1 /media/pi/SITE\\040STICK vfat rw,nosuid,nodev,relatime,uid=1000 0 0
/dev/sdb1 /media/pi/READONLY exfat ro,nosuid,nodev 0 0
/dev/sdc1 /run/media/kiosk/BACKUP ext4 rw,nosuid 0 0
tmpfs /media tmpfs rw 0 0
"""


def test_drives_under_the_automount_roots_are_found_with_spaces_unescaped() -> None:
    drives = find_drives(MOUNTS, ("/media", "/run/media"))
    assert [(str(d.path), d.fstype, d.writable) for d in drives] == [
        ("/media/pi/READONLY", "exfat", False),
        ("/media/pi/SITE STICK", "vfat", True),
        ("/run/media/kiosk/BACKUP", "ext4", True),
    ]


def test_the_system_disk_boot_partition_and_the_root_itself_are_not_drives() -> None:
    assert find_drives(MOUNTS, ("/mnt",)) == []
    assert all(str(d.path) != "/media" for d in find_drives(MOUNTS, ("/media",)))


def test_genba_usb_roots_overrides_the_roots(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GENBA_USB_ROOTS", "/run/media")
    assert [str(d.path) for d in find_drives(MOUNTS)] == ["/run/media/kiosk/BACKUP"]


def test_commands_run_this_python_and_the_documented_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GENBA_CLI", raising=False)
    root = Path("/data")
    assert commands.sync_now(root) == [sys.executable, "-m", "genba", "--data-dir", "/data", "syncd", "--once"]
    assert commands.export_to(root, export_folder(Path("/media/pi/S"))) == [
        sys.executable, "-m", "genba", "--data-dir", "/data", "export", "--to", "/media/pi/S/genba-export"]
    monkeypatch.setenv("GENBA_CLI", "/opt/genba/bin/genba")
    assert commands.sync_now(root)[:3] == ["/opt/genba/bin/genba", "--data-dir", "/data"]
    assert commands.last_line("working…\n\nExported 3 files.\n") == "Exported 3 files."
