"""``/api/v1`` registry: companies (事業者), workers (技能者), sites (現場), card bindings (IDm → worker).

Who may do what (server.domain.disclosure): the back-office admin manages
everything; a company registers its own workers and binds their cards; a
company registers a site it is the prime contractor of. Reading follows the
disclosure rules: a worker record is shown in full to the admin, the
employer and the worker; as roster-level fields to prime/upper contractors
of a site the worker is active on; as consented fields only to others; and
not at all (404) otherwise.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any, Literal

from fastapi import APIRouter, FastAPI
from pydantic import Field

from server.api.deps import Context
from server.api.domain_models import (
    READ,
    WRITE,
    CardOut,
    CardsOut,
    CompaniesOut,
    CompanyOut,
    ConsentOut,
    ProxiesOut,
    SiteOut,
    SitesOut,
    WorkerOut,
    WorkersOut,
    errors,
)
from server.api.routes.registry_common import (
    Body,
    Caller,
    CcusId,
    CcusQuery,
    ItemId,
    ShortText,
    plain,
    plain_dict,
    reading,
    require,
    site_today,
    writing,
)
from server.context import ServerContext
from server.domain.disclosure import DISCLOSABLE, may_view_site, worker_view
from server.domain.errors import Invalid, NotFound
from server.domain.registry import CardBinding, Company, Site, Worker, card_idm, checked_language
from server.store import domain_records as rec
from server.store.domain_reconcile import recompute_card
from shared.ids import WORKER_LANGUAGES
from shared.siterules import DEFAULT_DAY_BOUNDARY, DEFAULT_REPEAT_WINDOW_S, MAX_REPEAT_WINDOW_S

router = APIRouter(tags=["registry"])

LANGUAGE_HELP = (f"The worker's own language, one of {', '.join(WORKER_LANGUAGES)}, or empty for none (Japanese): "
                 "the site's kiosks show the result of a tap in it. Anything else: 422 unsupported_language.")


class CompanyIn(Body):
    company: str = Field(max_length=14)
    name: str = Field(max_length=200)
    licence_no: str | None = Field(default=None, max_length=40)
    corporate_no: str | None = Field(default=None, max_length=13)
    insurance_ok: bool | None = None
    origin: Literal["ccus", "local"] = "local"


class WorkerIn(Body):
    worker: str = Field(max_length=14)
    name: str = Field(max_length=200)
    furigana: str = Field(max_length=200)
    employer: str = Field(max_length=14)
    trade_major: str | None = Field(default=None, max_length=12)
    trade_minor: str | None = Field(default=None, max_length=12)
    trade_name: str | None = Field(default=None, max_length=100)
    level: int = Field(default=1, ge=1, le=4)
    health_insurance: bool | None = None
    pension: bool | None = None
    employment_insurance: bool | None = None
    retirement_fund: bool | None = None
    qualifications: list[ShortText] = Field(default_factory=list, max_length=50)
    origin: Literal["ccus", "local"] = "local"
    language: str = Field(default="", description=LANGUAGE_HELP)


class LanguageIn(Body):
    language: str = Field(description=LANGUAGE_HELP)


class SiteIn(Body):
    site: str = Field(max_length=14)
    name: str = Field(max_length=200)
    prime: str = Field(max_length=14)
    address: str = Field(default="", max_length=400)
    order_type: Literal["public_national", "public_local", "private"] = "private"
    accumulation_from: date | None = None
    accumulation_to: date | None = None
    manager: str | None = Field(default=None, max_length=100)
    day_boundary: time = DEFAULT_DAY_BOUNDARY
    timezone: Literal["Asia/Tokyo"] = "Asia/Tokyo"
    repeat_window_s: int = Field(default=DEFAULT_REPEAT_WINDOW_S, ge=0, le=MAX_REPEAT_WINDOW_S)
    origin: Literal["ccus", "local"] = "local"


class CardIn(Body):
    idm: str = Field(max_length=16)
    worker: str = Field(max_length=14)
    valid_from: date
    valid_to: date | None = None


class EndIn(Body):
    valid_to: date


class ConsentIn(Body):
    fields: list[ShortText] = Field(max_length=20, description=f"Fields to disclose, from: {', '.join(DISCLOSABLE)}")


# ---------------------------------------------------------------- companies

@router.post("/companies", status_code=201, response_model=CompanyOut, response_model_exclude_unset=True,
             responses=errors(*WRITE))
def create_company(body: CompanyIn, p: Caller, ctx: Context) -> dict[str, Any]:
    """Register a company (admin)."""
    require(p.role == "admin", "registering companies", "事業者の登録")
    company = Company(**body.model_dump())
    with writing(ctx) as conn:
        rec.add_company(conn, company)
    return plain_dict(company)


@router.get("/companies", response_model=CompaniesOut, response_model_exclude_unset=True,
             responses=errors(401, 403))
def list_companies(p: Caller, ctx: Context) -> dict[str, Any]:
    """Every company (admin)."""
    require(p.role == "admin", "listing all companies", "事業者一覧")
    with reading(ctx) as conn:
        return {"companies": plain(rec.list_companies(conn))}


@router.get("/companies/{company}", response_model=CompanyOut, response_model_exclude_unset=True,
             responses=errors(*READ))
def get_company(company: CcusId, p: Caller, ctx: Context) -> dict[str, Any]:
    """A company: the admin, the company itself, companies sharing a site with it, and its workers."""
    with reading(ctx) as conn:
        c = rec.get_company(conn, company)
        allowed = p.role == "admin" or p.company == company
        if not allowed and p.role == "worker" and p.worker is not None:
            allowed = rec.get_worker(conn, p.worker).employer == company
        if not allowed and p.company is not None:
            shared = set(rec.candidate_sites(conn, company=company)) & set(rec.candidate_sites(conn, company=p.company))
            for site in sorted(shared):
                regs = rec.load_structure(conn, site).registered_companies()
                if company in regs and p.company in regs and (p.site is None or p.site == site):
                    allowed = True
                    break
    if not allowed:
        raise NotFound(f"company {company} is not visible to you", company=company)
    return plain_dict(c)


@router.get("/companies/{company}/proxies", response_model=ProxiesOut, response_model_exclude_unset=True,
             responses=errors(400, 401, 403, 404))
def get_proxies(company: CcusId, p: Caller, ctx: Context) -> dict[str, Any]:
    """Companies this employer agreed may register its workers' roster entries (代理手続): it and the admin."""
    require(p.role == "admin" or (p.is_company and p.company == company), "another company's agreements",
            "他社の代理手続の同意")
    with reading(ctx) as conn:
        rec.get_company(conn, company)
        return {"company": company, "proxies": rec.proxies_of(conn, company)}


