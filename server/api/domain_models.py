"""Response bodies of the domain API (registry, structure, roster, corrections, users, history), for OpenAPI.

Each is the JSON a route answers, field for field, so the served schema is the
real one. Dates, times and datetimes are the strings the routes write
(``2026-11-01``, ``04:00``, RFC 3339 with milliseconds), typed as strings here
so that the answer is passed through unchanged. Routes are declared with
``response_model_exclude_unset=True``: a field a route leaves out (a worker
field the caller may not see, a correction's ``audit`` on a list) stays out of
the answer instead of appearing as ``null``. ``extra="forbid"``: a route that
answers a field not written here fails loudly in the tests instead of losing it.

Every refusal is an :class:`server.api.models.ErrorBody`; :func:`errors` lists
the 4xx a route may answer.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from server.api.models import ErrorBody

ERROR_MEANING: dict[int, str] = {
    400: "Malformed input: body, path or query (`malformed`, `invalid_id` …)",
    401: "No or a wrong bearer token (`bad_token`)",
    403: "The caller's role may not do this (`forbidden`, `wrong_company`)",
    404: "Unknown, or not visible to the caller (`not_found`): the same answer for both",
    406: "No format both sides accept (`unknown_report_format`)",
    409: "Conflicts with what is stored (`conflict`, `duplicate`, `overlapping_binding` …)",
    410: "Expired (`enrollment_code_expired`)",
    413: "Body too large (`too_large`)",
    415: "Wrong Content-Type (`unsupported_media_type`)",
    422: "Well-formed but not acceptable (`invalid`, `employer_not_on_site`, `correction_past_deadline` …)",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route that may answer these 4xx, each with the error body."""
    return {code: {"model": ErrorBody, "description": ERROR_MEANING[code]} for code in codes}


READ = (400, 401, 404)
"""A read of one thing by id: malformed id, no token, unknown or not visible."""
WRITE = (400, 401, 403, 404, 409, 422)
"""A change: also the role's limits, conflicts with what is stored, and values the rules refuse."""


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- registry

class CompanyOut(Out):
    company: str
    name: str
    licence_no: str | None = None
    corporate_no: str | None = None
    insurance_ok: bool | None = None
    origin: str = Field(description="ccus or local")


class CompaniesOut(Out):
    companies: list[CompanyOut]


class ProxiesOut(Out):
    company: str
    proxies: list[str] = Field(description="Companies this employer agreed may register its roster (代理手続)")


class WorkerOut(Out):
    """A worker record. Read by another company, only the fields it may see are present (disclosure rules)."""

    worker: str | None = None
    name: str | None = None
    furigana: str | None = None
    employer: str | None = None
    trade_major: str | None = None
    trade_minor: str | None = None
    trade_name: str | None = None
    level: int | None = None
    health_insurance: bool | None = None
    pension: bool | None = None
    employment_insurance: bool | None = None
    retirement_fund: bool | None = None
    qualifications: list[str] | None = None
    origin: str | None = None
    language: str | None = Field(default=None, description="The worker's own language (ja, en, vi, zh, id, tl); "
                                                           "empty: not set. Shown to the admin, the employer and "
                                                           "the worker.")


class WorkersOut(Out):
    workers: list[WorkerOut]


class ConsentOut(Out):
    worker: str
    worker_consent: list[str]
    employer_consent: list[str]
    disclosed: list[str] = Field(description="Fields both agreed to disclose")


class CardOut(Out):
    idm: str
    worker: str
    valid_from: str
    valid_to: str | None = None
    id: int | None = None


class CardsOut(Out):
    cards: list[CardOut]


class SiteOut(Out):
    site: str
    name: str
    prime: str
    address: str
    order_type: str
    accumulation_from: str | None = None
    accumulation_to: str | None = None
    manager: str | None = None
    day_boundary: str = Field(description="HH:MM, site time")
    timezone: str
    repeat_window_s: int
    origin: str


class SitesOut(Out):
    sites: list[SiteOut]


# ---------------------------------------------------------------- roster

