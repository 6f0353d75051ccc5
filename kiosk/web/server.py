"""Serving the tablet view from the kiosk process: the standard library's WSGI server in daemon threads.

On by default on :data:`DEFAULT_PORT` of every interface (the tablet is on the
site's Wi-Fi); ``genba kiosk --no-tablet`` (or ``GENBA_TABLET_PORT=0``) turns it
off. A port that cannot be opened is logged and the kiosk goes on recording
taps: the tablet view is a convenience, the gate is not.
"""

from __future__ import annotations

import logging
import socket
import socketserver
import threading
from dataclasses import dataclass
from datetime import time
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from kiosk.web.actions import KioskActions, Runner
from kiosk.web.app import TabletApp
from kiosk.web.siteday import DEFAULT_END_OF_DAY
from shared.clock import Clock
from shared.paths import DataDir

log = logging.getLogger("genba.tablet")

DEFAULT_PORT = 8780
REQUEST_TIMEOUT_S = 30


@dataclass(frozen=True, slots=True)
class TabletOptions:
    port: int = DEFAULT_PORT
    """0 turns the tablet view off."""
    host: str = "0.0.0.0"
    end_of_day: time = DEFAULT_END_OF_DAY

    @property
    def enabled(self) -> bool:
        return self.port != 0


class _Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 16


class _Handler(WSGIRequestHandler):
    timeout = REQUEST_TIMEOUT_S

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s %s", self.address_string(), format % args)


class TabletServer:
    """The tablet view's HTTP server. ``start`` binds the port (raising OSError) and serves in a thread."""

    def __init__(self, data: DataDir, clock: Clock, run: Runner, actions: KioskActions | None,
                 options: TabletOptions) -> None:
        self.options = options
        self.app = TabletApp(data, clock, run, actions, end_of_day=options.end_of_day, port=options.port)
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        assert self._httpd is not None
        return int(self._httpd.server_address[1])

    def start(self) -> TabletServer:
        self._httpd = _Server((self.options.host, self.options.port), _Handler)
        self._httpd.set_app(self.app)
        self.app.port = self.port
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.5},
                                        name="tablet-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.app.close()

    def urls(self) -> list[str]:
        """Where a tablet on the LAN reaches this view (the kiosk's addresses), for the pairing screen."""
        return [f"http://{ip}:{self.port}/" for ip in lan_addresses()]


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses a tablet could reach, best guess first; loopback only when alone."""
    found: list[str] = []
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET: no packet is sent, the kernel only picks a route
            found.append(probe.getsockname()[0])
    except OSError:
        pass
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            ip = str(info[4][0])
            if ip not in found and not ip.startswith("127."):
                found.append(ip)
    except OSError:
        pass
    return found or ["127.0.0.1"]


def start_tablet(data: DataDir, clock: Clock, run: Runner, actions: KioskActions | None,
                 options: TabletOptions) -> TabletServer | None:
    """Start the tablet view unless it is off; log and carry on without it if the port is taken."""
    if not options.enabled:
        log.info("tablet view off")
        return None
    server = TabletServer(data, clock, run, actions, options)
    try:
        server.start()
    except OSError as exc:
        server.app.close()
        log.error("tablet view not started: port %d: %s", options.port, exc)
        return None
    log.info("tablet view on port %d: %s", server.port, " ".join(server.urls()))
    return server
