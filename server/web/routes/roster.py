"""A site's roster (作業員名簿): add and end entries with validity dates, bind cards, CSV import with preview."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from server.api.routes import registry as api_registry
from server.api.routes import roster as api_roster
from server.api.routes.registry_common import site_today
from server.web import forms, roster_import, sites
from server.web.auth import SignedIn, Viewer, get_ctx
from server.web.render import WebRoute, page

router = APIRouter(route_class=WebRoute, include_in_schema=False)
ENTRY_FIELDS = ("worker", "valid_from", "valid_to", "trade_code", "trade_name", "position", "work_content")
CARD_FIELDS = ("idm", "card_worker", "card_from")


def _roster_page(request: Request, v: Viewer, site: str, *, status: int = 200, errors: dict[str, str] | None = None,
                 alert: str | None = None, form: dict[str, str] | None = None,
                 preview: roster_import.ImportResult | None = None, csv_text: str = "") -> Response:
    ctx = get_ctx(request)
    s = api_registry.get_site(site, v.principal, ctx)
    entries = api_roster.get_roster(site, v.principal, ctx)["entries"]
    with ctx.engine.connect() as conn:
        names = sites.visible_names(conn, v.principal, site, {e["worker"] for e in entries})
    today = site_today(ctx, s["timezone"]).isoformat()  # the site's date, not UTC's (9 hours behind in Japan)
    return page(request, "roster.html", v, status=status, site=s, entries=entries, names=names, errors=errors or {},
                alert=alert, form=form or {"valid_from": today}, preview=preview, tab="roster",
                columns=",".join(roster_import.COLUMNS), csv_text=csv_text,
                may_edit=v.role in ("admin", "prime", "company"), month=today[:7])


@router.get("/sites/{site}/roster")
async def roster_page(site: str, request: Request, v: SignedIn) -> Response:
    return await run_in_threadpool(_roster_page, request, v, site)


@router.post("/sites/{site}/roster")
async def add_entry(site: str, request: Request, v: SignedIn) -> Response:
    ctx = get_ctx(request)
    form = await request.form()
    values = {k: forms.text(form, k, 500) for k in ENTRY_FIELDS}
    body: dict[str, Any] = {k: val for k, val in values.items() if val}

    def add() -> object:
        return api_roster.post_entry(site, api_roster.RosterIn.model_validate(body), v.principal, ctx)

    outcome = await run_in_threadpool(forms.run, v.lang, add, ENTRY_FIELDS)
    if not outcome.ok:
        return await run_in_threadpool(lambda: _roster_page(request, v, site, status=422, errors=outcome.errors,
                                                            alert=outcome.alert, form=values))
    return RedirectResponse(f"/sites/{site}/roster?done=1", status_code=303)


@router.post("/sites/{site}/roster/{entry}/end")
async def end_entry(site: str, entry: int, request: Request, v: SignedIn) -> Response:
    ctx = get_ctx(request)
    form = await request.form()
    valid_to = forms.text(form, "valid_to", 20)

    def end() -> object:
        return api_roster.end_entry(site, entry, api_roster.EndIn.model_validate({"valid_to": valid_to}),
                                    v.principal, ctx)

    outcome = await run_in_threadpool(forms.run, v.lang, end, ("valid_to",))
    if not outcome.ok:
        return await run_in_threadpool(lambda: _roster_page(request, v, site, status=422,
                                                            alert=outcome.alert or outcome.errors.get("valid_to")))
    return RedirectResponse(f"/sites/{site}/roster?done=1", status_code=303)


@router.post("/sites/{site}/cards")
async def bind_card(site: str, request: Request, v: SignedIn) -> Response:
    """Bind a card to a worker (from the roster page or the unknown-cards page)."""
    ctx = get_ctx(request)
    form = await request.form()
    values = {k: forms.text(form, k, 40) for k in CARD_FIELDS}
    back = "unknown" if forms.text(form, "back", 20) == "unknown" else "roster"

    def bind() -> object:
        return api_registry.bind_card(api_registry.CardIn.model_validate(
            {"idm": values["idm"].upper(), "worker": values["card_worker"], "valid_from": values["card_from"]}),
            v.principal, ctx)

    outcome = await run_in_threadpool(forms.run, v.lang, bind, ("idm", "worker", "valid_from"))
    errors = {{"worker": "card_worker", "valid_from": "card_from"}.get(k, k): val for k, val in outcome.errors.items()}
    if not outcome.ok:
        if back == "unknown":
            from server.web.routes.calendar import unknown_page

            return await run_in_threadpool(lambda: unknown_page(request, v, site, status=422, errors=errors,
                                                                alert=outcome.alert, form=values))
        return await run_in_threadpool(lambda: _roster_page(request, v, site, status=422, errors=errors,
                                                            alert=outcome.alert, form=values))
    return RedirectResponse(f"/sites/{site}/{back}?done=1", status_code=303)


@router.post("/sites/{site}/roster/import")
async def import_csv(site: str, request: Request, v: SignedIn) -> Response:
    ctx = get_ctx(request)
    form = await request.form()
    upload = form.get("file")
    data = await upload.read(roster_import.MAX_BYTES + 1) if isinstance(upload, UploadFile) else b""
    if not data:  # the preview's "store" step sends the checked text back
        pasted = form.get("csv_text")
        data = pasted.encode()[:roster_import.MAX_BYTES + 1] if isinstance(pasted, str) else b""
    commit = forms.text(form, "step", 10) == "store"
    api_registry.get_site(site, v.principal, ctx)  # 404 before reading anything for a site not visible
    result = await run_in_threadpool(roster_import.run_import, ctx.engine, v.principal, site, data, v.lang,
                                     commit=commit)
    if result.stored:
        return RedirectResponse(f"/sites/{site}/roster?imported={len(result.good)}", status_code=303)
    text = data.decode("utf-8-sig", errors="replace") if not result.bad else ""
    return await run_in_threadpool(lambda: _roster_page(request, v, site, status=422 if result.bad else 200,
                                                        preview=result, csv_text=text))
