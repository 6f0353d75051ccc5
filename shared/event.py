"""The event record: one line of a device's append-only log.

An event is what the kiosk journals for every tap (and for the few manager
actions that must leave evidence). Its canonical bytes (RFC 8785) are
computed once, at write time, and are what gets hashed, signed, stored,
batched and ingested. Nothing ever re-serialises a stored event.

Field names are part of the wire protocol (docs/protocol.md §2).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from shared.canonical import canonical_bytes, parse_canonical
from shared.errors import FormatError, InvalidTimestamp
from shared.ids import Idm, check_ccus_id, check_device_id, check_reader_id, parse_idm
from shared.timefmt import parse_rfc3339

FORMAT_VERSION = 1
MAX_EVENT_BYTES = 2048
"""A tap event is about 300 bytes; the limit leaves room for a reason text."""

MAX_REASON_CHARS = 200
CLAIM_YEARS = range(2000, 2100)
"""A manual entry's claimed time is typed by a site manager: a year outside this is a typing error.

The event's own ``at`` is a clock reading and is never bounded here (a tap is never
refused, whatever the clock says); the server flags implausible clocks instead."""
MAX_SAFE_INT = 2**53 - 1
"""RFC 8785 numbers are IEEE doubles: integers above this would not round-trip."""

Kind = Literal["tap", "repeat", "amend", "manual", "bind"]
Direction = Literal["in", "out"]

KINDS: tuple[str, ...] = ("tap", "repeat", "amend", "manual", "bind")
DIRECTIONS: tuple[str, ...] = ("in", "out")

NO_SITE = ""
"""The ``site`` of an event recorded before the device knew its site (a tap is never refused for lack of one).
It claims no site: the server attributes it to the site the device is assigned at that seq (docs/protocol.md §2).
"""

_BOOT_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_APP_RE = re.compile(r"[0-9A-Za-z.+_-]{1,32}")

_REQUIRED = ("v", "device", "epoch", "seq", "boot", "mono_us", "at", "kind", "reader", "site", "app")
_OPTIONAL = ("idm", "direction", "ref", "worker", "claimed_at", "reason")
_ALLOWED = frozenset(_REQUIRED + _OPTIONAL)
_REQUIRED_SET = frozenset(_REQUIRED)


@dataclass(frozen=True, slots=True)
class Event:
    """One journaled event. See docs/protocol.md §2 for each field.

    ``kind`` says what happened:

    - ``tap``: a card was touched and recorded as an entry (入場) or exit (退場);
    - ``repeat``: the same card again within the repeat window; ``ref`` is the
      tap it repeats; not a new entry or exit;
    - ``amend``: a site manager corrected the direction of event ``ref``;
      the original is never edited;
    - ``manual``: a worker who forgot the card, recorded by the site manager;
      the server treats it as a correction (事後補正) needing approval;
    - ``bind``: the site manager bound card ``idm`` to worker ``worker``.
    """

    device: str
    epoch: int
    seq: int
    boot: str
    mono_us: int
    at: str
    kind: Kind
    reader: str
    site: str
    app: str
    idm: Idm | None = None
    direction: Direction | None = None
    ref: int | None = None
    worker: str | None = None
    claimed_at: str | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        validate_fields(self.as_dict())

    def as_dict(self) -> dict[str, Any]:
        """The JSON object of this event, optional fields omitted when absent."""
        out: dict[str, Any] = {"v": FORMAT_VERSION}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is not None:
                out[f.name] = value
        return out

    def to_bytes(self) -> bytes:
        """Canonical bytes. Call once, when the event is written."""
        return canonical_bytes(self.as_dict())

    @classmethod
    def from_bytes(cls, data: bytes) -> Event:
        """Parse and strictly validate stored or received event bytes."""
        obj = parse_canonical(data, max_bytes=MAX_EVENT_BYTES)
        validate_fields(obj)
        return _build(obj)  # validated above: no second validation in __post_init__

    @classmethod
    def from_stored(cls, data: bytes) -> Event:
        """Parse bytes a receiver verified with :meth:`from_bytes` when it stored them (never untrusted input).

        The canonical check and field validation ran once, at ingest; a rebuild
        that reads millions of stored events back must not pay for them again.
        """
        return _build(json.loads(data))


_FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Event))
_SETTERS: tuple[tuple[Callable[[Event, Any], None], str], ...] = tuple(
    (getattr(Event, name).__set__, name) for name in _FIELD_NAMES)
"""The slots' own setters: a frozen dataclass's fields, set without its ``__setattr__`` (which refuses)."""


def _build(obj: dict[str, Any]) -> Event:
    """An :class:`Event` from a validated object (no validation here)."""
    event = object.__new__(Event)
    get = obj.get
    for setter, name in _SETTERS:
        setter(event, get(name))
    return event


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
""":func:`shared.canonical.canonical_bytes`'s fast form (a validated event is a flat object), built once."""


def events_from_bytes(datas: Sequence[bytes]) -> list[Event] | None:
    """:meth:`Event.from_bytes` of every item, in one pass, or None when any item would be refused.

    The fast path of a batch's events (issue 10: a 1,000-event batch is verified per event, and each
    ``json.loads`` call and each canonical re-encoding had a fixed cost larger than its work): the items
    are parsed by ONE ``json.loads`` of ``[item,item,…]``, and each parsed object is re-encoded and compared
    with its item's bytes, then validated. An item is accepted only if its bytes are exactly the canonical
    encoding of a valid event object — which is :meth:`Event.from_bytes`' condition — so a joined parse
    that straddled items can only make the comparison fail. On None the caller runs
    :meth:`Event.from_bytes` per item, which raises the precise error (same code and message as always);
    ``tests/shared/test_event_batch_parse.py`` checks both agree on valid and mutated input.
    """
    if not datas or any(len(d) > MAX_EVENT_BYTES for d in datas):
        return None
    try:
        objs = json.loads(b"[" + b",".join(datas) + b"]")
        if type(objs) is not list or len(objs) != len(datas):
            return None
        encode = _ENCODER.encode
        for obj, data in zip(objs, datas, strict=True):
            if type(obj) is not dict:
                return None
            validate_fields(obj)  # first: a valid event is a flat object, whose canonical form is encode()'s
            if encode(obj).encode("utf-8") != data:
                return None
    except (ValueError, TypeError, RecursionError, FormatError):
        return None  # refused: the per-item path names the error
    return [_build(obj) for obj in objs]


