"""What devices pull: their site's configuration and roster (with card bindings).

Sync serves these through two replaceable providers (:class:`PullProviders`).
:func:`server.context.open_context` installs the domain's providers
(:mod:`server.store.domain_service`): the registry's site and the roster with
its card bindings. The defaults here serve a site the registry does not know:
its configuration from the ``site_config`` table (``put_site_config``; tests and
the demo) and an empty roster. The response shape and the versioning stay here
(docs/server.md "Pull providers").

The version of a roster or configuration is a hash of its canonical content:
unchanged content, unchanged ETag, 304 with no body.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlalchemy as sa

from server.store import schema as t
from server.store.engine import write_transaction
from shared.canonical import canonical_bytes
from shared.ids import check_ccus_id
from shared.siterules import DEFAULT_DAY_BOUNDARY_TEXT, DEFAULT_REPEAT_WINDOW_S, DEFAULT_TIMEZONE

# The defaults of the site rules, written once (shared/siterules.py).
DEFAULT_DAY_BOUNDARY = DEFAULT_DAY_BOUNDARY_TEXT


def content_version(value: Any) -> str:
    return hashlib.sha256(canonical_bytes(value)).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class PulledSiteConfig:
    site: str
    name: str = ""
    day_boundary: str = DEFAULT_DAY_BOUNDARY
    repeat_window_s: int = DEFAULT_REPEAT_WINDOW_S
    timezone: str = DEFAULT_TIMEZONE
    min_app_version: str = ""
    """The oldest app version devices should run (the server setting ``min_app_version``); kiosks below it
    say so on screen. Left out of the body when empty, so existing versions (ETags) do not change."""

    def as_dict(self) -> dict[str, Any]:
        body = asdict(self)
        if not self.min_app_version:
            del body["min_app_version"]
        return {**body, "version": content_version(body)}


@dataclass(frozen=True, slots=True)
class PulledRosterWorker:
    """One worker as a device needs it: minimal personal data (ARCHITECTURE decision 9)."""

    worker: str
    name: str
    furigana: str
    employer: str
    employer_name: str
    trade: str
    trade_code: str
    position: str
    idms: tuple[str, ...] = ()
    on_roster: bool = True
    """False: a cardholder employed by a company on the site's structure, with no roster entry today."""
    language: str = ""
    """The worker's own language (BCP 47, such as ``vi``); the kiosk shows the result screen in it. Left out
    of the body when empty (Japanese), so existing roster versions do not change."""
    gate: tuple[str, ...] = ()
    """What the gate should warn about, as flags only (``expired``, ``education_missing``; server.reports.gate):
    never the dates or documents behind them. Left out of the body when empty."""

    def as_dict(self) -> dict[str, Any]:
        body = {**asdict(self), "idms": sorted(self.idms), "gate": sorted(self.gate)}
        if not self.language:
            del body["language"]
        if not self.gate:
            del body["gate"]
        return body


@dataclass(frozen=True, slots=True)
class RosterSnapshot:
    site: str
    workers: tuple[PulledRosterWorker, ...]

    def as_dict(self) -> dict[str, Any]:
        workers = [w.as_dict() for w in sorted(self.workers, key=lambda w: w.worker)]
        return {"site": self.site, "version": content_version({"site": self.site, "workers": workers}),
                "workers": workers}


SiteConfigProvider = Callable[[sa.Connection, str], PulledSiteConfig]
RosterProvider = Callable[[sa.Connection, str], RosterSnapshot]


def table_site_config(conn: sa.Connection, site: str) -> PulledSiteConfig:
    row = conn.execute(sa.select(t.site_config).where(t.site_config.c.site == site)).first()
    if row is None:
        return PulledSiteConfig(site)
    return PulledSiteConfig(site, row.name, row.day_boundary, row.repeat_window_s, row.timezone)


def empty_roster(conn: sa.Connection, site: str) -> RosterSnapshot:
    """A site the registry does not know has nobody on its roster."""
    return RosterSnapshot(site, ())


@dataclass
class PullProviders:
    """Where device pulls come from. Replace either callable to serve from other tables."""

    site_config: SiteConfigProvider = field(default=table_site_config)
    roster: RosterProvider = field(default=empty_roster)


def put_site_config(engine: sa.Engine, config: PulledSiteConfig) -> None:
    """Store a site's configuration in the minimal table (tests, demo, until issue 6's registry)."""
    check_ccus_id(config.site, "site")
    with write_transaction(engine) as conn:
        conn.execute(t.site_config.delete().where(t.site_config.c.site == config.site))
        row = asdict(config)
        del row["min_app_version"]  # a server setting, not a per-site column
        conn.execute(t.site_config.insert().values(**row))

