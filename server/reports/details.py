"""作業員名簿 fields (全建統一様式第5号) that the registry did not hold: personal, health, education, credentials.

These are personal data. They live on the server only: the roster a kiosk
pulls carries the gate's flags (:func:`gate_flags`), never a birth date or an
emergency contact. Who may read them follows the existing disclosure rules
(server.domain.disclosure): whoever may read a worker's roster-level data may
read this sheet; nobody else.

Health-check validity, as the Industrial Safety and Health Regulations set it:
a general check (一般健康診断, 安衛則44条) is due every year, a special check
(特殊健康診断, 安衛則45条等) every six months. A credential (免許・技能講習・特別教育)
expires only where it records an expiry date. Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from server.domain.registry import checked_id
from server.reports.errors import BadDetails

CredentialKind = Literal["licence", "skill_training", "special_education", "other"]
CREDENTIAL_KINDS: tuple[str, ...] = ("licence", "skill_training", "special_education", "other")
CREDENTIAL_LABELS = {"licence": "免許", "skill_training": "技能講習", "special_education": "特別教育",
                     "other": "その他"}
GENERAL_CHECK_VALID = timedelta(days=365)
SPECIAL_CHECK_VALID = timedelta(days=182)
EXPIRY_WARNING = timedelta(days=30)
_PHONE_RE = re.compile(r"[0-9+()\- ]{6,20}")


def _text(value: str, what: str, max_len: int) -> str:
    if not isinstance(value, str) or len(value) > max_len or any(ord(c) < 32 for c in value):
        raise BadDetails(f"{what} must be text of at most {max_len} characters", field=what)
    return value.strip()


@dataclass(frozen=True, slots=True)
class Credential:
    """One qualification (資格・免許), skill training (技能講習) or special education (特別教育)."""

    kind: CredentialKind
    name: str
    obtained: date | None = None
    expires: date | None = None

    def __post_init__(self) -> None:
        if self.kind not in CREDENTIAL_KINDS:
            raise BadDetails(f"credential kind must be one of {', '.join(CREDENTIAL_KINDS)}", field="kind")
        if not _text(self.name, "name", 60):
            raise BadDetails("a credential needs a name", field="name")
        if self.obtained and self.expires and self.expires < self.obtained:
            raise BadDetails("a credential expires before it was obtained", field="expires")


@dataclass(frozen=True, slots=True)
class WorkerDetails:
    worker: str
    birth_date: date | None = None
    hire_date: date | None = None
    """雇入年月日"""
    emergency_name: str = ""
    emergency_relation: str = ""
    emergency_phone: str = ""
    health_general: date | None = None
    """Date of the last general health check (一般健康診断)."""
    health_special: date | None = None
    """Date of the last special health check (特殊健康診断); None if the work needs none."""
    credentials: tuple[Credential, ...] = ()

    def __post_init__(self) -> None:
        checked_id(self.worker, "worker")
        _text(self.emergency_name, "emergency_name", 40)
        _text(self.emergency_relation, "emergency_relation", 20)
        if self.emergency_phone and not _PHONE_RE.fullmatch(self.emergency_phone):
            raise BadDetails("emergency_phone must be 6–20 digits, spaces, +, -, ( or )", field="emergency_phone")
        if self.birth_date and self.hire_date and self.hire_date < self.birth_date:
            raise BadDetails("hire_date is before birth_date", field="hire_date")
        if len(self.credentials) > 40:
            raise BadDetails("at most 40 credentials per worker", field="credentials")


@dataclass(frozen=True, slots=True)
class Education:
    """新規入場者教育 (受入教育): the worker was briefed on this site on ``educated_on``."""

    site: str
    worker: str
    educated_on: date

    def __post_init__(self) -> None:
        checked_id(self.site, "site")
        checked_id(self.worker, "worker")


@dataclass(frozen=True, slots=True)
class Expiring:
    """Something of a worker's that lapses (or lapsed) by ``due``."""

    worker: str
    what: str
    """``health_general``, ``health_special`` or ``credential``"""
    label: str
    due: date


def age_on(birth: date | None, day: date) -> int | None:
    if birth is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def lapses(d: WorkerDetails) -> list[Expiring]:
    """Every dated item of the worker with the day it stops being valid."""
    out = []
    if d.health_general:
        out.append(Expiring(d.worker, "health_general", "一般健康診断", d.health_general + GENERAL_CHECK_VALID))
    if d.health_special:
        out.append(Expiring(d.worker, "health_special", "特殊健康診断", d.health_special + SPECIAL_CHECK_VALID))
    for c in d.credentials:
        if c.expires:
            out.append(Expiring(d.worker, "credential", f"{CREDENTIAL_LABELS[c.kind]}: {c.name}", c.expires))
    return out


def expiring(details: list[WorkerDetails], today: date, within: timedelta = EXPIRY_WARNING) -> list[Expiring]:
    """Items already lapsed or lapsing within ``within`` of ``today`` (default 30 days), soonest first."""
    return sorted((e for d in details for e in lapses(d) if e.due <= today + within),
                  key=lambda e: (e.due, e.worker, e.label))


def expired(d: WorkerDetails | None, today: date) -> bool:
    return d is not None and any(e.due < today for e in lapses(d))


@dataclass(frozen=True, slots=True)
class GateFlags:
    """What the gate may know about a worker: two flags, no personal data."""

    expired: bool = False
    education_missing: bool = False
    labels: tuple[str, ...] = field(default=())


def gate_flags(d: WorkerDetails | None, educated: bool, today: date) -> GateFlags:
    labels = tuple(e.label for e in (lapses(d) if d else []) if e.due < today)
    return GateFlags(expired=bool(labels), education_missing=not educated, labels=labels)
