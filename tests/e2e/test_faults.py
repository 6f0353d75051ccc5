"""Fault injection: whatever the network does, zero lost, zero duplicated, receipts only move forward.

Faults (``harness.FaultyTransport``): request lost, response lost after the
server committed, duplicated request, delayed request arriving after the next
one (reordering), 5xx, timeout, garbage answer; plus syncd "killed" mid-batch
(an exception that skips every clean-up) and restarted. A hypothesis state
machine explores sequences; a seeded soak pushes thousands of faults through.

Invariants after every step:
- the server holds seqs 1..k gapless, byte-identical to the journal, chain verified;
- the device's acknowledged-through never exceeds what the server holds, and never goes back;
- after faults stop, one clean cycle leaves nothing unsent.
"""

from __future__ import annotations

import random
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, suppress
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from shared.state import StateReader

from .harness import FAULTS, Device, FaultyTransport, HeldCheck, Site, enrolled_device, running_site

pytestmark = pytest.mark.slow  # thousands of random faults against a live server (minutes) (docs: fast local run)

FAST_DIR = "/dev/shm" if Path("/dev/shm").is_dir() else None
"""tmpfs when there is one: real SQLite files, but fsync costs nothing, so thousands of faults fit in CI."""


@pytest.fixture
def fast_tmp() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(dir=FAST_DIR) as d:
        yield Path(d)


class Killed(BaseException):
    """syncd's process dies: no except clause runs, no clean-up, nothing after this point."""


class KillAfterForward(httpx.BaseTransport):
    """Lets the request reach the server, then kills syncd before it sees the answer."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.inner.handle_request(request)
        raise Killed()


class World:
    """One server, one device, and what the device has claimed so far."""

    def __init__(self, site: Site, device: Device) -> None:
        self.site, self.device = site, device
        self.acked_seen = 0
        self.faults = 0
        self.kinds: Counter[str] = Counter()
        self.held = HeldCheck(site, device)

    def acked(self) -> int:
        with StateReader(self.device.data.state) as state:
            a = state.acked_through(1)
            return a.seq if a else 0

    def check(self) -> int:
        held = self.held()
        acked = self.acked()
        assert acked <= held, f"device believes {acked} are safe, server holds {held}"
        assert acked >= self.acked_seen, "acknowledged-through went backwards"
        self.acked_seen = acked
        return held

    def sync(self, plan: Callable[[httpx.Request], str], *, max_events: int = 5) -> None:
        transport = FaultyTransport(self.site.transport, plan)
        with self.device.syncd(transport, max_events=max_events) as engine:
            engine.run_once()
        kinds = [line.rsplit(" ", 1)[1] for line in transport.log]
        self.kinds.update(kinds)
        self.faults += sum(1 for k in kinds if k != "ok")

    def kill_mid_batch(self) -> None:
        stack = ExitStack()
        engine = stack.enter_context(self.device.syncd(KillAfterForward(self.site.transport), max_events=5))
        with suppress(Killed):
            engine.run_once()
        # the dead process's files close when the kernel reaps it: same here, without any syncd clean-up
        engine.state.close()
        engine.close()
        self.faults += 1
        self.kinds["killed"] += 1

    def heal(self) -> None:
        self.sync(lambda _r: "ok", max_events=50)
        with StateReader(self.device.data.state) as state:
            assert state.sync_status(self.device.writer).unsent == 0
        last, _ = self.device.writer.last(1)
        assert self.check() == last


def faulty(rng: random.Random, rate: float) -> Callable[[httpx.Request], str]:
    kinds = FAULTS[1:]
    return lambda _r: rng.choice(kinds) if rng.random() < rate else "ok"


class SyncUnderFaults(RuleBasedStateMachine):
    @initialize()
    def start(self) -> None:
        self.stack = ExitStack()
        tmp = Path(self.stack.enter_context(tempfile.TemporaryDirectory(dir=FAST_DIR)))
        site = self.stack.enter_context(running_site(tmp))
        device = self.stack.enter_context(enrolled_device(tmp, site))
        self.world = World(site, device)

    @rule(n=st.integers(1, 12))
    def taps(self, n: int) -> None:
        self.world.device.tap(n)

    @rule(seed=st.integers(0, 2**16), rate=st.sampled_from([0.3, 0.6, 1.0]))
    def sync_with_faults(self, seed: int, rate: float) -> None:
        self.world.sync(faulty(random.Random(seed), rate))

    @rule(fault=st.sampled_from(FAULTS[1:]))
    def sync_with_one_fault_each_request(self, fault: str) -> None:
        self.world.sync(lambda _r: fault)

    @precondition(lambda self: self.world.device.writer.last(1)[0] > self.world.acked())
    @rule()
    def syncd_killed_mid_batch(self) -> None:
        self.world.kill_mid_batch()

    @invariant()
    def nothing_lost_or_duplicated(self) -> None:
        if hasattr(self, "world"):
            self.world.check()

    def teardown(self) -> None:
        if hasattr(self, "world"):
            try:
                self.world.heal()
            finally:
                self.stack.close()


TestSyncUnderFaults = SyncUnderFaults.TestCase
TestSyncUnderFaults.settings = settings(
    max_examples=25, stateful_step_count=20, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], derandomize=True, database=None,
)


def test_thousands_of_random_faults_lose_and_duplicate_nothing(fast_tmp: Path) -> None:
    rng = random.Random(20261122)
    with running_site(fast_tmp) as site, enrolled_device(fast_tmp, site) as device:
        world = World(site, device)
        rounds = 0
        while world.faults < 2000:
            rounds += 1
            device.tap(rng.randint(0, 8))
            for _ in range(5):
                if rng.random() < 0.03:
                    world.kill_mid_batch()
                else:
                    world.sync(faulty(rng, rng.choice([0.3, 0.6, 0.9])), max_events=rng.choice([1, 3, 10]))
            world.check()
            assert rounds < 5000
        world.heal()
        assert world.faults >= 2000
        for kind in (*FAULTS, "killed"):
            assert world.kinds[kind] >= 20, f"fault {kind} was exercised only {world.kinds[kind]} times"
