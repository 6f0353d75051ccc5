"""A FUSE filesystem that loses what was never fsynced, for power-cut tests (run as its own process).

    python -m tests.faults.cutfs BACKING MOUNT SNAPSHOTS

Everything under MOUNT is BACKING, except that **file data written through the mount reaches BACKING only when
the file is fsynced** (fsync or fdatasync): until then it lives in this process's memory, where reads through
the mount see it, exactly as a kernel page cache would. So BACKING always holds precisely what a power cut at
that instant would leave on disk. Metadata (create, unlink, rename, truncate of a file's recorded size) is
applied at once, like a journaling filesystem's metadata — the harsher case for data, since a file can exist
with its data missing.

Writing ``snap NAME`` to ``MOUNT/.cutfs-control`` copies BACKING to ``SNAPSHOTS/NAME`` atomically with respect
to fsyncs (under the same lock), and returns only when the copy is complete: a power cut at that instant,
preserved for checking while the writer carries on. Writing ``cut`` drops all unsynced data (the writer must
be dead by then: its view of the files goes with it).
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mfusepy

PAGE = 4096
CONTROL = "/.cutfs-control"


@dataclass
class Pending:
    data: bytearray
    dirty: set[int] = field(default_factory=set)
    resized: bool = False


class CutFS(mfusepy.Operations):  # type: ignore[misc]
    use_ns = True

    def __init__(self, backing: Path, snapshots: Path) -> None:
        self.backing, self.snapshots = backing, snapshots
        self._mutex = threading.RLock()
        self.pending: dict[str, Pending] = {}
        self.snaps = 0

    def _real(self, path: str) -> str:
        return str(self.backing / path.lstrip("/"))

    def _view(self, path: str) -> Pending:
        p = self.pending.get(path)
        if p is None:
            try:
                with open(self._real(path), "rb") as fh:
                    p = Pending(bytearray(fh.read()))
            except FileNotFoundError:
                raise mfusepy.FuseOSError(errno.ENOENT) from None
            self.pending[path] = p
        return p

    # -- metadata (applied at once) ---------------------------------------------------------------
    def getattr(self, path: str, fh: int | None = None) -> dict[str, Any]:
        if path == CONTROL:
            return {"st_mode": stat.S_IFREG | 0o600, "st_nlink": 1, "st_size": 0}
        with self._mutex:
            try:
                st = os.lstat(self._real(path))
            except FileNotFoundError:
                raise mfusepy.FuseOSError(errno.ENOENT) from None
            attrs = {k: getattr(st, k) for k in ("st_mode", "st_nlink", "st_uid", "st_gid", "st_size",
                                                 "st_atime_ns", "st_mtime_ns", "st_ctime_ns")}
            attrs["st_atime"], attrs["st_mtime"], attrs["st_ctime"] = (
                attrs.pop("st_atime_ns"), attrs.pop("st_mtime_ns"), attrs.pop("st_ctime_ns"))
            if path in self.pending:
                attrs["st_size"] = len(self.pending[path].data)
            return attrs

    def readdir(self, path: str, fh: int) -> list[str]:
        return [".", "..", *os.listdir(self._real(path))]

    def access(self, path: str, amode: int) -> int:
        return 0

    def chmod(self, path: str, mode: int) -> int:
        os.chmod(self._real(path), mode)
        return 0

    def chown(self, path: str, uid: int, gid: int) -> int:
        os.chown(self._real(path), uid, gid)
        return 0

    def utimens(self, path: str, times: Any = None) -> int:
        return 0

    def mkdir(self, path: str, mode: int) -> int:
        os.mkdir(self._real(path), mode)
        return 0

    def rmdir(self, path: str) -> int:
        os.rmdir(self._real(path))
        return 0

    def unlink(self, path: str) -> int:
        with self._mutex:
            os.unlink(self._real(path))
            self.pending.pop(path, None)
        return 0

    def rename(self, old: str, new: str) -> int:
        with self._mutex:
            os.rename(self._real(old), self._real(new))
            if old in self.pending:
                self.pending[new] = self.pending.pop(old)
            else:
                self.pending.pop(new, None)
        return 0

    def statfs(self, path: str) -> dict[str, int]:
        sv = os.statvfs(self._real(path))
        return {k: getattr(sv, k) for k in ("f_bavail", "f_bfree", "f_blocks", "f_bsize", "f_favail",
                                            "f_ffree", "f_files", "f_flag", "f_frsize", "f_namemax")}

    # -- files ----------------------------------------------------------------------------------
    def create(self, path: str, mode: int, fi: Any = None) -> int:
        with self._mutex:
            fd = os.open(self._real(path), os.O_WRONLY | os.O_CREAT, mode)
            os.close(fd)
            self.pending.pop(path, None)
        return 0

    def open(self, path: str, flags: int) -> int:
        if path != CONTROL and not os.path.exists(self._real(path)):
            raise mfusepy.FuseOSError(errno.ENOENT)
        return 0

    def read(self, path: str, size: int, offset: int, fh: int) -> bytes:
        with self._mutex:
            return bytes(self._view(path).data[offset:offset + size])

    def write(self, path: str, data: bytes, offset: int, fh: int) -> int:
        if path == CONTROL:
            self._control(data.decode().strip())
            return len(data)
        with self._mutex:
            view = self._view(path)
            end = offset + len(data)
            if end > len(view.data):
                view.data.extend(b"\0" * (end - len(view.data)))
                view.resized = True
            view.data[offset:end] = data
            view.dirty.update(range(offset // PAGE, (end - 1) // PAGE + 1))
        return len(data)

    def truncate(self, path: str, length: int, fh: int | None = None) -> int:
        with self._mutex:
            view = self._view(path)
            if length < len(view.data):
                del view.data[length:]
            else:
                view.data.extend(b"\0" * (length - len(view.data)))
            view.resized = True
        return 0

    def fsync(self, path: str, datasync: int, fh: int) -> int:
        with self._mutex:
            view = self.pending.get(path)
            if view is None or not (view.dirty or view.resized):
                return 0
            fd = os.open(self._real(path), os.O_WRONLY)
            try:
                for page in sorted(view.dirty):
                    os.pwrite(fd, bytes(view.data[page * PAGE:(page + 1) * PAGE]), page * PAGE)
                os.ftruncate(fd, len(view.data))
                os.fsync(fd)
            finally:
                os.close(fd)
            view.dirty.clear()
            view.resized = False
        return 0

    def fsyncdir(self, path: str, datasync: int, fh: int) -> int:
        return 0

    def flush(self, path: str, fh: int) -> int:
        return 0

    def release(self, path: str, fh: int) -> int:
        return 0

    # -- control ----------------------------------------------------------------------------------
    def _control(self, command: str) -> None:
        with self._mutex:
            if command.startswith("snap "):
                target = self.snapshots / command[5:]
                shutil.copytree(self.backing, target)
            elif command == "cut":
                self.pending.clear()
            else:
                raise mfusepy.FuseOSError(errno.EINVAL)


def main() -> None:
    backing, mount, snapshots = (Path(a) for a in sys.argv[1:4])
    mfusepy.FUSE(CutFS(backing, snapshots), str(mount), foreground=True, nothreads=True)


if __name__ == "__main__":
    main()
