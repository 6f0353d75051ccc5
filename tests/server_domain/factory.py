"""Builders for raw events and domain records used by the domain tests (plain data, no mocks)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from shared.event import Event
from shared.timefmt import JST, format_rfc3339

SITE = "40224614116771"
PRIME = "38809523422822"
SUB1 = "20862153068122"
SUB2 = "96131765752422"
OTHER = "11111111111111"
W1 = "67886372495121"
W2 = "81486377161372"
W3 = "12345678901234"
CARD1 = "0123456789ABCDEF"
CARD2 = "FEDCBA9876543210"
CARD3 = "00000000000000AA"
BOOT = "00000000-0000-4000-8000-000000000001"


def jst(day: int, hour: int, minute: int = 0, month: int = 11, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=JST)


class Kiosk:
    """A fake *device log* (not a mock): gapless seqs, consistent wall and monotonic clocks."""

    def __init__(self, device: str = "kiosk-a", epoch: int = 1, site: str = SITE, start: datetime | None = None):
        self.device, self.epoch, self.site = device, epoch, site
        self.seq = 0
        self.start = start or jst(1, 0)
        self.boot = BOOT
        self.events: list[Event] = []

    def _mono(self, at: datetime) -> int:
        return int((at - self.start).total_seconds() * 1_000_000) + 5_000_000

    def add(self, kind: str, at: datetime, *, mono_us: int | None = None, **fields: object) -> Event:
        self.seq += 1
        e = Event(device=self.device, epoch=self.epoch, seq=self.seq, boot=self.boot,
                  mono_us=self._mono(at) if mono_us is None else mono_us, at=format_rfc3339(at), kind=kind,  # type: ignore[arg-type]
                  reader="sim", site=self.site, app="0.1.0", **fields)  # type: ignore[arg-type]
        self.events.append(e)
        return e

    def tap(self, idm: str, direction: str, at: datetime) -> Event:
        return self.add("tap", at, idm=idm, direction=direction)

    def repeat(self, idm: str, direction: str, at: datetime, ref: int) -> Event:
        return self.add("repeat", at, idm=idm, direction=direction, ref=ref)

    def amend(self, ref: int, direction: str, at: datetime) -> Event:
        return self.add("amend", at, ref=ref, direction=direction, reason="wrong direction")

    def bind(self, idm: str, worker: str, at: datetime) -> Event:
        return self.add("bind", at, idm=idm, worker=worker)

    def manual(self, worker: str, direction: str, claimed: datetime, at: datetime) -> Event:
        return self.add("manual", at, worker=worker, direction=direction, claimed_at=format_rfc3339(claimed),
                        reason="card forgotten")


def batches(events: list[Event], size: int) -> list[list[Event]]:
    """Contiguous ranges of one device log, as a kiosk would upload them."""
    return [events[i:i + size] for i in range(0, len(events), size)]


def days_of(month_start: date, n: int) -> list[date]:
    return [month_start + timedelta(days=i) for i in range(n)]


def by_device(events: list[Event]) -> dict[str, list[Event]]:
    out: dict[str, list[Event]] = defaultdict(list)
    for e in events:
        out[e.device].append(e)
    return out
