"""The site's daily lists, defined once for the server's reports and the site manager's tablet view.

- **未タッチ者 (not touched)**: a worker on the site's roster that day with no
  card touch that day. Split by whether the day was still *worked*: a manual
  record at the kiosk or an approved correction says the worker was there
  without touching (``worked=True``); otherwise nothing shows the worker came.
- **退場漏れ (exit missing)**: a worker whose last effective touch of the day
  is an entry — on a finished day, a forgotten exit; on the current day, a
  worker still on site (the tablet shows them as such until the day ends).

Inputs are plain records (:class:`Presence`), one per worker the day knows
about, so the server builds them from its work-history rows and the tablet
from the kiosk's journal. Pure; imports nothing but the standard library.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Direction = Literal["in", "out"]


@dataclass(frozen=True, slots=True)
class Presence:
    """What one day knows about one worker on one site."""

    worker: str
    company: str
    on_roster: bool
    card_touches: int
    """Card taps counted that day (repeats collapsed or not: any > 0 means touched)."""
    last_direction: Direction | None
    """Direction of the last effective tap of the day; None when there was none."""
    worked: bool
    """A work-history row exists for the day (card, manual record or approved correction)."""


@dataclass(frozen=True, slots=True)
class Listed:
    worker: str
    company: str
    worked: bool


def not_touched(day: Iterable[Presence]) -> list[Listed]:
    """未タッチ者: on the roster, no card touch; sorted by company then worker."""
    return sorted((Listed(p.worker, p.company, p.worked) for p in day if p.on_roster and p.card_touches == 0),
                  key=lambda x: (x.company, x.worker))


def exit_missing(day: Iterable[Presence]) -> list[Listed]:
    """退場漏れ: the last effective touch of the day is an entry; sorted by company then worker."""
    return sorted((Listed(p.worker, p.company, p.worked) for p in day if p.last_direction == "in"),
                  key=lambda x: (x.company, x.worker))


def by_company(items: Iterable[Listed]) -> dict[str, list[Listed]]:
    out: dict[str, list[Listed]] = {}
    for item in items:
        out.setdefault(item.company, []).append(item)
    return out
