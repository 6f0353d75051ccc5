"""Sites: the list, and a site's structure chart with invite, approve and replace-placeholder actions.

Every read and write goes through the API's route functions with the signed-in user's principal.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from server.api.routes import corrections as api_corr
from server.api.routes import registry as api_registry
from server.api.routes import roster as api_roster
from server.api.routes import structure as api_structure
from server.api.routes.registry_common import default_month, site_today
from server.domain.errors import Forbidden
from server.domain.report import check_month, shift_month
from server.web import fleet, forms, kpis
from server.web import sites as site_data
from server.web.auth import SignedIn, Viewer, get_ctx
from server.web.render import WebRoute, page
from server.web.routes.fleet import thresholds
from shared.siterules import DEFAULT_TIMEZONE

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def _sites(request: Request, v: Viewer, month: str) -> list[dict[str, Any]]:
    """Every site the viewer sees, with its roster counts, pending corrections, device alarms and ``month``'s KPIs."""
    ctx = get_ctx(request)
    sites = api_registry.list_sites(v.principal, ctx)["sites"]
    alarms: dict[str, int] = {}
    if v.role == "admin":  # device alarms are the fleet's, an administrator's page
        with ctx.engine.connect() as conn:
            for r in fleet.fleet_rows(conn, ctx.now(), thresholds(ctx)):
                if r["alarms"]:
                    alarms[r["site"]] = alarms.get(r["site"], 0) + 1
    out = []
    for s in sites:
        with ctx.engine.connect() as conn:
            k = kpis.site_kpis(conn, s["site"], month, v.principal, site_today(ctx, s["timezone"]))
        roster = api_roster.get_roster(s["site"], v.principal, ctx)["entries"]
        pending = api_corr.list_corrections(v.principal, ctx, site=s["site"], status="requested")["corrections"]
        out.append({**s, "roster": len(roster), "incomplete": sum(1 for e in roster if not e["complete"]),
                    "pending": len(pending), "alarms": alarms.get(s["site"]), "kpi": k})
    return out


def _sites_page(request: Request, v: Viewer, *, status: int = 200, alert: str | None = None) -> Response:
    ctx = get_ctx(request)
    with ctx.engine.connect() as conn:
        invitations = site_data.pending_invitations(conn, v.principal)
    month = check_month(request.query_params.get("month") or default_month(ctx, DEFAULT_TIMEZONE))
    return page(request, "sites.html", v, status=status, sites=_sites(request, v, month), invitations=invitations,
                alert=alert, month=month, prev=shift_month(month, -1))


@router.get("/sites")
async def sites_page(request: Request, v: SignedIn) -> Response:
    return await run_in_threadpool(_sites_page, request, v)


def _site_page(request: Request, v: Viewer, site: str, *, status: int = 200, errors: dict[str, str] | None = None,
               alert: str | None = None, form: dict[str, str] | None = None) -> Response:
    ctx = get_ctx(request)
    s = api_registry.get_site(site, v.principal, ctx)  # 404 when not visible
    structure = api_structure.get_structure(site, v.principal, ctx)
    members = structure["members"]
    children: dict[int | None, list[dict[str, Any]]] = {}
    for m in members:
        children.setdefault(m["parent"], []).append(m)
    acting = v.principal.is_company and (v.principal.site in (None, site))
    mine = {m["member"] for m in members if m["company"] == v.principal.company and m["status"] == "registered"}
    return page(request, "site.html", v, status=status, site=s, members=members, children=children,
                acting=acting, mine=mine, errors=errors or {}, alert=alert, form=form or {}, tab="structure",
                month=default_month(ctx, s["timezone"]))


@router.get("/sites/{site}")
async def site_page(site: str, request: Request, v: SignedIn) -> Response:
    return await run_in_threadpool(_site_page, request, v, site)


STRUCTURE_FIELDS = ("parent", "company", "name", "member")


@router.post("/sites/{site}/structure/{action}")
async def structure_action(site: str, action: str, request: Request, v: SignedIn) -> Response:
    ctx = get_ctx(request)
    form = await request.form()
    values = {k: forms.text(form, k, 200) for k in STRUCTURE_FIELDS}
    member = int(values["member"]) if values["member"].isdigit() and len(values["member"]) < 10 else 0

    def act() -> object:
        p = v.principal
        if action == "invite":
            return api_structure.post_invitation(site, api_structure.InviteIn.model_validate(
                {"parent": values["parent"] or None, "company": values["company"]}), p, ctx)
        if action == "place":
            return api_structure.post_placeholder(site, api_structure.PlaceIn.model_validate(
                {"parent": values["parent"] or None, "name": values["name"]}), p, ctx)
        if action == "approve":
            return api_structure.post_approve(site, member, p, ctx)
        if action == "replace":
            return api_structure.post_replace(site, member, api_structure.ReplaceIn.model_validate(
                {"company": values["company"]}), p, ctx)
        raise Forbidden(f"no structure action {action!r}")

    outcome = await run_in_threadpool(forms.run, v.lang, act, STRUCTURE_FIELDS)
    if not outcome.ok and action == "approve":  # approved from the sites page (the site is not visible before)
        return await run_in_threadpool(lambda: _sites_page(request, v, status=422,
                                                           alert=outcome.alert or next(iter(outcome.errors.values()))))
    if not outcome.ok:
        return await run_in_threadpool(lambda: _site_page(request, v, site, status=422, errors=outcome.errors,
                                                          alert=outcome.alert, form={**values, "action": action}))
    return RedirectResponse(f"/sites/{site}?done={action}", status_code=303)
