"""Gates find each other with mDNS/DNS-SD (``zeroconf``): two gates in their own network namespaces on a bridge
announce ``_genba-gate._tcp`` and each finds the other's address; a gate of another site is not taken."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.netlab import NetLab

REPO = Path(__file__).parents[2]
PROBE = r'''
import sys, time
from shared.device import DeviceIdentity
from syncd.siblings import Discovery
me = DeviceIdentity(device=sys.argv[1], epoch=1, site=sys.argv[2])
d = Discovery(me, sys.argv[2], 8781)
deadline = time.monotonic() + float(sys.argv[3])
found = []
while time.monotonic() < deadline and len(found) < int(sys.argv[4]):
    found = d.addresses()
    time.sleep(0.3)
print("found", ",".join(found), flush=True)
time.sleep(float(sys.argv[3]) - 25)  # stay announced while the others look
d.close()
'''


def test_gates_of_one_site_find_each_other_with_mdns() -> None:
    net = NetLab(("a", "b", "c")).up()
    if not net.namespaces:
        pytest.skip(f"mDNS needs separate hosts: {net.reason}")
    try:
        gates = {"a": ("kiosk-aaaaaaaaaaaa", "12345678901234"), "b": ("kiosk-bbbbbbbbbbbb", "12345678901234"),
                 "c": ("kiosk-cccccccccccc", "99999999999999")}
        want = {"a": 1, "b": 1, "c": 1}  # c (another site) looks until the deadline and must find nobody
        procs = {h: subprocess.Popen([*net.prefix(h), sys.executable, "-c", PROBE, dev, site, "30",
                                      str(want[h])], cwd=REPO,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                 for h, (dev, site) in gates.items()}
        found = {}
        for h, p in procs.items():
            out = p.communicate(timeout=90)[0]
            line = [x for x in out.splitlines() if x.startswith("found")]
            assert line, out[-2000:]
            found[h] = set(filter(None, line[-1].split(" ", 1)[1].split(",")))
        assert found["a"] == {f"{net.address('b')}:8781"}  # not c: another site
        assert found["b"] == {f"{net.address('a')}:8781"}
        assert found["c"] == set()
    finally:
        net.down()
