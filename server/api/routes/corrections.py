"""``/api/v1/corrections``: 事後補正 — a missed day entered directly, approved by the prime contractor.

The worker or their employer requests (until the end of the month after the
work day, in site time); only the site's prime contractor approves or
rejects; every step is in the audit trail. Approval recomputes that day.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import Field

from server.api.deps import Context
from server.api.domain_models import READ, WRITE, CorrectionOut, CorrectionsOut, errors
from server.api.routes.registry_common import (
    Body,
    Caller,
    CcusQuery,
    ItemId,
    plain,
    reading,
    require,
    site_today,
    writing,
)
from server.domain import corrections as corr
from server.domain.disclosure import Principal, is_prime_of, may_request_correction
from server.domain.errors import Invalid, NotFound
from server.domain.reconcile import Rules
from server.store import domain_records as rec
from server.store.domain_reconcile import recompute_day

router = APIRouter(prefix="/corrections", tags=["corrections"])


class CorrectionIn(Body):
    site: str = Field(max_length=14)
    worker: str = Field(max_length=14)
    work_day: date
    entry_at: datetime | None = Field(default=None, description="RFC 3339 with offset")
    exit_at: datetime | None = None
    reason: str = Field(default="", max_length=200)


class DecisionIn(Body):
    note: str = Field(default="", max_length=200)


def _visible(conn: Any, p: Principal, c: corr.Correction) -> bool:
    if p.role == "admin" or (p.role == "worker" and p.worker == c.worker):
        return True
    if not p.is_company:
        return False
    if is_prime_of(p, rec.get_site(conn, c.site)):
        return True
    return rec.get_worker(conn, c.worker).employer == p.company


def _out(conn: Any, c: corr.Correction, audit: bool = False) -> dict[str, Any]:
    body = {**plain(c), "id": c.id, "deadline": corr.deadline(c.work_day).isoformat()}
    body.pop("source_event", None)
    if c.source_event:
        body["source_event"] = {"device": c.source_event[0], "epoch": c.source_event[1], "seq": c.source_event[2]}
    if audit and c.id is not None:
        body["audit"] = plain(rec.audit_of(conn, c.id))
    return body


@router.post("", status_code=201, response_model=CorrectionOut, response_model_exclude_unset=True,
             responses=errors(*WRITE))
def post_correction(body: CorrectionIn, p: Caller, ctx: Context) -> dict[str, Any]:
    """Request a correction for a missed day (worker themself or the employer)."""
    with writing(ctx) as conn:
        site = rec.get_site(conn, body.site)
        worker = rec.get_worker(conn, body.worker)
        require(may_request_correction(p, worker), "corrections for another company's workers",
                "他社技能者の事後補正")
        for moment in (body.entry_at, body.exit_at):
            if moment is not None and moment.tzinfo is None:
                raise Invalid("times must carry an offset", message_ja="時刻には時差（+09:00など）が必要です。")
        c = corr.Correction(site=site.site, worker=worker.worker, work_day=body.work_day, entry_at=body.entry_at,
                            exit_at=body.exit_at, origin="direct", requested_by=p.worker or p.company or p.user,
                            requested_at=ctx.now(), reason=body.reason)
        c, step = corr.request(c, today=site_today(ctx, site.timezone), work_day_of=Rules.for_site(site).work_day)
        cid = rec.add_correction(conn, c, step)
        return _out(conn, rec.get_correction(conn, cid), audit=True)


@router.get("", response_model=CorrectionsOut, response_model_exclude_unset=True,
             responses=errors(400, 401))
def list_corrections(p: Caller, ctx: Context, site: CcusQuery = None,
                     status: Literal["requested", "approved", "rejected"] | None = None) -> dict[str, Any]:
    """Corrections the caller may see (prime: its sites'; company: its workers'; worker: own)."""
    with reading(ctx) as conn:
        items = [c for c in rec.corrections_of(conn, site=site, status=status) if _visible(conn, p, c)]
        return {"corrections": [_out(conn, c) for c in items]}


@router.get("/{cid}", response_model=CorrectionOut, response_model_exclude_unset=True,
             responses=errors(*READ))
def get_correction(cid: ItemId, p: Caller, ctx: Context) -> dict[str, Any]:
    with reading(ctx) as conn:
        c = rec.get_correction(conn, cid)
        if not _visible(conn, p, c):
            raise NotFound(f"correction {cid} is not visible to you", correction=cid)
        return _out(conn, c, audit=True)


def _decide(cid: ItemId, approve: bool, body: DecisionIn, p: Caller, ctx: Context) -> dict[str, Any]:
    with writing(ctx) as conn:
        c = rec.get_correction(conn, cid)
        if not _visible(conn, p, c):
            raise NotFound(f"correction {cid} is not visible to you", correction=cid)
        site = rec.get_site(conn, c.site)
        require(p.is_company and (p.site is None or p.site == site.site),
                "corrections are decided by the prime contractor", "事後補正の承認は元請事業者が行います")
        done, step = corr.decide(c, approve=approve, by=p.company or "", prime=site.prime, at=ctx.now(),
                                 note=body.note)
        rec.save_decision(conn, done, step)
        if approve:
            recompute_day(conn, site.site, done.work_day)
        return _out(conn, rec.get_correction(conn, cid), audit=True)


@router.post("/{cid}/approve", response_model=CorrectionOut, response_model_exclude_unset=True,
             responses=errors(*WRITE))
def approve_correction(cid: ItemId, p: Caller, ctx: Context, body: DecisionIn | None = None) -> dict[str, Any]:
    """The prime contractor approves: the day enters the work history."""
    return _decide(cid, True, body or DecisionIn(), p, ctx)


@router.post("/{cid}/reject", response_model=CorrectionOut, response_model_exclude_unset=True,
             responses=errors(*WRITE))
def reject_correction(cid: ItemId, p: Caller, ctx: Context, body: DecisionIn | None = None) -> dict[str, Any]:
    return _decide(cid, False, body or DecisionIn(), p, ctx)
