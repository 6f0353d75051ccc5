"""The registry: companies (事業者), workers (技能者), sites (現場) and card bindings.

Plain frozen records plus the one rule that spans them: a card (IDm) belongs
to at most one worker on any day, so a lost and reissued card keeps history
right. Bindings carry inclusive ``valid_from`` and optional inclusive
``valid_to`` dates. Records that came from CCUS itself carry ``origin="ccus"``
so linked-system rules (keep identifiable, delete on contract end) can be
applied; records typed in here carry ``origin="local"``.

Never does I/O: the store layer persists these records.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time
from typing import Literal

from server.domain.errors import Invalid, OverlappingBinding, UnsupportedLanguage
from shared.errors import GenbaError
from shared.ids import WORKER_LANGUAGES, Idm, check_ccus_id, parse_idm
from shared.siterules import DEFAULT_DAY_BOUNDARY, DEFAULT_REPEAT_WINDOW_S, DEFAULT_TIMEZONE, MAX_REPEAT_WINDOW_S

Origin = Literal["ccus", "local"]
OrderType = Literal["public_national", "public_local", "private"]
ORDER_TYPES: tuple[str, ...] = ("public_national", "public_local", "private")
ORIGINS: tuple[str, ...] = ("ccus", "local")


def checked_id(value: str, what: str) -> str:
    """A 14-digit CCUS id, refused as :class:`Invalid` (HTTP 422) when malformed."""
    try:
        return check_ccus_id(value, what)
    except GenbaError as exc:
        raise Invalid(exc.message, message_ja=f"{what} は14桁の数字で指定してください。", field=what) from None


def checked_language(value: object) -> str:
    """A worker's language: one of :data:`shared.ids.WORKER_LANGUAGES`, or empty (not set); anything else is
    refused as :class:`UnsupportedLanguage` (HTTP 422, code ``unsupported_language``, with the list)."""
    if value == "" or value in WORKER_LANGUAGES:
        return str(value)
    raise UnsupportedLanguage(f"language must be one of {', '.join(WORKER_LANGUAGES)} (or empty for none): "
                              f"{str(value)[:40]!r}", field="language", allowed=list(WORKER_LANGUAGES))


def _text(value: str, what: str, max_len: int = 200) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > max_len:
        raise Invalid(f"{what} must be 1–{max_len} characters",
                      message_ja=f"{what} を入力してください（{max_len}文字以内）。",
                      field=what)
    return value.strip()


@dataclass(frozen=True, slots=True)
class Company:
    """事業者. ``company`` is the 14-digit 事業者ID."""

    company: str
    name: str
    licence_no: str | None = None
    """建設業許可番号"""
    corporate_no: str | None = None
    """法人番号 (13 digits)"""
    insurance_ok: bool | None = None
    origin: Origin = "local"

    def __post_init__(self) -> None:
        checked_id(self.company, "company")
        _text(self.name, "name")
        if self.corporate_no is not None and not (len(self.corporate_no) == 13 and self.corporate_no.isdigit()):
            raise Invalid("corporate_no must be 13 digits",
                          message_ja="法人番号は13桁の数字です。", field="corporate_no")


@dataclass(frozen=True, slots=True)
class Worker:
    """技能者. ``worker`` is the 14-digit 技能者ID; ``employer`` the 事業者ID of 所属事業者."""

    worker: str
    name: str
    furigana: str
    employer: str
    trade_major: str | None = None
    """職種 大分類 code"""
    trade_minor: str | None = None
    """職種 小分類 code"""
    trade_name: str | None = None
    level: int = 1
    health_insurance: bool | None = None
    pension: bool | None = None
    employment_insurance: bool | None = None
    retirement_fund: bool | None = None
    """建退共 membership"""
    qualifications: tuple[str, ...] = ()
    origin: Origin = "local"
    language: str = ""
    """The worker's own language (:data:`shared.ids.WORKER_LANGUAGES`): the kiosk shows the result of a tap
    in it. Empty: not set (Japanese)."""

    def __post_init__(self) -> None:
        checked_id(self.worker, "worker")
        checked_id(self.employer, "employer")
        _text(self.name, "name")
        _text(self.furigana, "furigana")
        checked_language(self.language)
        if self.level not in (1, 2, 3, 4):
            raise Invalid("level must be 1–4", message_ja="レベルは1〜4です。", field="level")


@dataclass(frozen=True, slots=True)
class Site:
    """現場. ``day_boundary`` is the local time at which one work day ends and the next starts."""

    site: str
    name: str
    prime: str
    """元請 事業者ID"""
    address: str = ""
    order_type: OrderType = "private"
    accumulation_from: date | None = None
    accumulation_to: date | None = None
    """就業履歴蓄積期間"""
    manager: str | None = None
    """現場管理者 (name or 現場管理者ID)"""
    day_boundary: time = DEFAULT_DAY_BOUNDARY
    timezone: str = DEFAULT_TIMEZONE
    repeat_window_s: int = DEFAULT_REPEAT_WINDOW_S
    origin: Origin = "local"

    def __post_init__(self) -> None:
        checked_id(self.site, "site")
        checked_id(self.prime, "prime")
        _text(self.name, "name")
        if self.order_type not in ORDER_TYPES:
            raise Invalid(f"order_type must be one of {', '.join(ORDER_TYPES)}", field="order_type")
        if self.accumulation_from and self.accumulation_to and self.accumulation_to < self.accumulation_from:
            raise Invalid("accumulation period ends before it starts",
                          message_ja="就業履歴蓄積期間の終了日が開始日より前です。",
                          field="accumulation_to")
        if not 0 <= self.repeat_window_s <= MAX_REPEAT_WINDOW_S:
            raise Invalid(f"repeat_window_s must be 0–{MAX_REPEAT_WINDOW_S}", field="repeat_window_s")


def card_idm(value: object) -> Idm:
    """A card's IDm from the API, the console or a load file: :func:`shared.ids.parse_idm` in its canonical form
    (16 upper-case hex digits, as the kiosks send it), refused as :class:`Invalid` (HTTP 422, code invalid)."""
    try:
        return parse_idm(value, canonical=True)
    except GenbaError as exc:
        raise Invalid(exc.message, message_ja="カードのIDmは16桁の16進数（大文字）です。", field="idm") from None


@dataclass(frozen=True, slots=True)
class CardBinding:
    """キャリアアップカード IDm → worker, valid from ``valid_from`` through ``valid_to`` (inclusive, open if None)."""

    idm: Idm
    """Made with :func:`shared.ids.parse_idm` (the one IDm check) at the boundary: :func:`card_idm`."""
    worker: str
    valid_from: date
    valid_to: date | None = None
    id: int | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        card_idm(self.idm)
        checked_id(self.worker, "worker")
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise Invalid("valid_to is before valid_from",
                          message_ja="有効期間の終了日が開始日より前です。", field="valid_to")

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def overlaps(self, other: CardBinding) -> bool:
        end_a = self.valid_to or date.max
        end_b = other.valid_to or date.max
        return self.valid_from <= end_b and other.valid_from <= end_a


def check_new_binding(new: CardBinding, existing: Iterable[CardBinding]) -> None:
    """Refuse a binding that gives a card to two workers (or twice to one) on the same day."""
    for old in existing:
        if old.idm == new.idm and old.overlaps(new) and old.id != new.id:
            raise OverlappingBinding(
                f"card {new.idm} is already bound to worker {old.worker} from {old.valid_from}"
                f" to {old.valid_to or 'open end'}",
                idm=new.idm, worker=old.worker,
            )


def worker_for_card(bindings: Iterable[CardBinding], idm: str, day: date) -> str | None:
    """The worker a card identified on ``day``, or None for an unknown card."""
    for b in bindings:
        if b.idm == idm and b.covers(day):
            return b.worker
    return None
