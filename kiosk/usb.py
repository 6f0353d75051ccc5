"""Finding the USB drive a site manager plugged in, for "export unsent batches to USB".

The kiosk may import only ``shared`` and ``hardware``, so the export itself is
syncd's: the kiosk runs ``genba export --to DIR`` as a subprocess (see
:mod:`kiosk.commands`). This module only answers "where is the stick?":
mount points under the usual automount roots, read from /proc/mounts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

AUTOMOUNT_ROOTS = ("/media", "/run/media", "/mnt")
ENV_USB_ROOTS = "GENBA_USB_ROOTS"
"""Colon-separated directories whose mounted sub-directories count as removable drives."""

_REMOVABLE_FS = {"vfat", "exfat", "ntfs", "ntfs3", "fuseblk", "ext4", "ext3", "ext2", "btrfs", "xfs", "tmpfs"}


@dataclass(frozen=True, slots=True)
class Drive:
    path: Path
    fstype: str
    writable: bool


def usb_roots() -> tuple[str, ...]:
    env = os.environ.get(ENV_USB_ROOTS)
    if env:
        return tuple(p for p in env.split(":") if p)
    return AUTOMOUNT_ROOTS


def _unescape(field: str) -> str:
    return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\")


def find_drives(mounts_text: str, roots: tuple[str, ...] | None = None) -> list[Drive]:
    """Mounted drives under the automount roots, from the text of /proc/mounts."""
    roots = roots or usb_roots()
    out: list[Drive] = []
    for line in mounts_text.splitlines():
        parts = line.split()
        if len(parts) < 4:
            continue
        where, fstype, options = _unescape(parts[1]), parts[2], parts[3].split(",")
        if fstype not in _REMOVABLE_FS:
            continue
        if not any(where != r and where.startswith(r.rstrip("/") + "/") for r in roots):
            continue
        out.append(Drive(Path(where), fstype, "rw" in options))
    return sorted(out, key=lambda d: str(d.path))


def mounted_drives() -> list[Drive]:
    try:
        text = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return find_drives(text)


def export_folder(drive: Path) -> Path:
    """Where on the drive exports go (``genba export`` names each file by device, epoch and seq range,
    so repeated exports never overwrite each other)."""
    return drive / "genba-export"
