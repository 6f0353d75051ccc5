"""Sibling gates for tests: each with its own data directory, journal, state.db and sibling server on a real socket."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from shared.clock import ManualClock
from shared.device import DeviceIdentity, load_or_create_identity, save_identity
from shared.journal import EventDraft, JournalWriter, StoredEvent
from shared.keys import SigningKey
from shared.paths import DataDir
from shared.state import StateWriter
from shared.state.siblings import set_sibling_keys
from shared.timefmt import JST
from syncd.siblings import Keyring, SiblingConfig, SiblingExchange, SiblingServer, SiblingService

SITE = "12345678901234"
DAY_START = datetime(2026, 11, 30, 7, 0, tzinfo=JST)


@dataclass
class Gate:
    data: DataDir
    identity: DeviceIdentity
    key: SigningKey
    clock: ManualClock
    journal: JournalWriter
    state: StateWriter
    keyring: Keyring
    server: SiblingServer
    exchange: SiblingExchange | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server.port}"

    def tap(self, idm: str, direction: str = "in", *, kind: str = "tap", worker: str | None = None,
            step_s: float = 30) -> StoredEvent:
        self.clock.advance(step_s)
        return self.journal.append(EventDraft(kind=kind, reader="sim", site=SITE, idm=idm,  # type: ignore[arg-type]
                                              direction=direction if kind == "tap" else None,  # type: ignore[arg-type]
                                              worker=worker))

    def connect(self, *peers: Gate, max_events: int = 1000) -> SiblingExchange:
        if self.exchange is not None:
            self.exchange.close()
        config = SiblingConfig(peers=tuple(p.address for p in peers), port=0, mdns=False)
        self.exchange = SiblingExchange(self.data, self.identity, self.key, self.state, config, self.keyring,
                                        clock=self.clock, max_events=max_events)
        return self.exchange

    def close(self) -> None:
        if self.exchange is not None:
            self.exchange.close()
        self.server.stop()
        self.journal.close()
        self.state.close()


def make_gate(root: Path, name: str, *, identity: DeviceIdentity | None = None, key: SigningKey | None = None,
              site: str | None = SITE, start: datetime = DAY_START) -> Gate:
    data = DataDir(root / name).ensure()
    if identity is None or key is None:
        identity, key = load_or_create_identity(data, site=site)
    else:
        save_identity(data, identity)
        key.save(data.device_key(identity.epoch))
    clock = ManualClock(start)
    journal = JournalWriter.open(data.journal, identity, key, clock=clock)
    state = StateWriter.open(data.state)
    keyring = Keyring(data, data.state)
    service = SiblingService(data, identity, key, keyring, site=lambda: site, clock=clock)
    server = SiblingServer(service, "127.0.0.1", 0).start()
    return Gate(data, identity, key, clock, journal, state, keyring, server)


def know_each_other(*gates: Gate) -> None:
    """What the server's site configuration gives every gate: the other gates' keys."""
    for g in gates:
        set_sibling_keys(g.state, [(o.identity.device, o.identity.epoch, o.key.verifier.encode())
                                   for o in gates if o is not g], source="server")


def later(clock: ManualClock, **kw: float) -> None:
    clock.advance(timedelta(**kw).total_seconds())