def _int(obj: dict[str, Any], name: str, lo: int) -> None:
    value = obj.get(name)
    if type(value) is not int or not lo <= value <= MAX_SAFE_INT:
        raise FormatError(f"event field {name!r} must be an integer from {lo}: {value!r}")


_NEEDS: dict[str, tuple[str, ...]] = {
    "tap": ("idm", "direction"),
    "repeat": ("idm", "direction", "ref"),
    "amend": ("direction", "ref"),
    "manual": ("worker", "direction", "claimed_at"),
    "bind": ("idm", "worker"),
}
"""The fields each kind needs."""

_CHECKED: dict[tuple[str, str], bool] = {}
"""Text values that passed a pure check (device, boot, reader, site, app, IDm, worker): a batch repeats most of
them in every event. Only successes are kept, so every refusal runs its check (and says the same); bounded."""


def _checked(name: str, value: object, check: Callable[[object], object]) -> None:
    if type(value) is str:
        if (name, value) in _CHECKED:
            return
        check(value)
        if len(_CHECKED) >= 4096:
            _CHECKED.clear()
        _CHECKED[(name, value)] = True
        return
    check(value)


def _check_boot(value: object) -> None:
    if not isinstance(value, str) or not _BOOT_RE.fullmatch(value):
        raise FormatError(f"event field 'boot' must be a lower-case UUID: {value!r}")


def _check_site(value: object) -> None:
    if value != NO_SITE:
        check_ccus_id(value, "site")


def _check_app(value: object) -> None:
    if not isinstance(value, str) or not _APP_RE.fullmatch(value):
        raise FormatError(f"event field 'app' must be a version string: {value!r}")


def _check_idm(value: object) -> None:
    parse_idm(value, canonical=True)


def _check_worker(value: object) -> None:
    check_ccus_id(value, "worker")


def validate_fields(obj: dict[str, Any]) -> None:
    """Check an event object field by field; raise :class:`FormatError` naming the first problem."""
    keys = obj.keys()
    if not (keys >= _REQUIRED_SET and keys <= _ALLOWED) or None in obj.values():  # one test when all is well
        missing = [k for k in _REQUIRED if k not in obj or obj[k] is None]
        if missing:
            raise FormatError(f"event is missing required field(s): {', '.join(missing)}")
        nulls = sorted(k for k in _OPTIONAL if k in obj and obj[k] is None)
        if nulls:  # an absent optional field is omitted, never null: one form per event, so one hash
            raise FormatError(f"event optional field(s) must be omitted, not null: {', '.join(nulls)}")
        if not _ALLOWED.issuperset(obj):
            unknown = sorted(set(obj) - _ALLOWED)
            raise FormatError(f"event has unknown field(s): {', '.join(unknown)}")
    if obj["v"] != FORMAT_VERSION or type(obj["v"]) is not int:
        raise FormatError(f"unsupported event format version {obj['v']!r}")
    _checked("device", obj["device"], check_device_id)
    _int(obj, "epoch", 1)
    _int(obj, "seq", 1)
    _int(obj, "mono_us", 0)
    _checked("boot", obj["boot"], _check_boot)
    parse_rfc3339(obj["at"])
    kind = obj["kind"]
    if kind not in KINDS:
        raise FormatError(f"event kind must be one of {', '.join(KINDS)}: {kind!r}")
    _checked("reader", obj["reader"], check_reader_id)
    _checked("site", obj["site"], _check_site)
    _checked("app", obj["app"], _check_app)

    idm, direction, ref, worker = obj.get("idm"), obj.get("direction"), obj.get("ref"), obj.get("worker")
    if idm is not None:
        _checked("idm", idm, _check_idm)
    if direction is not None and direction not in DIRECTIONS:
        raise FormatError(f"event direction must be 'in' or 'out': {direction!r}")
    if ref is not None:
        _int(obj, "ref", 1)
        if ref >= obj["seq"]:
            raise FormatError("event 'ref' must point to an earlier seq")
    if worker is not None:
        _checked("worker", worker, _check_worker)
    if obj.get("claimed_at") is not None:
        claimed = parse_rfc3339(obj["claimed_at"])
        if claimed.year not in CLAIM_YEARS:  # typed by a person, not read from a clock: refuse at the source
            raise InvalidTimestamp(f"event 'claimed_at' must be in the years {CLAIM_YEARS.start}–"
                                   f"{CLAIM_YEARS.stop - 1}: {obj['claimed_at']!r}")
    reason = obj.get("reason")
    if reason is not None and (not isinstance(reason, str) or not 0 < len(reason) <= MAX_REASON_CHARS):
        raise FormatError(f"event 'reason' must be 1–{MAX_REASON_CHARS} characters")

    needs = _NEEDS[kind]
    lacking = [k for k in needs if obj.get(k) is None]
    if lacking:
        raise FormatError(f"a {kind!r} event needs field(s): {', '.join(lacking)}")
