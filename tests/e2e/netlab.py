"""A small LAN of network namespaces (``ip netns`` + veth + a bridge) for tests of gates and a server.

Each host gets its own namespace with one address on 10.<n>.0.0/24; the hosts meet on a bridge in a namespace
of its own, so a link is cut by taking that host's bridge port down (a cable pulled, or the site's uplink
gone) while everything else keeps running. When namespaces cannot be made (not root, no ``ip``), the lab
falls back to loopback (every host is 127.0.0.1 and a cut link is simulated by the caller) and says why.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass, field


def _ip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30)


@dataclass
class NetLab:
    hosts: tuple[str, ...]
    tag: str = field(default_factory=lambda: secrets.token_hex(2))
    subnet: int = 77
    namespaces: bool = False
    reason: str = ""
    _made: list[str] = field(default_factory=list)

    def ns(self, host: str) -> str:
        return f"g{self.tag}{host}"

    @property
    def lan(self) -> str:
        return f"g{self.tag}lan"

    def address(self, host: str) -> str:
        if not self.namespaces:
            return "127.0.0.1"
        return self._lan_address(host)

    def _lan_address(self, host: str) -> str:
        return f"10.{self.subnet}.0.{self.hosts.index(host) + 1}"

    def prefix(self, host: str) -> list[str]:
        """The command prefix that runs a program inside ``host``'s namespace (empty on loopback)."""
        return ["ip", "netns", "exec", self.ns(host)] if self.namespaces else []

    def up(self) -> NetLab:
        if os.geteuid() != 0 or shutil.which("ip") is None:
            self.reason = "not root or no 'ip' command: network namespaces unavailable, using loopback ports"
            return self
        try:
            self._build()
            self.namespaces = True
        except RuntimeError as exc:
            self.down()
            self.reason = f"network namespaces unavailable ({exc}); using loopback ports"
        return self

    def _run(self, *args: str) -> None:
        out = _ip(*args)
        if out.returncode != 0:
            raise RuntimeError(f"ip {' '.join(args)}: {out.stderr.strip()}")

    def _build(self) -> None:
        self._run("netns", "add", self.lan)
        self._made.append(self.lan)
        # a plain hub for multicast (mDNS): no IGMP snooping, which without a querier drops some announcements
        self._run("-n", self.lan, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0")
        self._run("-n", self.lan, "link", "set", "br0", "up")
        self._run("-n", self.lan, "link", "set", "lo", "up")
        for host in self.hosts:
            ns = self.ns(host)
            self._run("netns", "add", ns)
            self._made.append(ns)
            port, inner = f"p{self.tag}{host}", f"e{self.tag}{host}"
            self._run("link", "add", port, "type", "veth", "peer", "name", inner)
            self._run("link", "set", port, "netns", self.lan)
            self._run("link", "set", inner, "netns", ns)
            self._run("-n", self.lan, "link", "set", port, "master", "br0")
            self._run("-n", self.lan, "link", "set", port, "up")
            self._run("-n", ns, "addr", "add", f"{self._lan_address(host)}/24", "dev", inner)
            self._run("-n", ns, "link", "set", inner, "up")
            self._run("-n", ns, "link", "set", "lo", "up")

    def cut(self, host: str) -> None:
        """Pull ``host``'s cable: its bridge port goes down (namespaces only)."""
        self._run("-n", self.lan, "link", "set", f"p{self.tag}{host}", "down")

    def mend(self, host: str) -> None:
        self._run("-n", self.lan, "link", "set", f"p{self.tag}{host}", "up")

    def down(self) -> None:
        for ns in reversed(self._made):
            _ip("netns", "del", ns)  # deleting a namespace removes its veth ends too
        self._made.clear()
