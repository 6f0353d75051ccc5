"""The site manager's tablet view, served on the site LAN by the kiosk process (see docs/tablet.md).

No Qt here (import-linter): the Qt side hands in a :class:`Runner` that runs
manager actions on the kiosk's thread.
"""

from kiosk.web.access import Access, PairingCode, Session
from kiosk.web.actions import KioskActions, QueueRunner, Runner
from kiosk.web.server import DEFAULT_PORT, TabletOptions, TabletServer, lan_addresses, start_tablet

__all__ = [
    "DEFAULT_PORT",
    "Access",
    "KioskActions",
    "PairingCode",
    "QueueRunner",
    "Runner",
    "Session",
    "TabletOptions",
    "TabletServer",
    "lan_addresses",
    "start_tablet",
]
