"""Response bodies of the reports routes (server/api/routes/reports.py), for OpenAPI.

Each is the JSON the route answers, field for field (``extra="forbid"``, as in
:mod:`server.api.domain_models`); dates are the ``YYYY-MM-DD`` strings the route writes. A report itself is a
file, not JSON: :data:`REPORT_FILE` documents its media types, one per format of
:data:`server.reports.FORMATS`.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from server.api.domain_models import Out
from server.reports import FORMATS


class ReportKindOut(Out):
    kind: str = Field(description="The kind in the report's path, e.g. calendar, attendance, roster")
    name: str = Field(description="Its Japanese name (月別カレンダー …)")


class ReportsOut(Out):
    kinds: list[ReportKindOut]
    formats: list[str] = Field(description="Accepted values of the report's format parameter")


class CredentialOut(Out):
    kind: str = Field(description="licence, skill_training, special_education or other")
    name: str
    obtained: str | None = None
    expires: str | None = None


class WorkerDetailsOut(Out):
    """作業員名簿 personal fields of one worker (all empty when nothing is recorded yet)."""

    worker: str
    birth_date: str | None = None
    hire_date: str | None = Field(None, description="雇入年月日")
    emergency_name: str = ""
    emergency_relation: str = ""
    emergency_phone: str = ""
    health_general: str | None = Field(None, description="The last general health check (一般健康診断)")
    health_special: str | None = Field(None, description="The last special health check (特殊健康診断)")
    credentials: list[CredentialOut] = Field(default_factory=list)


class EducationOut(Out):
    """新規入場者教育: the worker was briefed on this site on ``educated_on``."""

    site: str
    worker: str
    educated_on: str


REPORT_FILE: dict[int | str, dict[str, Any]] = {200: {
    "description": "The report as an attachment (Content-Disposition names the file); the media type is the "
                   "format's: " + ", ".join(f"{fmt} → {media}" for fmt, (media, _ext) in FORMATS.items()),
    "content": {media: {"schema": {"type": "string", "format": "binary"}} for media, _ext in FORMATS.values()},
}}
"""The success answer of ``GET /sites/{site}/reports/{kind}``: a file in one of the formats' media types."""
