"""Writing small files so that a crash or a pulled USB stick leaves the old file or the new one, never half."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` via a fsynced temporary file and a rename, then fsync the directory.

    Returns False, writing nothing, when the file already holds exactly these bytes.
    """
    if path.exists() and path.read_bytes() == data:
        return False
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return True


def stamps(paths: Iterable[Path]) -> tuple[tuple[int, int], ...]:
    """(mtime ns, size) of each file, (0, 0) for a missing one: cheap "has any of these changed?" polling."""
    out = []
    for p in paths:
        try:
            st = p.stat()
            out.append((st.st_mtime_ns, st.st_size))
        except FileNotFoundError:
            out.append((0, 0))
    return tuple(out)
