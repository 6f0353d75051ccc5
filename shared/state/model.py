"""Plain data kept in state.db: the roster (作業員名簿) with card bindings, the site
configuration, and the sync status shown to people.

Pure: validation only, no I/O. The server's roster JSON and the roster CSV
both become :class:`RosterWorker` values through :func:`check_roster`, so the
rules (14-digit ids, canonical IDm, one worker per card) live in one place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import tzinfo
from typing import Any

from shared.errors import FormatError, GenbaError
from shared.ids import Idm, check_ccus_id, parse_idm
from shared.siterules import DEFAULT_DAY_BOUNDARY_TEXT, DEFAULT_REPEAT_WINDOW_S, DEFAULT_TIMEZONE, site_timezone
from shared.state.errors import RosterInvalid

MAX_TEXT = 200
"""Longest name, furigana, trade or position accepted (characters)."""
_BOUNDARY_RE = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
# The site rules' defaults are written once, in shared/siterules.py.
DEFAULT_DAY_BOUNDARY = DEFAULT_DAY_BOUNDARY_TEXT
_LANGUAGE_RE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})?")
"""A worker's language as a BCP 47 tag (``vi``, ``zh-cn``, ``tl``), lower-cased; the kiosk shows its result screen
in it when it has that translation and in Japanese otherwise."""
_APP_VERSION_RE = re.compile(r"[0-9A-Za-z.+_-]{1,32}")
GATE_FLAGS = ("expired", "education_missing")
"""The gate's warnings a pulled roster may carry per worker (issue 12 item 8): a lapsed health check or
credential, and no 新規入場者教育 on this site. Flags only; the tap is recorded either way."""
MAX_GATE_ENTRIES = 8


@dataclass(frozen=True, slots=True)
class RosterWorker:
    """One worker on the site roster, as the kiosk needs them (ARCHITECTURE decision 9: minimal)."""

    worker: str
    """技能者ID, 14 digits."""
    name: str
    furigana: str = ""
    employer: str = ""
    """所属事業者ID (14 digits) or empty when the company is not CCUS-registered."""
    employer_name: str = ""
    trade: str = ""
    """職種 (name as shown)."""
    trade_code: str = ""
    position: str = ""
    """立場: 職長, 班長, …"""
    idms: tuple[Idm, ...] = ()
    on_roster: bool = True
    """False: a cardholder the server knows (employed by a company on this site's structure) who has no
    roster entry on this site today — the kiosk records the tap and names the missing registration."""
    language: str = ""
    """The worker's own language (BCP 47, lower case: ``vi``, ``zh-cn``); empty means Japanese."""
    gate: tuple[str, ...] = ()
    """What the kiosk warns about on a tap (a subset of :data:`GATE_FLAGS`, in that order); empty: nothing."""

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["idms"] = list(self.idms)
        out["gate"] = list(self.gate)
        return out


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """How the site's day works. Defaults apply until the server (or an operator) says otherwise."""

    site: str | None = None
    name: str = ""
    day_boundary: str = DEFAULT_DAY_BOUNDARY
    """Local time at which one work day ends and the next begins (night shifts stay on one day)."""
    repeat_window_s: int = DEFAULT_REPEAT_WINDOW_S
    timezone: str = DEFAULT_TIMEZONE
    etag: str | None = None
    min_app_version: str = ""
    """The oldest app version the server accepts running here; the kiosk says plainly when it is older."""

    @property
    def zone(self) -> tzinfo:
        """The zone every time of the site is decided and shown in (Japan's when the name is unknown here)."""
        return site_timezone(self.timezone)

    def __post_init__(self) -> None:
        if self.site is not None:
            check_ccus_id(self.site, "site")
        if not _BOUNDARY_RE.fullmatch(self.day_boundary):
            raise FormatError(f"day boundary must be HH:MM (00:00–23:59): {self.day_boundary!r}")
        if type(self.repeat_window_s) is not int or not 0 <= self.repeat_window_s <= 86_400:
            raise FormatError("repeat window must be whole seconds between 0 and 86400")
        if not self.timezone or len(self.timezone) > 64:
            raise FormatError("timezone must be an IANA name such as Asia/Tokyo")
        if len(self.name) > MAX_TEXT:
            raise FormatError(f"site name longer than {MAX_TEXT} characters")
        if self.min_app_version and not _APP_VERSION_RE.fullmatch(self.min_app_version):
            raise FormatError(f"minimum app version must be a version such as 0.2.0: {self.min_app_version!r}")

    @classmethod
    def from_json(cls, obj: Mapping[str, Any], etag: str | None = None) -> SiteConfig:
        """The server's ``/device/config`` body (unknown fields ignored, wrong types refused)."""
        if not isinstance(obj, Mapping):
            raise FormatError("site config must be a JSON object")
        site = obj.get("site")
        name = obj.get("name", "")
        boundary = obj.get("day_boundary", DEFAULT_DAY_BOUNDARY)
        window = obj.get("repeat_window_s", DEFAULT_REPEAT_WINDOW_S)
        tz = obj.get("timezone", DEFAULT_TIMEZONE)
        minimum = obj.get("min_app_version") or ""
        if site is not None and not isinstance(site, str):
            raise FormatError("site config: 'site' must be text")
        if not isinstance(name, str) or not isinstance(boundary, str) or not isinstance(tz, str):
            raise FormatError("site config: 'name', 'day_boundary' and 'timezone' must be text")
        if not isinstance(minimum, str):
            raise FormatError("site config: 'min_app_version' must be text")
        return cls(site=site, name=name, day_boundary=boundary, repeat_window_s=window, timezone=tz, etag=etag,
                   min_app_version=minimum)


@dataclass(frozen=True, slots=True)
class LastError:
    code: str
    ja: str
    en: str
    at: str


@dataclass(frozen=True, slots=True)
class ForkAlarm:
    epoch: int
    seq: int
    at: str


@dataclass(frozen=True, slots=True)
class EpochProgress:
    epoch: int
    last_seq: int
    acked: int

    @property
    def unsent(self) -> int:
        return max(0, self.last_seq - self.acked)


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """Where the records are, for the kiosk screen and ``genba syncd status``."""

    unsent: int
    oldest_unsent_at: str | None
    oldest_unsent_age_s: float | None
    last_success: str | None
    last_attempt: str | None
    last_error: LastError | None
    fork: ForkAlarm | None
    clock_offset_ms: float | None
    epochs: tuple[EpochProgress, ...] = field(default_factory=tuple)
    roster_version: str | None = None
    roster_source: str | None = None
    roster_workers: int = 0

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["epochs"] = [{**asdict(e), "unsent": e.unsent} for e in self.epochs]
        return out


def _text(value: object, what: str, line: int, problems: list[tuple[int, str]], *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.append((line, f"{what} must be text"))
        return ""
    value = value.strip()
    if required and not value:
        problems.append((line, f"{what} is empty"))
    if len(value) > MAX_TEXT:
        problems.append((line, f"{what} is longer than {MAX_TEXT} characters"))
    if any(not c.isprintable() for c in value):
        problems.append((line, f"{what} contains control characters"))
    return value


def check_gate(value: object, line: int, notes: list[tuple[int, str]] | None) -> tuple[str, ...]:
    """The gate flags of one entry. Advisory only, so a bad value never costs the roster: whatever is not a
    known flag is left out and named in ``notes`` (a list that is not a list is ignored whole)."""
    if value is None:
        return ()
    if not isinstance(value, list | tuple) or len(value) > MAX_GATE_ENTRIES:
        if notes is not None:
            notes.append((line, f"gate flags must be a list of at most {MAX_GATE_ENTRIES} of {', '.join(GATE_FLAGS)}; "
                                f"ignored: {str(value)[:60]!r}"))
        return ()
    bad = [v for v in value if not isinstance(v, str) or v not in GATE_FLAGS]
    if bad and notes is not None:
        notes.append((line, f"unknown gate flag(s) ignored: {', '.join(repr(v)[:40] for v in bad[:3])}"))
    return tuple(f for f in GATE_FLAGS if f in value)


def check_worker(raw: Mapping[str, Any], line: int, problems: list[tuple[int, str]],
                 notes: list[tuple[int, str]] | None = None) -> RosterWorker | None:
    """Validate one roster entry (a CSV row or a server JSON object); collect problems, never raise.

    ``notes`` collects what was ignored without refusing the entry (bad gate flags)."""
    before = len(problems)
    worker = _text(raw.get("worker"), "worker id (技能者ID)", line, problems, required=True)
    if worker:
        try:
            check_ccus_id(worker, "worker id (技能者ID)")
        except GenbaError as exc:
            problems.append((line, exc.message))
    employer = _text(raw.get("employer"), "employer id (所属事業者ID)", line, problems)
    if employer:
        try:
            check_ccus_id(employer, "employer id (所属事業者ID)")
        except GenbaError as exc:
            problems.append((line, exc.message))
    texts = {
        name: _text(raw.get(name), label, line, problems, required=(name == "name"))
        for name, label in (
            ("name", "name (氏名)"),
            ("furigana", "furigana (フリガナ)"),
            ("employer_name", "employer name (所属事業者名)"),
            ("trade", "trade (職種)"),
            ("trade_code", "trade code (職種コード)"),
            ("position", "position (立場)"),
        )
    }
    idms: list[Idm] = []
    raw_idms = raw.get("idms", [])
    if not isinstance(raw_idms, list | tuple):
        problems.append((line, "card IDm list must be a list"))
        raw_idms = []
    for value in raw_idms:
        try:
            idm = parse_idm(value.strip() if isinstance(value, str) else value)
        except GenbaError as exc:
            problems.append((line, f"card IDm: {exc.message}"))
            continue
        if idm not in idms:
            idms.append(idm)
    on_roster = raw.get("on_roster", True)
    if not isinstance(on_roster, bool):
        problems.append((line, "on_roster must be true or false"))
    language = _text(raw.get("language"), "language", line, problems).lower().replace("_", "-")
    if language and not _LANGUAGE_RE.fullmatch(language):
        problems.append((line, f"language must be a language code such as vi, zh-CN, id, tl or en: {language!r}"))
    if len(problems) > before:
        return None
    return RosterWorker(worker=worker, employer=employer, idms=tuple(idms), on_roster=bool(on_roster),
                        language=language, gate=check_gate(raw.get("gate"), line, notes), **texts)


def check_roster(entries: Iterable[tuple[int, Mapping[str, Any]]], *,
                 notes: list[tuple[int, str]] | None = None) -> list[RosterWorker]:
    """Validate a whole roster: every entry, and that no card is bound to two workers.

    Entries are (line or position, raw mapping). Rows of the same worker id are
    merged when they agree on everything but the card (one row per card is how
    many exports look). Raises :class:`RosterInvalid` listing every problem. What was ignored without
    refusing anything (bad gate flags) goes to ``notes`` when given.
    """
    problems: list[tuple[int, str]] = []
    by_worker: dict[str, tuple[int, RosterWorker]] = {}
    for line, raw in entries:
        w = check_worker(raw, line, problems, notes)
        if w is None:
            continue
        seen = by_worker.get(w.worker)
        if seen is None:
            by_worker[w.worker] = (line, w)
            continue
        first_line, prev = seen
        same = prev.to_dict() | {"idms": []} == w.to_dict() | {"idms": []}
        if not same:
            problems.append((line, f"worker {w.worker} appears again (line {first_line}) with different details"))
            continue
        merged = prev.idms + tuple(i for i in w.idms if i not in prev.idms)
        by_worker[w.worker] = (first_line, RosterWorker(**{**prev.to_dict(), "idms": merged, "gate": prev.gate}))
    card_owner: dict[str, tuple[int, str]] = {}
    for line, w in by_worker.values():
        for idm in w.idms:
            other = card_owner.get(idm)
            if other is not None and other[1] != w.worker:
                problems.append((line, f"card IDm {idm} is also bound to worker {other[1]} (line {other[0]})"))
            card_owner.setdefault(idm, (line, w.worker))
    if problems:
        raise roster_invalid(problems)
    return [w for _, w in by_worker.values()]


def roster_invalid(problems: list[tuple[int, str]]) -> RosterInvalid:
    """One error naming the first few bad lines; ``.problems`` holds them all, sorted by line."""
    problems = sorted(problems)
    shown = "; ".join(f"line {n}: {m}" for n, m in problems[:5])
    more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
    return RosterInvalid(f"{len(problems)} problem(s) in the roster, nothing imported: {shown}{more}",
                         problems=problems)
