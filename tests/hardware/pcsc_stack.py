"""A private pcscd with Debian's virtual reader (vsmartcard-vpcd), started and stopped by the tests.

The test pcscd must not disturb (or be disturbed by) a system pcscd, and the
tests must be able to stop and restart it. pcscd 1.9 always serves
``/run/pcscd/pcscd.comm``, so when the machine allows it (root, as in CI) the
daemon runs in its own mount namespace with a temporary directory bound over
``/run/pcscd``; the client library is pointed at that directory's socket with
``PCSCLITE_CSOCK_NAME``. Without namespaces, and with no system pcscd
running, it serves the standard path directly.

libpcsclite reads ``PCSCLITE_CSOCK_NAME`` once per process, so the socket
path is fixed when this module is imported, before any PC/SC call.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
SYSTEM_SOCKET = Path("/run/pcscd/pcscd.comm")

BASE = Path(tempfile.mkdtemp(prefix="genba-pcscd-"))
atexit.register(shutil.rmtree, BASE, ignore_errors=True)
RUN = BASE / "run"
CONF = BASE / "reader.conf.d"
SOCKET = RUN / "pcscd.comm"
RUN.mkdir()
CONF.mkdir()
os.environ["PCSCLITE_CSOCK_NAME"] = str(SOCKET)


def missing_tools() -> str | None:
    """Why the PC/SC stack cannot run here, or None."""
    if shutil.which("pcscd") is None and not Path("/usr/sbin/pcscd").exists():
        return "pcscd is not installed (apt install pcscd; dev.sh does)"
    if not VPCD_DRIVER.exists():
        return "vsmartcard-vpcd is not installed (apt install vsmartcard-vpcd; dev.sh does)"
    return None


def _socket_alive(path: Path) -> bool:
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(str(path))
        return True
    except OSError:
        return False
    finally:
        probe.close()


def _free_port_pair() -> int:
    for _ in range(50):
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = int(first.getsockname()[1])
        if port < 65535:
            with socket.socket() as second:
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
            return port
    raise RuntimeError("no two free consecutive TCP ports")


class PcscStack:
    """pcscd + vpcd: :meth:`start`, :meth:`stop`, and the TCP port where a virtual card connects."""

    reader = "Virtual PCD 00 00"

    def __init__(self) -> None:
        self.port = _free_port_pair()
        (CONF / "vpcd").write_text(
            'FRIENDLYNAME "Virtual PCD"\n'
            f"DEVICENAME   /dev/null:0x{self.port:04X}\n"
            f"LIBPATH      {VPCD_DRIVER}\n"
            f"CHANNELID    0x{self.port:04X}\n"
        )
        self.namespaced = subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode == 0
        self.process: subprocess.Popen[bytes] | None = None
        self.log = BASE / "pcscd.log"

    def why_not(self) -> str | None:
        reason = missing_tools()
        if reason is None and not self.namespaced:
            if _socket_alive(SYSTEM_SOCKET):
                reason = "a system pcscd is running and this machine gives no private mount namespace (run as root)"
            elif not os.access(SYSTEM_SOCKET.parent if SYSTEM_SOCKET.parent.exists() else Path("/run"), os.W_OK):
                reason = "a private pcscd needs root here (it must serve /run/pcscd); CI runs as root"
        return reason

    def start(self) -> None:
        if self.running:
            return
        pcscd = shutil.which("pcscd") or "/usr/sbin/pcscd"
        if self.namespaced:
            script = f'mkdir -p /run/pcscd && mount --bind "{RUN}" /run/pcscd && exec "{pcscd}" -f -c "{CONF}"'
            command = ["unshare", "-m", "sh", "-c", script]
        else:
            if SOCKET.is_symlink() or SOCKET.exists():
                SOCKET.unlink()
            SOCKET.symlink_to(SYSTEM_SOCKET)
            command = [pcscd, "-f", "-c", str(CONF)]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        self._wait_ready()

    def _wait_ready(self) -> None:
        from smartcard.System import readers

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"pcscd exited with {self.process.returncode}: {self.log.read_text()[-2000:]}")
            if _socket_alive(SOCKET):
                try:
                    if self.reader in [str(r) for r in readers()]:
                        return
                except Exception:  # not ready yet
                    pass
            time.sleep(0.05)
        raise RuntimeError(f"pcscd did not come up: {self.log.read_text()[-2000:]}")

    def wait_for_card(self, present: bool, timeout: float = 10.0) -> None:
        """Block until pcscd itself reports the first slot with (or without) a card.

        pcscd notices a virtual card coming or going on its next presence
        poll; a test that takes a card away and lays another one down must
        wait for that, as a person's hand would take longer anyway.
        """
        from smartcard import scard

        hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        assert hresult == scard.SCARD_S_SUCCESS, hresult
        try:
            state = scard.SCARD_STATE_UNAWARE
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                hresult, states = scard.SCardGetStatusChange(context, 200, [(self.reader, state)])
                if hresult == scard.SCARD_S_SUCCESS:
                    state = states[0][1] & ~scard.SCARD_STATE_CHANGED
                    if bool(state & scard.SCARD_STATE_PRESENT) == present:
                        return
            raise AssertionError(f"pcscd never reported the card {'present' if present else 'removed'}")
        finally:
            scard.SCardReleaseContext(context)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        """Stop pcscd as ``systemctl stop pcscd`` would (SIGTERM), waiting until it is gone."""
        process, self.process = self.process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
