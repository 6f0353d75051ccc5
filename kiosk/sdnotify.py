"""systemd's notify protocol, the few lines of it the kiosk needs (no dependency).

Under a unit with ``Type=notify`` and ``WatchdogSec=``, systemd passes
``$NOTIFY_SOCKET`` (a unix datagram socket; a leading ``@`` means the abstract
namespace) and ``$WATCHDOG_USEC``. The kiosk sends ``READY=1`` once its
window is up and then ``WATCHDOG=1`` from a timer on the Qt event loop, so a
hung screen stops the messages and systemd restarts it (``Restart=on-failure``).
Outside systemd every call does nothing. Sending never raises: a watchdog
that cannot be fed is systemd's to notice, not a reason to stop recording taps.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger(__name__)


class Notifier:
    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        path = env.get("NOTIFY_SOCKET", "")
        self.address: str | None = None
        if path.startswith("@"):
            self.address = "\0" + path[1:]
        elif path.startswith("/"):
            self.address = path
        self.watchdog_s: float | None = None
        """How often systemd expects ``WATCHDOG=1`` at the latest; None when no watchdog is set for us."""
        usec, pid = env.get("WATCHDOG_USEC", ""), env.get("WATCHDOG_PID", "")
        if usec.isdigit() and int(usec) > 0 and (not pid or pid == str(os.getpid())):
            self.watchdog_s = int(usec) / 1_000_000
        self._sock: socket.socket | None = None

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def send(self, *fields: str) -> bool:
        """Send ``KEY=value`` lines in one datagram; False when not under systemd or the send failed."""
        if self.address is None:
            return False
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._sock.sendto("\n".join(fields).encode(), self.address)
        except OSError as exc:
            log.warning("cannot notify systemd at %r: %s", self.address, exc)
            return False
        return True

    def ready(self, status: str = "") -> bool:
        return self.send("READY=1", *([f"STATUS={status}"] if status else []))

    def watchdog(self) -> bool:
        return self.send("WATCHDOG=1")

    def stopping(self) -> bool:
        return self.send("STOPPING=1")

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
