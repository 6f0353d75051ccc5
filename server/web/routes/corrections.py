"""Corrections (事後補正): a subcontractor (or the worker) files one with a reason; the prime contractor
approves or rejects it with a reason before the deadline; the full audit trail is shown. Through the API's
own functions (server.api.routes.corrections) for the signed-in principal."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from server.api.routes import corrections as api_corr
from server.api.routes import registry as api_registry
from server.domain.disclosure import is_prime_of
from server.domain.registry import Site
from server.web import forms
from server.web.auth import SignedIn, Viewer, get_ctx
from server.web.i18n import translate
from server.web.render import WebRoute, page

router = APIRouter(route_class=WebRoute, include_in_schema=False)
FIELDS = ("site", "worker", "work_day", "entry", "exit", "reason")


def _list_page(request: Request, v: Viewer, *, status: int = 200, errors: dict[str, str] | None = None,
               alert: str | None = None, form: dict[str, str] | None = None) -> Response:
    ctx = get_ctx(request)
    site = request.query_params.get("site") or None
    want = request.query_params.get("status")
    state = want if want in ("requested", "approved", "rejected") else None
    if site is not None and not (len(site) == 14 and site.isdigit()):
        site = None
    items = api_corr.list_corrections(v.principal, ctx, site=site, status=state)["corrections"]  # type: ignore[arg-type]
    sites = api_registry.list_sites(v.principal, ctx)["sites"]
    may_file = v.role in ("company", "prime", "worker")
    defaults = {"worker": v.principal.worker or "", "site": site or (sites[0]["site"] if sites else "")}
    return page(request, "corrections.html", v, status=status, items=items, sites=sites, errors=errors or {},
                alert=alert, form=form or defaults, may_file=may_file, filter_site=site or "", filter_status=state,
                zones={s["site"]: s["timezone"] for s in sites})


@router.get("/corrections")
async def corrections_page(request: Request, v: SignedIn) -> Response:
    return await run_in_threadpool(_list_page, request, v)


def _moment(day: str, hhmm: str, tz: str) -> str | None:
    if not hhmm:
        return None
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(hhmm), tzinfo=ZoneInfo(tz)).isoformat()


@router.post("/corrections")
async def file_correction(request: Request, v: SignedIn) -> Response:
    ctx = get_ctx(request)
    form = await request.form()
    values = {k: forms.text(form, k, 200) for k in FIELDS}
    if v.role == "worker":
        values["worker"] = v.principal.worker or ""
    errors: dict[str, str] = {}
    if not values["reason"]:
        errors["reason"] = translate("required", v.lang)
    try:
        date.fromisoformat(values["work_day"])
    except ValueError:
        errors["work_day"] = translate("bad_date", v.lang)
    for name in ("entry", "exit"):
        try:
            if values[name]:
                time.fromisoformat(values[name])
        except ValueError:
            errors[name] = translate("bad_time", v.lang)
    if not values["entry"] and not values["exit"] and "entry" not in errors:
        errors["entry"] = translate("corr_need_time", v.lang)
    if errors:
        return await run_in_threadpool(lambda: _list_page(request, v, status=422, errors=errors, form=values))

    def file() -> object:
        s = api_registry.get_site(values["site"], v.principal, ctx) if len(values["site"]) == 14 else None
        tz = s["timezone"] if s else "Asia/Tokyo"
        body = api_corr.CorrectionIn.model_validate({
            "site": values["site"], "worker": values["worker"], "work_day": values["work_day"],
            "entry_at": _moment(values["work_day"], values["entry"], tz),
            "exit_at": _moment(values["work_day"], values["exit"], tz), "reason": values["reason"]})
        return api_corr.post_correction(body, v.principal, ctx)

    outcome = await run_in_threadpool(forms.run, v.lang, file, FIELDS)
    if not outcome.ok:
        return await run_in_threadpool(lambda: _list_page(request, v, status=422, errors=outcome.errors,
                                                          alert=outcome.alert, form=values))
    created: Any = outcome.value
    return RedirectResponse(f"/corrections/{created['id']}?filed=1", status_code=303)


def _detail(request: Request, v: Viewer, cid: int, *, status: int = 200, errors: dict[str, str] | None = None,
            alert: str | None = None) -> Response:
    ctx = get_ctx(request)
    c = api_corr.get_correction(cid, v.principal, ctx)
    s = api_registry.get_site(c["site"], v.principal, ctx)
    may_decide = c["status"] == "requested" and is_prime_of(v.principal, Site(**{
        k: s[k] for k in ("site", "name", "prime")}))
    return page(request, "correction.html", v, status=status, c=c, site=s, may_decide=may_decide,
                errors=errors or {}, alert=alert)


@router.get("/corrections/{cid}")
async def correction_page(cid: int, request: Request, v: SignedIn) -> Response:
    return await run_in_threadpool(_detail, request, v, cid)


@router.post("/corrections/{cid}/{decision}")
async def decide(cid: int, decision: str, request: Request, v: SignedIn) -> Response:
    ctx = get_ctx(request)
    form = await request.form()
    note = forms.text(form, "note", 300)
    if decision not in ("approve", "reject"):
        return await run_in_threadpool(lambda: _detail(request, v, cid, status=404))
    if not note:
        return await run_in_threadpool(lambda: _detail(request, v, cid, status=422,
                                                       errors={"note": translate("required", v.lang)}))

    def act() -> object:
        body = api_corr.DecisionIn.model_validate({"note": note})
        fn = api_corr.approve_correction if decision == "approve" else api_corr.reject_correction
        return fn(cid, v.principal, ctx, body)

    outcome = await run_in_threadpool(forms.run, v.lang, act, ("note",))
    if not outcome.ok:
        return await run_in_threadpool(lambda: _detail(request, v, cid, status=422, errors=outcome.errors,
                                                       alert=outcome.alert))
    return RedirectResponse(f"/corrections/{cid}?done=1", status_code=303)