@router.put("/companies/{company}/proxies/{proxy}", response_model=ProxiesOut, response_model_exclude_unset=True,
             responses=errors(*WRITE))
def put_proxy(company: CcusId, proxy: CcusId, p: Caller, ctx: Context) -> dict[str, Any]:
    """The employer agrees that ``proxy`` (a company above it on a site) may register its roster (代理手続)."""
    require(p.is_company and p.company == company and p.site is None, "agreeing for another company",
            "他社に代わる代理手続の同意")
    with writing(ctx) as conn:
        rec.grant_proxy(conn, company, proxy, ctx.now())
        return {"company": company, "proxies": rec.proxies_of(conn, company)}


@router.delete("/companies/{company}/proxies/{proxy}", response_model=ProxiesOut, response_model_exclude_unset=True,
             responses=errors(*WRITE))
def delete_proxy(company: CcusId, proxy: CcusId, p: Caller, ctx: Context) -> dict[str, Any]:
    """The employer withdraws its agreement (同意しない)."""
    require(p.is_company and p.company == company and p.site is None, "withdrawing for another company",
            "他社に代わる代理手続の撤回")
    with writing(ctx) as conn:
        rec.revoke_proxy(conn, company, proxy)
        return {"company": company, "proxies": rec.proxies_of(conn, company)}


# ---------------------------------------------------------------- workers

@router.post("/workers", status_code=201, response_model=WorkerOut, response_model_exclude_unset=True,
             responses=errors(*WRITE))
def create_worker(body: WorkerIn, p: Caller, ctx: Context) -> dict[str, Any]:
    """Register a worker (admin, or the worker's employer)."""
    require(p.role == "admin" or (p.is_company and p.company == body.employer and p.site is None),
            "registering workers of another company", "他社の技能者の登録")
    worker = Worker(**{**body.model_dump(), "qualifications": tuple(body.qualifications)})
    with writing(ctx) as conn:
        rec.add_worker(conn, worker)
    return plain_dict(worker)


def _active_rosters(conn: Any, worker: str, today: date) -> list[tuple[Site, Any, Any]]:
    out = []
    for e in rec.roster_entries_of_worker(conn, worker):
        if e.covers(today):
            out.append((rec.get_site(conn, e.site), rec.load_structure(conn, e.site), e))
    return out