class RosterEntryOut(Out):
    site: str
    worker: str
    employer: str
    valid_from: str
    valid_to: str | None = None
    trade_code: str | None = None
    trade_name: str | None = None
    position: str | None = None
    work_content: str
    hazardous: str
    health_checks: list[str]
    qualifications: list[str]
    id: int | None = None
    problems: list[str] = Field(description="missing_trade, missing_position: not valid for level assessment")
    complete: bool


class SiteRosterOut(Out):
    site: str
    entries: list[RosterEntryOut]


# ---------------------------------------------------------------- structure

class MemberOut(Out):
    member: int
    parent: int | None = None
    tier: int
    company: str | None = None
    name: str
    status: str = Field(description="pending (未承認), registered (登録) or placeholder (CCUS未登録)")
    invited_at: str
    approved_at: str | None = None
    work_name: str
    work_description: str


class ChangeOut(Out):
    site: str
    at: str
    action: str
    member: int
    by: str
    parent: int | None = None
    company: str | None = None
    name: str
    work_name: str
    work_description: str


class StructureOut(Out):
    site: str
    members: list[MemberOut]
    chart: list[str] = Field(description="The structure chart as text lines")
    change: ChangeOut | None = Field(default=None, description="The change just made (answers of changes only)")


class StructureHistoryOut(Out):
    site: str
    changes: list[ChangeOut]


# ---------------------------------------------------------------- corrections

class SourceEventOut(Out):
    device: str
    epoch: int
    seq: int


class AuditStepOut(Out):
    correction: int | None = None
    at: str
    action: str
    by: str
    note: str


class CorrectionOut(Out):
    site: str
    worker: str
    work_day: str
    entry_at: str | None = None
    exit_at: str | None = None
    origin: str
    requested_by: str
    requested_at: str
    reason: str
    status: str = Field(description="requested, approved or rejected")
    decided_by: str | None = None
    decided_at: str | None = None
    decision_note: str
    id: int | None = None
    deadline: str = Field(description="The last day a correction of this work day may be requested")
    source_event: SourceEventOut | None = Field(default=None, description="The kiosk event it came from, if any")
    audit: list[AuditStepOut] | None = Field(default=None, description="Every step (answers about one correction)")


class CorrectionsOut(Out):
    corrections: list[CorrectionOut]


# ---------------------------------------------------------------- users

class UserCreatedOut(Out):
    id: int
    token: str = Field(description="The API token: shown in this answer only")
    name: str
    role: str
    company: str | None = None
    worker: str | None = None
    site: str | None = None


class UserRow(Out):
    id: int
    name: str
    role: str
    company: str | None = None
    worker: str | None = None
    site: str | None = None
    created_at: str
    revoked_at: str | None = None


class UsersOut(Out):
    users: list[UserRow]


class UserRevokedOut(Out):
    id: int
    revoked: bool


class MeOut(Out):
    user: str
    role: str
    company: str | None = None
    worker: str | None = None
    site: str | None = None


# ---------------------------------------------------------------- history

class BehindOut(Out):
    pending: int = Field(description="Ingested batches not reconciled yet")
    oldest: str | None = Field(default=None, description="Ingest time of the oldest of them")
    seconds: float = Field(description="How far history is behind ingest (also the Genba-History-Behind header)")


class HistoryRowOut(Out):
    site: str
    work_day: str
    worker: str | None = None
    idm: str | None = None
    employer: str | None = None
    trade_code: str | None = None
    trade_name: str | None = None
    position: str | None = None
    work_content: str
    hazardous: str
    first_entry: str | None = None
    last_exit: str | None = None
    minutes_on_site: int | None = None
    source: str
    taps: int
    devices: list[str]
    flags: list[str]
    valid_for_assessment: bool


class HistoryOut(Out):
    """One month of work history; ``site``, ``worker`` or ``company`` names what was asked for."""

    site: str | None = None
    worker: str | None = None
    company: str | None = None
    month: str
    behind: BehindOut
    rows: list[HistoryRowOut]


class RebuildOut(Out):
    events: int
    rows: int
    sites: int
