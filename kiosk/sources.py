"""What the kiosk reads from the rest of the edge, as plain data and small protocols.

The kiosk never writes ``state.db`` (syncd and ``genba roster import`` do);
it reads the roster, the site configuration and the sync status through a
:class:`SiteView`. :mod:`kiosk.state_view` adapts ``shared.state``; tests may
pass :class:`StaticSiteView`, a plain in-memory fake.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, tzinfo
from typing import Protocol

from shared.ids import Idm
from shared.siterules import DEFAULT_DAY_BOUNDARY, DEFAULT_REPEAT_WINDOW_S
from shared.timefmt import JST


@dataclass(frozen=True, slots=True)
class CardHolder:
    """A worker as the kiosk shows them (only the minimal edge fields: ARCHITECTURE decision 9)."""

    worker: str
    """技能者ID, 14 digits."""
    name: str
    employer: str = ""
    furigana: str = ""
    trade: str = ""
    position: str = ""
    on_site_roster: bool = True
    """False: the worker is known to this kiosk but not registered on this site's roster."""
    missing: tuple[str, ...] = ()
    """Roster fields the registration lacks (``trade``, ``position``): without them the history does not
    count for the level assessment, so the worker is told."""
    language: str = ""
    """The worker's own language from the roster (BCP 47, such as ``vi``); empty: Japanese."""
    gate: tuple[str, ...] = ()
    """The gate's warnings from the server's roster (``expired``, ``education_missing``): the tap is recorded
    and the worker is told to see the site manager before starting work; the manager sees a list."""


@dataclass(frozen=True, slots=True)
class SiteSettings:
    site: str | None
    """現場ID (14 digits), None before the device has a site."""
    site_name: str = ""
    day_boundary: time = DEFAULT_DAY_BOUNDARY
    repeat_window_s: int = DEFAULT_REPEAT_WINDOW_S
    timezone: tzinfo = JST
    problems: tuple[str, ...] = ()
    """Machine codes of what is wrong with the edge state (``roster_missing``, ``state_unreadable``,
    ``app_outdated``…)."""
    min_app_version: str = ""
    """The oldest app version the server wants running here (empty: no minimum)."""


@dataclass(frozen=True, slots=True)
class SyncSummary:
    unsent: int | None = None
    """Events in the journal the server has not acknowledged; None when unknown."""
    oldest_unsent_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None
    online: bool | None = None


class SiteView(Protocol):
    """Read-only view of state.db for the kiosk. Every method must be cheap and never raise for a
    missing or damaged state.db: report it in ``SiteSettings.problems`` instead."""

    def settings(self) -> SiteSettings: ...

    def lookup(self, idm: Idm) -> CardHolder | None: ...

    def worker(self, worker: str) -> CardHolder | None: ...

    def roster(self) -> list[CardHolder]: ...

    def sync(self) -> SyncSummary: ...


@dataclass
class StaticSiteView:
    """An in-memory SiteView for tests, screenshots and the demo."""

    site_settings: SiteSettings
    cards: dict[Idm, CardHolder] = field(default_factory=dict)
    workers: list[CardHolder] = field(default_factory=list)
    sync_summary: SyncSummary = field(default_factory=SyncSummary)

    def settings(self) -> SiteSettings:
        return self.site_settings

    def lookup(self, idm: Idm) -> CardHolder | None:
        return self.cards.get(idm)

    def worker(self, worker: str) -> CardHolder | None:
        for holder in [*self.cards.values(), *self.workers]:
            if holder.worker == worker:
                return holder
        return None

    def roster(self) -> list[CardHolder]:
        seen: dict[str, CardHolder] = {}
        for holder in [*self.workers, *self.cards.values()]:
            if holder.on_site_roster:
                seen.setdefault(holder.worker, holder)
        return sorted(seen.values(), key=lambda h: (h.furigana or h.name, h.worker))

    def sync(self) -> SyncSummary:
        return self.sync_summary