def _worker_or_hidden(conn: Any, p: Any, worker: str) -> Any:
    """The worker record, or None when there is none: only the admin is told that (NotFound); every other
    caller gets the same None for an unknown worker as for one it may not see, and answers with one 404."""
    try:
        return rec.get_worker(conn, worker)
    except NotFound:
        if p.role == "admin":
            raise
        return None


def visible_worker(ctx: ServerContext, conn: Any, p: Any, worker: str) -> dict[str, Any]:
    """What ``p`` may see of a worker; one and the same 404 for an unknown worker and one ``p`` may not see.

    The same answer for both, so that no caller learns whether another company's worker
    exists (issue 9 item 10); only the admin is told which it is.
    """
    w = _worker_or_hidden(conn, p, worker)
    view = None
    if w is not None:
        by_worker, by_employer = rec.consents(conn, worker)
        today = site_today(ctx, "Asia/Tokyo")
        view = worker_view(p, w, active_rosters=_active_rosters(conn, worker, today), worker_consent=by_worker,
                           employer_consent=by_employer, proxies=rec.proxies_of(conn, w.employer))
    if view is None:
        raise NotFound(f"worker {worker} is not registered or not visible to you", worker=worker)
    return view


@router.get("/workers/{worker}", response_model=WorkerOut, response_model_exclude_unset=True,
             responses=errors(*READ))
def get_worker(worker: CcusId, p: Caller, ctx: Context) -> dict[str, Any]:
    """A worker record, as much of it as the caller may see (404 when nothing)."""
    with reading(ctx) as conn:
        return visible_worker(ctx, conn, p, worker)


@router.get("/workers", response_model=WorkersOut, response_model_exclude_unset=True,
             responses=errors(400, 401, 403))
def list_workers(p: Caller, ctx: Context, employer: CcusQuery = None) -> dict[str, Any]:
    """Workers of one employer (admin, or that employer); all workers (admin)."""
    require(p.role == "admin" or (p.is_company and employer is not None and p.company == employer),
            "listing workers of another company", "他社の所属技能者一覧")
    with reading(ctx) as conn:
        return {"workers": plain(rec.list_workers(conn, employer))}


@router.put("/workers/{worker}/language", response_model=WorkerOut, response_model_exclude_unset=True,
             responses=errors(*WRITE))
def set_language(worker: CcusId, body: LanguageIn, p: Caller, ctx: Context) -> dict[str, Any]:
    """The worker's own language (admin, the worker's employer, or the worker): the site's kiosks get it with
    the next roster pull and show the result of the worker's taps in it."""
    checked_language(body.language)
    with writing(ctx) as conn:
        w = _worker_or_hidden(conn, p, worker)
        if p.role != "admin" and not (w is not None and ((p.is_company and p.company == w.employer and p.site is None)
                                                          or (p.role == "worker" and p.worker == worker))):
            # one and the same answer for an unknown worker and another company's (no existence oracle)
            raise NotFound(f"worker {worker} is not registered or not yours to change", worker=worker)
        rec.set_language(conn, worker, body.language)
        return visible_worker(ctx, conn, p, worker)


@router.put("/workers/{worker}/consent", response_model=ConsentOut, response_model_exclude_unset=True,
             responses=errors(*WRITE))
def set_consent(worker: CcusId, body: ConsentIn, p: Caller, ctx: Context) -> dict[str, Any]:
    """Disclosure consent (開示設定): the worker and the employer each set theirs; both are needed."""
    unknown = sorted(set(body.fields) - set(DISCLOSABLE))
    if unknown:
        raise Invalid(f"not disclosable: {', '.join(unknown)}", message_ja="開示できない項目が含まれています。")
    with writing(ctx) as conn:
        w = rec.get_worker(conn, worker)
        if p.role == "worker" and p.worker == worker:
            rec.set_consent(conn, worker, by_worker=body.fields)
        elif p.is_company and p.company == w.employer:
            rec.set_consent(conn, worker, by_employer=body.fields)
        else:
            require(False, "disclosure settings of another worker", "他の技能者の開示設定")
        by_worker, by_employer = rec.consents(conn, worker)
    return {"worker": worker, "worker_consent": by_worker, "employer_consent": by_employer,
            "disclosed": sorted(set(by_worker) & set(by_employer))}


# ---------------------------------------------------------------- card bindings

@router.post("/cards", status_code=201, response_model=CardOut, response_model_exclude_unset=True,
             responses=errors(*WRITE))
