"""``/api/v1/sites/{site}/structure``: the site structure (施工体制) and its dated history.

Every change is made by a company for itself (``by`` is the caller's
company): the upper company invites or places a name-only company, the
invited company approves, an upper company replaces a placeholder or edits
work names. The admin reads but does not act for companies.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import Field

from server.api.deps import Context
from server.api.domain_models import READ, WRITE, StructureHistoryOut, StructureOut, errors
from server.api.routes.registry_common import Body, Caller, CcusId, ItemId, plain, reading, require, writing
from server.domain import structure as st
from server.domain.disclosure import Principal, may_view_site
from server.domain.errors import Invalid, NotFound
from server.store import domain_records as rec

router = APIRouter(prefix="/sites/{site}/structure", tags=["structure"])


class InviteIn(Body):
    parent: int = Field(ge=1, description="member id of the upper company")
    company: str = Field(max_length=14)


class PlaceIn(Body):
    parent: int = Field(ge=1)
    name: str = Field(min_length=1, max_length=200)


class ReplaceIn(Body):
    company: str = Field(max_length=14)


class WorkIn(Body):
    work_name: str = Field(max_length=200)
    work_description: str = Field(default="", max_length=2000)


def _visible(conn: Any, p: Principal, site: str) -> st.Structure:
    s = rec.get_site(conn, site)
    structure = rec.load_structure(conn, site)
    if not may_view_site(p, s, structure, rec.roster_of(conn, site)):
        raise NotFound(f"site {site} is not visible to you", site=site)
    return structure


def _acting(p: Principal, site: str) -> str:
    require(p.is_company and p.company is not None and (p.site is None or p.site == site),
            "structure changes are made by a company user of this site", "施工体制の変更は事業者のユーザーが行います")
    assert p.company is not None
    return p.company


def _answer(structure: st.Structure, change: st.StructureChange | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"site": structure.site, "members": plain(list(structure.members)),
                           "chart": st.tree_lines(structure)}
    if change is not None:
        out["change"] = plain(change)
    return out


@router.get("", response_model=StructureOut, response_model_exclude_unset=True,
             responses=errors(*READ, 422))
def get_structure(site: CcusId, p: Caller, ctx: Context, as_of: datetime | None = None) -> dict[str, Any]:
    """The tree (members with tier, status 未承認/登録, work name) and the chart as text lines.

    ``as_of`` (RFC 3339 with offset): the structure as it stood then, from its dated history.
    """
    with reading(ctx) as conn:
        current = _visible(conn, p, site)
        if as_of is None:
            return _answer(current)
        if as_of.tzinfo is None:
            raise Invalid("as_of needs an offset", message_ja="as_of には時差（+09:00など）が必要です。")
        return _answer(st.as_of(rec.structure_history(conn, site), as_of))


@router.get("/history", response_model=StructureHistoryOut, response_model_exclude_unset=True,
             responses=errors(*READ))
def get_history(site: CcusId, p: Caller, ctx: Context) -> dict[str, Any]:
    """Every dated change of the structure, oldest first."""
    with reading(ctx) as conn:
        _visible(conn, p, site)
        return {"site": site, "changes": plain(rec.structure_history(conn, site))}


@router.post("/invitations", status_code=201, response_model=StructureOut, response_model_exclude_unset=True,
             responses=errors(*WRITE))
def post_invitation(site: CcusId, body: InviteIn, p: Caller, ctx: Context) -> dict[str, Any]:
    """招待: the caller's company invites a registered company below member ``parent`` (status 未承認)."""
    by = _acting(p, site)
    with writing(ctx) as conn:
        company = rec.get_company(conn, body.company)
        s, change = st.invite(rec.load_structure(conn, site), parent=body.parent, by=by, company=company.company,
                              name=company.name, at=ctx.now())
        rec.record_change(conn, change)
    return _answer(s, change)


@router.post("/placeholders", status_code=201, response_model=StructureOut, response_model_exclude_unset=True,
             responses=errors(*WRITE))
def post_placeholder(site: CcusId, body: PlaceIn, p: Caller, ctx: Context) -> dict[str, Any]:
    """A company not registered in CCUS, placed by name only (CCUS未登録)."""
    by = _acting(p, site)
    with writing(ctx) as conn:
        s, change = st.place_unregistered(rec.load_structure(conn, site), parent=body.parent, by=by,
                                          name=body.name, at=ctx.now())
        rec.record_change(conn, change)
    return _answer(s, change)


@router.post("/members/{member}/approve", response_model=StructureOut, response_model_exclude_unset=True,
             responses=errors(*WRITE))
def post_approve(site: CcusId, member: ItemId, p: Caller, ctx: Context) -> dict[str, Any]:
    """承認: the invited company approves its own invitation (未承認 → 登録)."""
    by = _acting(p, site)
    with writing(ctx) as conn:
        s, change = st.approve(rec.load_structure(conn, site), member=member, by=by, at=ctx.now())
        rec.record_change(conn, change)
    return _answer(s, change)


@router.post("/members/{member}/replace", response_model=StructureOut, response_model_exclude_unset=True,
             responses=errors(*WRITE))
def post_replace(site: CcusId, member: ItemId, body: ReplaceIn, p: Caller, ctx: Context) -> dict[str, Any]:
    """置換: a placeholder becomes the registered company; its place and branch are kept."""
    by = _acting(p, site)
    with writing(ctx) as conn:
        company = rec.get_company(conn, body.company)
        s, change = st.replace_placeholder(rec.load_structure(conn, site), member=member, by=by,
                                           company=company.company, name=company.name, at=ctx.now())
        rec.record_change(conn, change)
    return _answer(s, change)


@router.put("/members/{member}/work", response_model=StructureOut, response_model_exclude_unset=True,
             responses=errors(*WRITE))
def put_work(site: CcusId, member: ItemId, body: WorkIn, p: Caller, ctx: Context) -> dict[str, Any]:
    """工事名称・工事内容 of one company on the site."""
    by = _acting(p, site)
    with writing(ctx) as conn:
        s, change = st.set_work(rec.load_structure(conn, site), member=member, by=by, work_name=body.work_name,
                                work_description=body.work_description, at=ctx.now())
        rec.record_change(conn, change)
    return _answer(s, change)
