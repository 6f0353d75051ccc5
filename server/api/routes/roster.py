"""``/api/v1/sites/{site}/roster``: the site roster (施工体制技能者 / 作業員名簿) with effective dates.

Entries are registered by the worker's employer (or the admin) and only for a
company registered on the site's structure. Readers: the admin and the prime
see every entry; an upper subcontractor its own branch; a company its own
workers; a worker their own entries. Each entry lists its ``problems``
(``missing_trade``, ``missing_position``): history under such an entry is not
valid for level assessment.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from pydantic import Field

from server.api.deps import Context
from server.api.domain_models import READ, WRITE, RosterEntryOut, SiteRosterOut, errors
from server.api.routes.registry_common import (
    Body,
    Caller,
    CcusId,
    ItemId,
    ShortText,
    plain,
    reading,
    require,
    writing,
)
from server.domain.disclosure import may_manage_roster, may_view_site, visible_employers
from server.domain.errors import NotFound
from server.domain.roster import RosterEntry
from server.store import domain_records as rec
from server.store.domain_reconcile import recompute_worker

router = APIRouter(prefix="/sites/{site}/roster", tags=["roster"])


class RosterIn(Body):
    worker: str = Field(max_length=14)
    valid_from: date
    valid_to: date | None = None
    trade_code: str | None = Field(default=None, max_length=12, description="職種 小分類 code")
    trade_name: str | None = Field(default=None, max_length=100)
    position: str | None = Field(default=None, max_length=40, description="立場: 職長, 班長, 作業員 …")
    work_content: str = Field(default="", max_length=400)
    hazardous: str = Field(default="", max_length=400)
    health_checks: list[ShortText] = Field(default_factory=list, max_length=20)
    qualifications: list[ShortText] = Field(default_factory=list, max_length=50)


class EndIn(Body):
    valid_to: date


def _entry(e: RosterEntry) -> dict[str, Any]:
    return {**plain(e), "id": e.id, "problems": list(e.problems), "complete": e.complete}


@router.get("", response_model=SiteRosterOut, response_model_exclude_unset=True,
             responses=errors(*READ))
def get_roster(site: CcusId, p: Caller, ctx: Context) -> dict[str, Any]:
    with reading(ctx) as conn:
        s = rec.get_site(conn, site)
        structure = rec.load_structure(conn, site)
        scope = visible_employers(p, s, structure)
        all_entries = rec.roster_of(conn, site)
    if p.role == "worker":
        entries = [e for e in all_entries if e.worker == p.worker]
    else:
        entries = [e for e in all_entries if scope is None or e.employer in scope]
    if not entries and not may_view_site(p, s, structure, all_entries):
        raise NotFound(f"site {site} is not visible to you", site=site)
    return {"site": site, "entries": [_entry(e) for e in entries]}


@router.post("", status_code=201, response_model=RosterEntryOut, response_model_exclude_unset=True,
             responses=errors(*WRITE))
def post_entry(site: CcusId, body: RosterIn, p: Caller, ctx: Context) -> dict[str, Any]:
    """施工体制技能者登録: put one of the caller's workers on the site (employer taken from the registry)."""
    with writing(ctx) as conn:
        s = rec.get_site(conn, site)
        w = rec.get_worker(conn, body.worker)
        require(may_manage_roster(p, s, w.employer, rec.load_structure(conn, site), rec.proxies_of(conn, w.employer)),
                "roster entries of another company's workers (without its proxy agreement)",
                "他社技能者の作業員名簿登録（代理手続の同意なし）")
        e = RosterEntry(site=site, worker=w.worker, employer=w.employer, valid_from=body.valid_from,
                        valid_to=body.valid_to, trade_code=body.trade_code, trade_name=body.trade_name,
                        position=body.position, work_content=body.work_content, hazardous=body.hazardous,
                        health_checks=tuple(body.health_checks), qualifications=tuple(body.qualifications))
        eid = rec.add_roster_entry(conn, e)
        recompute_worker(conn, site, w.worker)
        return _entry(rec.get_roster_entry(conn, eid))


@router.post("/{entry}/end", response_model=RosterEntryOut, response_model_exclude_unset=True,
             responses=errors(*WRITE))
def end_entry(site: CcusId, entry: ItemId, body: EndIn, p: Caller, ctx: Context) -> dict[str, Any]:
    """Close an entry: valid through ``valid_to`` (a change of trade or position is a new entry after it)."""
    with writing(ctx) as conn:
        s = rec.get_site(conn, site)
        e = rec.get_roster_entry(conn, entry)
        if e.site != site:
            raise NotFound(f"roster entry {entry} is not on site {site}", entry=entry)
        require(may_manage_roster(p, s, e.employer, rec.load_structure(conn, site), rec.proxies_of(conn, e.employer)),
                "roster entries of another company's workers (without its proxy agreement)",
                "他社技能者の作業員名簿変更（代理手続の同意なし）")
        ended = rec.end_roster_entry(conn, entry, body.valid_to)  # refuses a date before valid_from
        recompute_worker(conn, site, e.worker)
    return _entry(ended)
