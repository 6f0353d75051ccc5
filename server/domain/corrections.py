"""Corrections (事後補正 / 直接入力): a missed day entered directly, approved by the prime contractor.

Rules (seed 003, 参考資料5):

- the worker themself or their employer may enter a day the card was not
  touched, **until the end of the month after the work day** (a day worked on
  2026-01-31 may be corrected through 2026-02-28; 2027-12-15 through
  2028-01-31; leap years give 2028-02-29);
- a day in the future cannot be corrected;
- the correction takes effect only when the site's prime contractor approves;
  it may also be rejected; a decided correction cannot be decided again;
- every step is kept as an audit record;
- ``manual`` events from a kiosk become such requests (origin ``manual``),
  judged against the time the site manager recorded them.

Pure functions: each step returns the new request and its audit record.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Literal

from server.domain.errors import AlreadyDecided, CorrectionInFuture, CorrectionTooLate, Invalid, WrongApprover
from server.domain.registry import checked_id

Status = Literal["requested", "approved", "rejected"]
Origin = Literal["direct", "manual"]
MAX_SHIFT = timedelta(hours=20)
"""A correction's exit must follow its entry within one (night) shift."""


def deadline(work_day: date) -> date:
    """The last day a correction of ``work_day`` may be entered: the end of the following month."""
    year, month = (work_day.year + 1, 1) if work_day.month == 12 else (work_day.year, work_day.month + 1)
    return date(year, month, calendar.monthrange(year, month)[1])


def check_window(work_day: date, today: date) -> None:
    """Refuse corrections of future days and of days whose deadline has passed (``today`` in site time)."""
    if work_day > today:
        raise CorrectionInFuture(f"work day {work_day} is in the future (today is {today})", work_day=str(work_day))
    last = deadline(work_day)
    if today > last:
        raise CorrectionTooLate(
            f"corrections for {work_day} were possible until {last} (the end of the following month)",
            message_ja=f"{work_day} の事後補正の期限は {last}（就労翌月末）でした。期限を過ぎています。",
            work_day=str(work_day), deadline=str(last))


@dataclass(frozen=True, slots=True)
class Correction:
    site: str
    worker: str
    work_day: date
    entry_at: datetime | None
    exit_at: datetime | None
    origin: Origin
    requested_by: str
    """事業者ID or 技能者ID of the requester, or ``device:<id>`` for a kiosk manual event."""
    requested_at: datetime
    reason: str = ""
    status: Status = "requested"
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_note: str = ""
    source_event: tuple[str, int, int] | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        checked_id(self.site, "site")
        checked_id(self.worker, "worker")
        if self.entry_at is None and self.exit_at is None:
            raise Invalid("a correction needs an entry time, an exit time or both",
                          message_ja="入場時刻・退場時刻の少なくとも一方を入力してください。")
        for moment in (self.entry_at, self.exit_at, self.requested_at):
            if moment is not None and moment.tzinfo is None:
                raise Invalid("times must carry an offset", message_ja="時刻には時差（+09:00など）が必要です。")
        if self.entry_at and self.exit_at and not self.entry_at <= self.exit_at <= self.entry_at + MAX_SHIFT:
            raise Invalid("the exit must follow the entry within 20 hours",
                          message_ja="退場時刻は入場時刻の後（20時間以内）にしてください。")
        if len(self.reason) > 200:
            raise Invalid("reason must be at most 200 characters")


@dataclass(frozen=True, slots=True)
class AuditStep:
    """One line of a correction's audit trail."""

    correction: int | None
    at: datetime
    action: Literal["requested", "approved", "rejected", "refused"]
    by: str
    note: str = ""


def check_times(correction: Correction, work_day_of: Callable[[datetime], date]) -> None:
    """The times must belong to the work day (an exit alone may end a night shift on the next day)."""
    day = correction.work_day
    if correction.entry_at is not None and work_day_of(correction.entry_at) != day:
        raise Invalid(f"the entry time is not on work day {day} (site time, day boundary applied)",
                      message_ja=f"入場時刻が就業日 {day} のものではありません。", field="entry_at")
    if correction.entry_at is None and correction.exit_at is not None and \
            work_day_of(correction.exit_at) not in (day, day + timedelta(days=1)):
        raise Invalid(f"the exit time is not on work day {day} or the night after it",
                      message_ja=f"退場時刻が就業日 {day}（またはその夜勤明け）のものではありません。", field="exit_at")


def request(correction: Correction, *, today: date,
            work_day_of: Callable[[datetime], date] | None = None) -> tuple[Correction, AuditStep]:
    """Accept a new request if its work day is inside the correction window (and its times on that day)."""
    check_window(correction.work_day, today)
    if work_day_of is not None:
        check_times(correction, work_day_of)
    if correction.status != "requested":
        raise Invalid("a new correction must be in status 'requested'")
    return correction, AuditStep(correction.id, correction.requested_at, "requested", correction.requested_by,
                                 correction.reason)


def decide(correction: Correction, *, approve: bool, by: str, prime: str, at: datetime,
           note: str = "") -> tuple[Correction, AuditStep]:
    """The prime contractor ``prime`` of the site approves or rejects (``by`` must be that company)."""
    if correction.status != "requested":
        raise AlreadyDecided(f"correction {correction.id} is already {correction.status}", status=correction.status)
    if by != prime:
        raise WrongApprover(f"only the prime contractor {prime} of site {correction.site} may decide corrections",
                            message_ja="事後補正を承認・却下できるのは、この現場の元請事業者だけです。")
    status: Status = "approved" if approve else "rejected"
    new = replace(correction, status=status, decided_by=by, decided_at=at, decision_note=note)
    return new, AuditStep(correction.id, at, status, by, note)
