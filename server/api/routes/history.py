"""``/api/v1/.../history``: reconciled work history (就業履歴) by site, worker and company, per month.

Rows are filtered by the disclosure rules: the admin and the prime see a
site's every row; an upper subcontractor the rows of its branch; a company
its own workers' rows (on any site); a worker their own. ``format=csv``
answers ``text/csv`` (UTF-8) with the columns of docs/domain.md.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from server.api.deps import Context
from server.api.domain_models import READ, HistoryOut, RebuildOut, errors
from server.api.routes.registry import visible_worker
from server.api.routes.registry_common import Caller, CcusId, reading, require, writing
from server.context import ServerContext
from server.domain.disclosure import Principal, may_read_row, may_view_site, visible_employers
from server.domain.errors import NotFound
from server.domain.report import check_month, to_csv
from server.store import domain_records as rec
from server.store.domain_reconcile import history, rebuild

router = APIRouter(tags=["history"])
CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}},
          "description": "The rows (JSON), or with format=csv the columns of docs/domain.md as UTF-8 CSV"}}
Format = Literal["json", "csv"]


def _answer(ctx: ServerContext, rows: list[dict[str, Any]], fmt: Format, **head: Any) -> Response | dict[str, Any]:
    """The rows, saying how far reconciliation is behind ingest (``behind``; header ``Genba-History-Behind``)."""
    lag = ctx.worker.lag()
    header = {"Genba-History-Behind": f"{lag.seconds:.3f}"}
    if fmt == "csv":
        return PlainTextResponse(to_csv(rows), media_type="text/csv; charset=utf-8", headers=header)
    return JSONResponse({**head, "behind": lag.as_dict(), "rows": rows}, headers=header)


def visible_rows(conn: Any, p: Principal, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The work-history rows ``p`` may read (its sites' structure and roles; a worker only their own rows).

    The one filter of every history read: the API routes below and the console's calendar use it.
    """
    scopes: dict[str, set[str] | None] = {}
    out = []
    for r in rows:
        if r["site"] not in scopes:
            s = rec.find_site(conn, r["site"])
            if s is None:
                scopes[r["site"]] = None if p.role == "admin" else set()
            else:
                scopes[r["site"]] = visible_employers(p, s, rec.load_structure(conn, s.site))
        scope = scopes[r["site"]]
        if p.role == "worker":
            scope = set()
        if may_read_row(p, r["worker"], r["employer"], scope):
            out.append(r)
    return out


@router.get("/sites/{site}/history", response_model=HistoryOut, response_model_exclude_unset=True,
             responses={**errors(*READ, 422), **CSV})
def site_history(site: CcusId, p: Caller, ctx: Context, month: str, format: Format = "json") -> Any:
    """A site's rows for one month (the data of the monthly reports)."""
    check_month(month)
    with reading(ctx) as conn:
        s = rec.get_site(conn, site)
        rows = visible_rows(conn, p, history(conn, site=site, month=month))
        if not rows and not may_view_site(p, s, rec.load_structure(conn, site), rec.roster_of(conn, site)):
            raise NotFound(f"site {site} is not visible to you", site=site)  # existence is not revealed either
    return _answer(ctx, rows, format, site=site, month=month)


@router.get("/workers/{worker}/history", response_model=HistoryOut, response_model_exclude_unset=True,
             responses={**errors(*READ, 422), **CSV})
def worker_history(worker: CcusId, p: Caller, ctx: Context, month: str, format: Format = "json") -> Any:
    """One worker's rows on every site the caller may see."""
    check_month(month)
    with reading(ctx) as conn:
        rows = visible_rows(conn, p, history(conn, worker=worker, month=month))
        if not rows:  # unknown, and another company's worker, answer the same 404 (issue 9 item 10)
            visible_worker(ctx, conn, p, worker)
    return _answer(ctx, rows, format, worker=worker, month=month)


@router.get("/companies/{company}/history", response_model=HistoryOut, response_model_exclude_unset=True,
             responses={**errors(*READ, 422), **CSV})
def company_history(company: CcusId, p: Caller, ctx: Context, month: str, format: Format = "json") -> Any:
    """The rows of one company's workers (as employer): the admin and the company itself."""
    check_month(month)
    with reading(ctx) as conn:
        rec.get_company(conn, company)
        if not (p.role == "admin" or (p.is_company and p.company == company and p.site is None)):
            raise NotFound(f"the history of company {company} is not visible to you", company=company)
        rows = history(conn, employer=company, month=month)
    return _answer(ctx, rows, format, company=company, month=month)


@router.post("/history/rebuild", response_model=RebuildOut, response_model_exclude_unset=True,
             responses=errors(401, 403))
def post_rebuild(p: Caller, ctx: Context) -> dict[str, int]:
    """Recompute every derived row from the raw events (admin); same as ``genba server rebuild``."""
    require(p.role == "admin", "rebuilding work history", "就業履歴の再計算")
    with writing(ctx) as conn:
        return rebuild(conn)