def bind_card(body: CardIn, p: Caller, ctx: Context) -> dict[str, Any]:
    """Bind a card (IDm) to a worker for a period; overlapping bindings of one card are refused."""
    b = CardBinding(card_idm(body.idm), body.worker, body.valid_from, body.valid_to)
    with writing(ctx) as conn:
        w = rec.get_worker(conn, b.worker)
        require(p.role == "admin" or (p.is_company and p.company == w.employer),
                "binding cards of another company's workers", "他社技能者のカード登録")
        bid = rec.add_binding(conn, b)
        recompute_card(conn, b.idm)
    return {**plain(b), "id": bid}


@router.post("/cards/{binding}/end", response_model=CardOut, response_model_exclude_unset=True,
             responses=errors(*WRITE))
def end_card(binding: ItemId, body: EndIn, p: Caller, ctx: Context) -> dict[str, Any]:
    """End a binding (card lost or returned): valid through ``valid_to``."""
    with writing(ctx) as conn:
        old = next((b for b in rec.bindings_for(conn) if b.id == binding), None)
        if old is None:
            raise NotFound(f"card binding {binding} does not exist", binding=binding)
        w = rec.get_worker(conn, old.worker)
        require(p.role == "admin" or (p.is_company and p.company == w.employer),
                "ending cards of another company's workers", "他社技能者のカード変更")
        ended = rec.end_binding(conn, binding, body.valid_to)
        recompute_card(conn, ended.idm)
    return {**plain(ended), "id": binding}


@router.get("/workers/{worker}/cards", response_model=CardsOut, response_model_exclude_unset=True,
             responses=errors(*READ))
def worker_cards(worker: CcusId, p: Caller, ctx: Context) -> dict[str, Any]:
    """A worker's cards: the admin, the employer and the worker."""
    with reading(ctx) as conn:
        w = rec.get_worker(conn, worker)
        allowed = p.role == "admin" or p.worker == worker or (p.is_company and p.company == w.employer)
        if not allowed:
            raise NotFound(f"worker {worker} is not visible to you", worker=worker)
        return {"cards": [{**plain(b), "id": b.id} for b in rec.bindings_for(conn, worker=worker)]}


# ---------------------------------------------------------------- sites

@router.post("/sites", status_code=201, response_model=SiteOut, response_model_exclude_unset=True,
             responses=errors(*WRITE))
def create_site(body: SiteIn, p: Caller, ctx: Context) -> dict[str, Any]:
    """Register a site (admin, or the prime contractor itself); its structure starts with the prime."""
    require(p.role == "admin" or (p.is_company and p.company == body.prime and p.site is None),
            "registering a site of another prime contractor", "他社が元請の現場登録")
    site = Site(**body.model_dump())
    with writing(ctx) as conn:
        rec.add_site(conn, site, at=ctx.now())
    return plain_dict(site)


@router.get("/sites", response_model=SitesOut, response_model_exclude_unset=True,
             responses=errors(401))
def list_sites(p: Caller, ctx: Context) -> dict[str, Any]:
    """The sites the caller may see."""
    with reading(ctx) as conn:
        if p.role == "admin":
            candidates = rec.list_sites(conn)
        else:
            ids = rec.candidate_sites(conn, company=p.company, worker=p.worker)
            candidates = [rec.get_site(conn, site) for site in ids]
        out = [s for s in candidates
               if may_view_site(p, s, rec.load_structure(conn, s.site), rec.roster_of(conn, s.site))]
    return {"sites": plain(out)}


@router.get("/sites/{site}", response_model=SiteOut, response_model_exclude_unset=True,
             responses=errors(*READ))
def get_site(site: CcusId, p: Caller, ctx: Context) -> dict[str, Any]:
    with reading(ctx) as conn:
        s = rec.get_site(conn, site)
        if not may_view_site(p, s, rec.load_structure(conn, site), rec.roster_of(conn, site)):
            raise NotFound(f"site {site} is not visible to you", site=site)
    return plain_dict(s)


def install_domain(app: FastAPI, ctx: ServerContext, prefix: str) -> None:
    """Mount the domain's routers (one call from create_app)."""
    from server.api.routes import corrections, history, reports, roster, structure, users

    for r in (router, structure.router, roster.router, history.router, corrections.router, users.router,
              reports.router):
        app.include_router(r, prefix=prefix)
    from server.reports.gate import install as install_gate_flags

    install_gate_flags(ctx.pull, ctx.now)  # the roster kiosks pull carries the gate's warning flags (issue 12)
