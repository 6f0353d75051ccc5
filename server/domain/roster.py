"""Site roster (施工体制技能者 / 作業員名簿): who may work on a site, as what, and when.

Each entry puts one worker on one site under their employer, with trade
(職種, the minor 小分類 code is what counts), position (立場: 職長, 班長, …),
work content (作業内容), hazardous-substance handling (有害物質の取り扱い),
special health checks (特殊健康診断) and qualifications, valid from one date
through another (inclusive; open-ended when ``valid_to`` is None). Changes are
new entries with new dates, so the entry valid on any past day is still known.

An entry without trade code or position is *accepted but flagged*: the seed is
explicit that such history is not valid for level assessment, and refusing the
entry would lose the worker's days entirely. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from server.domain.errors import EmployerNotOnSite, Invalid, OverlappingRoster
from server.domain.registry import checked_id
from server.domain.structure import Structure

POSITIONS: tuple[str, ...] = ("職長", "班長", "作業員", "見習い", "その他")
"""Usual positions (立場); the seed lets companies write their own, so others are allowed."""
_TRADE_CODE_RE = re.compile(r"[0-9A-Za-z-]{1,12}")


@dataclass(frozen=True, slots=True)
class RosterEntry:
    site: str
    worker: str
    employer: str
    valid_from: date
    valid_to: date | None = None
    trade_code: str | None = None
    """職種 小分類 code: required for level assessment."""
    trade_name: str | None = None
    position: str | None = None
    work_content: str = ""
    hazardous: str = ""
    health_checks: tuple[str, ...] = ()
    qualifications: tuple[str, ...] = ()
    id: int | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        checked_id(self.site, "site")
        checked_id(self.worker, "worker")
        checked_id(self.employer, "employer")
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise Invalid("valid_to is before valid_from",
                          message_ja="有効期間の終了日が開始日より前です。", field="valid_to")
        if self.trade_code is not None and not _TRADE_CODE_RE.fullmatch(self.trade_code):
            raise Invalid("trade_code must be 1–12 letters, digits or '-'", field="trade_code")
        if self.position is not None and not 0 < len(self.position) <= 40:
            raise Invalid("position must be 1–40 characters", field="position")

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def overlaps(self, other: RosterEntry) -> bool:
        return self.valid_from <= (other.valid_to or date.max) and other.valid_from <= (self.valid_to or date.max)

    @property
    def complete(self) -> bool:
        """Trade (minor code) and position are both set: history counts for level assessment."""
        return bool(self.trade_code) and bool(self.position)

    @property
    def problems(self) -> tuple[str, ...]:
        out = []
        if not self.trade_code:
            out.append("missing_trade")
        if not self.position:
            out.append("missing_position")
        return tuple(out)


def check_roster_entry(entry: RosterEntry, structure: Structure, existing: Iterable[RosterEntry]) -> None:
    """Refuse an entry whose employer is not a registered company on the site, or that overlaps another."""
    if entry.site != structure.site:
        raise Invalid("entry is for another site")
    if entry.employer not in structure.registered_companies():
        raise EmployerNotOnSite(
            f"company {entry.employer} is not a registered (approved) company in the structure of site {entry.site}",
            company=entry.employer,
        )
    for old in existing:
        if old.site == entry.site and old.worker == entry.worker and old.id != entry.id and old.overlaps(entry):
            raise OverlappingRoster(
                f"worker {entry.worker} already has a roster entry on site {entry.site} from {old.valid_from}"
                f" to {old.valid_to or 'open end'}", worker=entry.worker)


def entry_on(entries: Iterable[RosterEntry], worker: str, day: date) -> RosterEntry | None:
    """The roster entry valid for ``worker`` on ``day`` (at most one: overlaps are refused)."""
    for e in entries:
        if e.worker == worker and e.covers(day):
            return e
    return None
