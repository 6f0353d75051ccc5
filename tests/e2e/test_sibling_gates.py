"""Two gates and a server on a LAN of network namespaces; the server's link cut for a (simulated) day.

Real processes throughout: ``genba server run`` (SQLite, the demo site of ``genba server seed-demo``), and at
each gate ``genba syncd`` (enrolled, exchanging with its sibling on the LAN) and ``genba kiosk --headless``
reading the simulated reader from standard input, with its tablet view. With the server unreachable:

- a worker who enters at gate A and leaves at gate B is recorded as an exit at B (B's kiosk decides it);
- a card bound at A (on A's tablet) is known at B;
- the roll call on either gate's tablet counts the whole site;
- a rogue host speaking for gate A with a copy of its key but another history (a fork) is refused and shown
  as an alarm on B's tablet (Gates view).

When the link is back, each gate uploads its own journal only, and the server's history for the day has one
row per worker, the A-entry/B-exit pair in one row, no duplicates.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest

from shared.device import load_identity
from shared.journal import EventDraft, JournalReader, JournalWriter
from shared.keys import SigningKey
from shared.paths import DataDir
from shared.siterules import DEFAULT_DAY_BOUNDARY, work_day
from shared.state import StateReader
from shared.state.siblings import sibling_alarms, sibling_event_count, sibling_keys
from shared.timefmt import JST, parse_rfc3339
from syncd.siblings import add_paired_key
from tests.e2e.netlab import NetLab

REPO = Path(__file__).parents[2]
SITE = "90000000000001"  # the demo site of `genba server seed-demo`
WORKER_1, CARD_1 = "50000000000001", "012E000000000001"
WORKER_2, CARD_2 = "50000000000002", "012E000000000002"
WORKER_3, NEW_CARD = "50000000000003", "012E0000000000F3"  # a new card, bound at gate A today
SERVER_PORT, SIBLING_PORT, TABLET_PORT = 8700, 8781, 8780
WAIT_S = 90.0
"""Upper bound for anything to happen; reached only when the test is failing (never a timing assertion)."""
T = TypeVar("T")

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="network namespaces are Linux")


def until(check: Callable[[], T], what: str, wait_s: float = WAIT_S) -> T:
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


class Lab:
    def __init__(self, root: Path, net: NetLab) -> None:
        self.root, self.net = root, net
        self.procs: list[tuple[str, subprocess.Popen[str]]] = []
        self.env = {**os.environ, "GENBA_LANG": "ja", "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)}
        self.server_dir = root / "server"
        self.server_env = {**self.env, "GENBA_DATA_DIR": str(self.server_dir)}
        self.ports = {"a": (SIBLING_PORT, TABLET_PORT), "b": (SIBLING_PORT, TABLET_PORT),
                      "r": (SIBLING_PORT, TABLET_PORT)}
        if not net.namespaces:  # loopback: every host on 127.0.0.1, so each needs ports of its own
            self.ports = {"a": (18781, 18780), "b": (18791, 18790), "r": (18801, 18800)}

    def address(self, host: str) -> str:
        port = SERVER_PORT if host == "s" else self.ports[host][0]
        return f"{self.net.address(host)}:{port}"

    def run(self, host: str | None, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        prefix = self.net.prefix(host) if host else []
        return subprocess.run([*prefix, sys.executable, "-m", *args], capture_output=True, text=True,
                              env=env or self.env, timeout=WAIT_S, cwd=REPO)

    def genba(self, host: str | None, data: Path, *args: str) -> subprocess.CompletedProcess[str]:
        done = self.run(host, "genba", "--data-dir", str(data), *args)
        assert done.returncode == 0, f"genba {' '.join(args)}: {done.stdout[-1500:]} {done.stderr[-1500:]}"
        return done

    def start(self, name: str, host: str, args: list[str], *, env: dict[str, str] | None = None,
              stdin: bool = False) -> subprocess.Popen[str]:
        log = open(self.root / f"{name}.log", "w")  # noqa: SIM115 - lives as long as the process
        proc = subprocess.Popen([*self.net.prefix(host), sys.executable, "-m", *args], cwd=REPO, env=env or self.env,
                                stdout=log, stderr=subprocess.STDOUT, text=True,
                                stdin=subprocess.PIPE if stdin else subprocess.DEVNULL)
        self.procs.append((name, proc))
        return proc

    def log(self, name: str) -> str:
        return (self.root / f"{name}.log").read_text(errors="replace")

    def stop_all(self) -> None:
        for _, proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for name, proc in reversed(self.procs):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
            if proc.stdin:
                proc.stdin.close()
            del name


@contextmanager
def lab(tmp_path: Path) -> Iterator[Lab]:
    net = NetLab(("s", "a", "b", "r")).up()
    print(f"network: {'namespaces ' + net.tag if net.namespaces else net.reason}")
    the_lab = Lab(tmp_path, net)
    try:
        yield the_lab
    finally:
        the_lab.stop_all()
        net.down()


def state_of(data: Path) -> StateReader:
    return StateReader(DataDir(data).state)


def journal_events(data: Path) -> list[Any]:
    path = DataDir(data).journal
    if not path.exists():
        return []
    try:
        with JournalReader(path) as journal:
            return [s.event for s in journal.tail(1000)]
    except sqlite3.Error:
        return []


def unsent(data: Path) -> int:
    with state_of(data) as st:
        journal = JournalReader(DataDir(data).journal)
        try:
            return st.sync_status(journal).unsent
        finally:
            journal.close()


def tap(kiosk: subprocess.Popen[str], data: Path, idm: str) -> Any:
    before = len(journal_events(data))
    assert kiosk.stdin is not None
    kiosk.stdin.write(f"tap {idm}\n")
    kiosk.stdin.flush()
    return until(lambda: (lambda ev: ev[-1] if len(ev) > before else None)(journal_events(data)), f"tap {idm}")


def tablet(the_lab: Lab, host: str, data: Path, *steps: str) -> str:
    code = the_lab.genba(None, data, "tablet", "pair-code", "--no-qr").stdout.strip().splitlines()[-1]
    url = f"http://{the_lab.net.address(host)}:{the_lab.ports[host][1]}"
    done = the_lab.run(host, "tests.e2e.tablet_probe", url, code, *steps)
    assert done.returncode == 0, done.stderr
    return done.stdout


def total_on_roll_call(page: str) -> int:
    return int(page.split('data-total="', 1)[1].split('"', 1)[0])


def test_two_gates_and_a_server_on_a_lan_with_the_server_cut_for_a_day(tmp_path: Path) -> None:
    with lab(tmp_path) as L, ExitStack():
        net = L.net
        # -- the server: the demo site (registry, roster, cards), then a real server process on the LAN
        L.server_dir.mkdir()
        seeded = L.run(None, "genba", "server", "seed-demo", env=L.server_env)
        assert seeded.returncode == 0, seeded.stderr
        L.start("server", "s", ["genba", "server", "run", "--host", net.address("s"), "--port", str(SERVER_PORT)],
                env=L.server_env)
        server_url = f"http://{L.address('s')}"

        # -- two gates: enrolled to the site, syncd (with its sibling) and a headless kiosk with a tablet view
        gates: dict[str, Path] = {}
        kiosks: dict[str, subprocess.Popen[str]] = {}
        for host, other in (("a", "b"), ("b", "a")):
            data = tmp_path / f"gate-{host}"
            data.mkdir()
            gates[host] = data
            code = L.run(None, "genba", "server", "enroll-code", "--site", SITE, env=L.server_env)
            assert code.returncode == 0, code.stderr
            until(lambda host=host, code=code, data=data: L.run(host, "genba", "--data-dir", str(data),  # type: ignore[misc]
                                                                 "device", "enroll",
                                                      "--server", server_url, "--code",
                                                      code.stdout.strip().splitlines()[-1]).returncode == 0,
                  f"gate {host} to enroll (the server starting)")
            peers = [L.address(other)] + ([L.address("r")] if host == "b" else [])
            (data / "siblings.toml").write_text(f"siblings = {json.dumps(peers)}\nport = {L.ports[host][0]}\n"
                                                "mdns = false\ninterval_s = 1\n")
        for host, data in gates.items():
            L.start(f"syncd-{host}", host, ["genba", "--data-dir", str(data), "syncd", "--verbose"])
            kiosks[host] = L.start(f"kiosk-{host}", host, ["genba", "--data-dir", str(data), "kiosk", "--headless",
                                                             "--reader", "sim:-", "--tablet-port",
                                                             str(L.ports[host][1])], stdin=True)
        a, b = gates["a"], gates["b"]
        ida, idb = load_identity(DataDir(a)), load_identity(DataDir(b))
        assert ida is not None and idb is not None
        # each gate learns the other's key from the server's site configuration, and the roster with cards
        for me, other in ((a, idb), (b, ida)):
            until(lambda me=me, other=other: (other.device, other.epoch) in sibling_keys(state_of(me)),  # type: ignore[misc]
                  "the sibling's key from the site configuration")
            until(lambda me=me: state_of(me).worker_by_idm(CARD_1) is not None, "the roster from the server")

        # -- a rogue host on the LAN speaks for gate A with a copy of A's key but another history (a fork)
        rogue = tmp_path / "rogue"
        (rogue / "keys").mkdir(parents=True, mode=0o700)
        (rogue / "device.json").write_text(json.dumps({"device": ida.device, "epoch": ida.epoch, "site": SITE}))
        key_a = SigningKey.load(DataDir(a).device_key(ida.epoch))
        key_a.save(DataDir(rogue).device_key(ida.epoch))
        with JournalWriter.open(DataDir(rogue).journal, load_identity(DataDir(rogue)), key_a) as forger:  # type: ignore[arg-type]
            for _ in range(3):
                forger.append(EventDraft(kind="tap", reader="sim", site=SITE, idm=CARD_2, direction="out"))
        b_key = SigningKey.load(DataDir(b).device_key(idb.epoch)).verifier.encode()
        add_paired_key(DataDir(rogue), device=idb.device, epoch=idb.epoch, key=b_key, site=SITE, at="2026-01-01")
        (rogue / "siblings.toml").write_text(f"port = {L.ports['r'][0]}\nmdns = false\n")

        # -- the server's link is cut: the rest of the day happens on the LAN only
        if net.namespaces:
            net.cut("s")
        else:
            print("loopback fallback: the server is stopped instead of its link being cut")
            L.procs[0][1].send_signal(signal.SIGTERM)
            L.procs[0][1].wait(timeout=30)

        entered = tap(kiosks["a"], a, CARD_1)
        assert (entered.kind, entered.direction) == ("tap", "in")
        assert tap(kiosks["a"], a, CARD_2).direction == "in"
        unknown = tap(kiosks["a"], a, NEW_CARD)
        assert unknown.direction == "in" and unknown.reason  # not yet known: journaled all the same
        tablet(L, "a", a, f"bind:{NEW_CARD}:{WORKER_3}")
        until(lambda: journal_events(a)[-1].kind == "bind", "the binding journaled by gate A's kiosk")
        until(lambda: sibling_event_count(state_of(b)) >= 4, "gate B to receive gate A's records on the LAN")

        # B: the worker who entered at A leaves at B; the card bound at A is known at B
        left = tap(kiosks["b"], b, CARD_1)
        assert (left.kind, left.direction) == ("tap", "out")
        with state_of(b) as st:
            holder = st.worker_by_idm(NEW_CARD)
        assert holder is not None and holder.worker == WORKER_3
        assert tap(kiosks["b"], b, NEW_CARD).direction == "out"  # entered at A as an unknown card, leaves at B
        until(lambda: sibling_event_count(state_of(a)) >= 2, "gate A to receive gate B's records")

        # the roll call on either gate's tablet counts the whole site: only worker 2 is inside
        for host, data in gates.items():
            def inside(host: str = host, data: Path = data) -> str | None:
                page = tablet(L, host, data, "get:/rollcall?part=list")
                return page if total_on_roll_call(page) == 1 else None
            page = until(inside, f"gate {host}'s roll call to count the whole site")
            assert "田中 拓也" in page and "加藤 亮" not in page and "吉田 勇気" not in page  # worker 2 only

        # another host on the LAN (the rogue's namespace) with no session: every page and form is refused
        url_a = f"http://{net.address('a')}:{L.ports['a'][1]}"
        stranger = L.run("r", "tests.e2e.tablet_probe", url_a, "-", "refused:GET:/rollcall", "refused:GET:/gates",
                         "refused:POST:/cards/bind", "refused:POST:/corrections/manual")
        assert stranger.returncode == 0 and stranger.stdout.count("refused ") == 4, stranger.stderr
        # the rogue sibling: B refuses its fork and shows the alarm on its tablet
        L.start("rogue", "r", ["genba", "--data-dir", str(rogue), "syncd", "--verbose"])
        alarm = until(lambda: [x for x in sibling_alarms(state_of(b)) if x.code == "sibling_forked"],
                      "gate B to refuse the rogue's fork")
        assert alarm[0].device == ida.device and alarm[0].peer == L.address("r")
        gates_page = tablet(L, "b", b, "get:/gates")
        assert "隣のゲートの警報" in gates_page and "分岐" in gates_page
        assert sibling_event_count(state_of(b)) == len(journal_events(a))  # nothing of the rogue's was taken

        # -- the server comes back: each gate uploads its own journal; one day in the history
        if net.namespaces:
            net.mend("s")
        else:
            L.start("server-again", "s", ["genba", "server", "run", "--host", net.address("s"), "--port",
                                          str(SERVER_PORT)], env=L.server_env)
        for host, data in gates.items():
            until(lambda data=data: unsent(data) == 0, f"gate {host} to upload everything")  # type: ignore[misc]
        drained = L.run(None, "genba", "server", "worker", "--once", env=L.server_env)
        assert drained.returncode == 0, drained.stderr
        # the server holds each gate's own events exactly once (nothing of a sibling uploaded as one's own)
        db = sqlite3.connect(L.server_dir / "server.db")
        try:
            for ident, data in ((ida, a), (idb, b)):
                held = db.execute("SELECT count(*), count(DISTINCT seq) FROM events WHERE device = ?",
                                  (ident.device,)).fetchone()
                assert held == (len(journal_events(data)), len(journal_events(data)))
        finally:
            db.close()
        # The month of the taps' work day (JST, from 04:00), not of this machine's calendar: from 04:00 JST on
        # the 1st until midnight in a zone behind Tokyo, the two months differ.
        today = work_day(parse_rfc3339(entered.at), DEFAULT_DAY_BOUNDARY, JST).isoformat()
        hist = L.run(None, "genba", "server", "history", "--site", SITE, "--month", today[:7], "--format", "json",
                     env=L.server_env)
        assert hist.returncode == 0, hist.stderr
        rows = json.loads(hist.stdout)
        rows = rows["rows"] if isinstance(rows, dict) else rows
        day_rows = [r for r in rows if r["work_day"] == today]
        by_worker = {r["worker"]: r for r in day_rows}
        assert len(by_worker) == len(day_rows), f"one row per worker and day: {day_rows}"
        assert set(by_worker) == {WORKER_1, WORKER_2, WORKER_3}
        w1 = by_worker[WORKER_1]
        # entered at A and left at B, in one row (the server re-times each tap from its clock samples: within ms)
        assert abs((parse_rfc3339(w1["first_entry"]) - parse_rfc3339(entered.at)).total_seconds()) < 2
        assert abs((parse_rfc3339(w1["last_exit"]) - parse_rfc3339(left.at)).total_seconds()) < 2
        assert by_worker[WORKER_2]["last_exit"] is None  # still on site: its exit is missing (退場漏れ)
        # the binding made at A reached the server's roster: B's next pull carries it in the roster's own cards
        L.genba(None, b, "syncd", "--once", "--wait", "60")
        with sqlite3.connect(DataDir(b).state) as st:
            assert st.execute("SELECT worker FROM cards WHERE idm = ?", (NEW_CARD,)).fetchall() == [(WORKER_3,)]
