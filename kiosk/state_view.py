"""The kiosk's read-only window on state.db (roster, site config, sync status).

Adapts :class:`shared.state.StateReader` to :class:`kiosk.sources.SiteView`.
It never writes state.db and never raises for a missing or damaged one: the
kiosk keeps recording taps (unknown cards are journaled too) and the problem
is shown to the manager through ``SiteSettings.problems``.

"Known worker, not on this site's roster": a worker this kiosk has seen on
the roster since it started (and who has since been removed), or to whom the
site manager bound a card here, but who is not on the current roster. The
cache is in memory only, so that personal data of workers who left the roster
is not kept on the device (ARCHITECTURE decision 9).
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, time

from kiosk.appversion import is_outdated
from kiosk.sources import CardHolder, SiteSettings, SyncSummary
from shared.errors import GenbaError
from shared.ids import Idm
from shared.journal import JournalReader
from shared.state import RosterWorker, SiteConfig, StateReader
from shared.timefmt import parse_rfc3339

log = logging.getLogger(__name__)


def holder_from(worker: RosterWorker, *, on_site_roster: bool = True) -> CardHolder:
    missing = tuple(name for name, value in (("trade", worker.trade), ("position", worker.position)) if not value)
    return CardHolder(worker=worker.worker, name=worker.name, employer=worker.employer_name,
                      furigana=worker.furigana, trade=worker.trade, position=worker.position,
                      on_site_roster=on_site_roster and worker.on_roster, missing=missing,
                      language=worker.language, gate=worker.gate)


class StateSiteView:
    """SiteView over state.db. ``fallback_site`` is the device's own site (device.json)."""

    def __init__(self, state: StateReader, *, fallback_site: str | None, journal: JournalReader | None = None) -> None:
        self.state = state
        self.fallback_site = fallback_site
        self.journal = journal
        self._seen: dict[str, CardHolder] = {}
        self._seen_cards: dict[Idm, str] = {}
        """idm → worker, for every card of every roster worker seen since start."""
        self._problem: str | None = None

    def _guard(self, what: str, exc: GenbaError) -> None:
        if self._problem != exc.code:
            log.error("state.db: cannot read %s: %s", what, exc.message)
        self._problem = exc.code

    def settings(self) -> SiteSettings:
        problems: list[str] = []
        try:
            config = self.state.site_config()
            size = self.state.roster_size()
            self._problem = None
        except GenbaError as exc:
            self._guard("the site configuration", exc)
            config, size = SiteConfig(), 0
            problems.append("state_unreadable")
        if size == 0 and not problems:
            problems.append("roster_missing")
        if is_outdated(config.min_app_version):
            problems.append("app_outdated")
        hour, minute = (int(x) for x in config.day_boundary.split(":"))
        return SiteSettings(site=config.site or self.fallback_site, site_name=config.name,
                            day_boundary=time(hour, minute), repeat_window_s=config.repeat_window_s,
                            timezone=config.zone, problems=tuple(problems),
                            min_app_version=config.min_app_version)

    def _remember(self, worker: RosterWorker | None) -> CardHolder | None:
        if worker is None:
            return None
        holder = holder_from(worker)
        self._seen[holder.worker] = holder
        for idm in worker.idms:
            self._seen_cards[idm] = worker.worker
        return holder

    def worker(self, worker: str) -> CardHolder | None:
        try:
            found = self._remember(self.state.worker(worker))
        except GenbaError as exc:
            self._guard("the roster", exc)
            found = None
        if found is not None:
            return found
        seen = self._seen.get(worker)
        if seen is not None:
            return dataclasses.replace(seen, on_site_roster=False)
        return None

    def lookup(self, idm: Idm) -> CardHolder | None:
        try:
            found = self._remember(self.state.worker_by_idm(idm))
        except GenbaError as exc:
            self._guard("the roster", exc)
            return None
        if found is not None:
            return found
        former = self._seen_cards.get(idm)
        return None if former is None else self.worker(former)

    def roster(self) -> list[CardHolder]:
        try:
            workers = self.state.roster()
        except GenbaError as exc:
            self._guard("the roster", exc)
            return []
        out = []
        for w in workers:
            holder = self._remember(w)
            assert holder is not None
            if holder.on_site_roster:  # the manager binds cards to roster workers only
                out.append(holder)
        return out

    def sync(self) -> SyncSummary:
        try:
            status = self.state.sync_status(self.journal)
        except GenbaError as exc:
            self._guard("the sync status", exc)
            return SyncSummary(last_error=exc.code)
        error = status.last_error
        newer_error = error is not None and (status.last_success is None or error.at > status.last_success)
        return SyncSummary(
            unsent=status.unsent,
            oldest_unsent_at=_when(status.oldest_unsent_at),
            last_success_at=_when(status.last_success),
            last_error=error.code if error is not None and newer_error else None,
            online=None if status.last_attempt is None else not newer_error,
        )


def _when(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_rfc3339(text)
    except GenbaError:
        return None
