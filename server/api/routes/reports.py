"""``/api/v1/.../reports``: every report of issue 12 in the format the client asks for; the 作業員名簿 fields.

- ``GET /reports``: the kinds and formats (what the console's download buttons offer);
- ``GET /sites/{site}/reports/{kind}?month=YYYY-MM[&format=…][&day=YYYY-MM-DD]``: one report. The format
  is the ``format`` query parameter, else the ``Accept`` header (``text/csv`` → csv,
  ``text/csv; charset=shift_jis`` → csv-cp932, the XLSX type, ``application/pdf``); neither → csv.
  Disclosure is the domain's: a subcontractor's download holds its branch's workers only, a worker's only
  themself. The answer is an attachment with the report's file name;
- ``GET/PUT /workers/{worker}/details``: 作業員名簿 personal fields (read: whoever may read the worker's
  roster-level data; write: the admin and the worker's employer);
- ``PUT /sites/{site}/education/{worker}``: 新規入場者教育 date (the site's prime, the employer, the admin).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import Field

from server.api.deps import Context
from server.api.domain_models import errors
from server.api.report_models import REPORT_FILE, EducationOut, ReportsOut, WorkerDetailsOut
from server.api.routes.registry_common import Body, Caller, CcusId, plain_dict, reading, require, writing
from server.domain import disclosure as dis
from server.domain.errors import NotFound
from server.reports import FORMATS, KINDS, render
from server.reports import store as rstore
from server.reports.details import Credential, Education, WorkerDetails
from server.reports.errors import UnknownReportFormat
from server.store import domain_records as rec

router = APIRouter(tags=["reports"])
Month = Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")]
_ACCEPT = {"text/csv": "csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
           "application/pdf": "pdf"}


def negotiate(fmt: str | None, accept: str | None) -> str:
    """The format: the query parameter wins; else the first acceptable type of ``Accept``; else csv."""
    if fmt is not None:
        return fmt
    if not accept:
        return "csv"
    for part in accept.split(",")[:20]:
        media, *params = (x.strip().lower() for x in part.split(";"))
        if media in ("*/*", "text/*"):
            return "csv"
        if media == "text/csv" and any(p.replace(" ", "") in ("charset=shift_jis", "charset=cp932",
                                                             "charset=windows-31j") for p in params):
            return "csv-cp932"
        if media in _ACCEPT:
            return _ACCEPT[media]
    raise UnknownReportFormat(f"none of the accepted types can be produced: {accept[:100]!r}",
                              formats=list(FORMATS))


@router.get("/reports", response_model=ReportsOut, responses=errors(401))
def list_reports(p: Caller) -> dict[str, Any]:
    """The fixed kinds (with their Japanese names) and formats."""
    return {"kinds": [{"kind": k, "name": v} for k, v in KINDS.items()], "formats": list(FORMATS)}


@router.get("/sites/{site}/reports/{kind}", response_model=None, response_class=Response,
            responses={**REPORT_FILE, **errors(400, 401, 404, 406, 422)})
def get_report(site: CcusId, kind: str, month: Month, p: Caller, ctx: Context, request: Request,
               format: Annotated[str | None, Query(max_length=20)] = None,
               day: date | None = None) -> Response:
    fmt = negotiate(format, request.headers.get("accept"))
    with reading(ctx) as conn:
        out = render(conn, kind, site, month, fmt, p, now=ctx.now(), day=day)
    disposition = f"attachment; filename=\"{out.filename}\"; filename*=UTF-8''{quote(out.filename)}"
    return Response(out.content, media_type=out.media_type, headers={"Content-Disposition": disposition})


class CredentialIn(Body):
    kind: str = Field(max_length=20)
    name: str = Field(max_length=60)
    obtained: date | None = None
    expires: date | None = None


class DetailsIn(Body):
    birth_date: date | None = None
    hire_date: date | None = None
    emergency_name: str = Field("", max_length=40)
    emergency_relation: str = Field("", max_length=20)
    emergency_phone: str = Field("", max_length=20)
    health_general: date | None = None
    health_special: date | None = None
    credentials: list[CredentialIn] = Field(default_factory=list, max_length=40)


class EducationIn(Body):
    educated_on: date


def _may_read_sheet(conn: Any, p: dis.Principal, worker: str) -> bool:
    w = rec.get_worker(conn, worker)
    active = []
    for site in rec.candidate_sites(conn, worker=worker):
        s = rec.get_site(conn, site)
        structure = rec.load_structure(conn, site)
        active += [(s, structure, e) for e in rec.roster_of(conn, site, worker)]
    view = dis.worker_view(p, w, active_rosters=active, proxies=rec.proxies_of(conn, w.employer))
    return view is not None and set(dis.ROSTER_FIELDS) <= view.keys()


@router.get("/workers/{worker}/details", response_model=WorkerDetailsOut, responses=errors(400, 401, 404))
def get_details(worker: CcusId, p: Caller, ctx: Context) -> dict[str, Any]:
    with reading(ctx) as conn:
        if not _may_read_sheet(conn, p, worker):
            raise NotFound(f"the roster details of worker {worker} are not visible to you", worker=worker)
        found = rstore.details_of(conn, [worker]).get(worker) or WorkerDetails(worker)
    return plain_dict(found)


@router.put("/workers/{worker}/details", response_model=WorkerDetailsOut,
            responses=errors(400, 401, 403, 404, 422))
def put_details(worker: CcusId, body: DetailsIn, p: Caller, ctx: Context) -> dict[str, Any]:
    with writing(ctx) as conn:
        w = rec.get_worker(conn, worker)
        require(p.role == "admin" or (p.is_company and p.company == w.employer), "editing roster details",
                "作業員名簿の項目の編集")
        creds = tuple(Credential(c.kind, c.name, c.obtained, c.expires) for c in body.credentials)  # type: ignore[arg-type]
        d = WorkerDetails(worker, body.birth_date, body.hire_date, body.emergency_name, body.emergency_relation,
                          body.emergency_phone, body.health_general, body.health_special, creds)
        rstore.put_details(conn, d)
    return plain_dict(d)


@router.put("/sites/{site}/education/{worker}", response_model=EducationOut,
            responses=errors(400, 401, 403, 404))
def put_education(site: CcusId, worker: CcusId, body: EducationIn, p: Caller, ctx: Context) -> dict[str, Any]:
    with writing(ctx) as conn:
        s = rec.get_site(conn, site)
        w = rec.get_worker(conn, worker)
        require(p.role == "admin" or dis.is_prime_of(p, s) or (p.is_company and p.company == w.employer),
                "recording new-entrant education", "新規入場者教育の記録")
        e = Education(site, worker, body.educated_on)
        rstore.put_education(conn, e)
    return plain_dict(e)
