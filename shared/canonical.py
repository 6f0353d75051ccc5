"""Canonical JSON (RFC 8785, JCS) — the one encoder of the project.

Event bytes are produced here exactly once, when an event is written; stored
bytes are never re-serialised. :func:`parse_canonical` is the other direction:
it refuses input that is not already in canonical form, so two
implementations can never disagree on what bytes an event has.
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785

from shared.errors import FormatError, NotCanonical
from shared.json_limits import check_json_limits

_SAFE = 2**53


def _is_flat(value: Any) -> bool:
    """A flat object: ASCII keys; values are strings, booleans, null, integers within ±2^53, or lists of strings.

    Lists of strings cover batches (their ``events``), which the server parses
    and checks on every upload.
    """
    if type(value) is not dict:
        return False
    for key, val in value.items():
        if type(key) is not str or not key.isascii():
            return False
        kind = type(val)  # exact types: a str or int subclass could serialise differently
        if kind is str or kind is bool or val is None:
            continue
        if kind is int:
            if not -_SAFE < val < _SAFE:
                return False
        elif kind is list:
            if not all(type(item) is str for item in val):
                return False
        else:
            return False
    return True


def canonical_bytes(value: Any) -> bytes:
    """RFC 8785 canonical UTF-8 bytes of a JSON value.

    Events are flat objects of strings and integers. For those, RFC 8785's
    output is exactly what ``json.dumps`` writes with sorted keys, no spaces and
    no ASCII escaping (ASCII keys sort the same by UTF-16 unit and by code
    point; JSON strings use the same minimal escapes), and it is ~5x faster
    than the general encoder. ``tests/shared/test_canonical.py`` proves the two
    paths agree; anything else goes through the ``rfc8785`` package.
    """
    if _is_flat(value):
        try:
            return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: let the reference encoder raise its error
            pass
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise FormatError(f"value cannot be canonicalised: {exc}") from None


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, val in pairs:
        if key in out:
            raise FormatError(f"duplicate key {key!r}")
        out[key] = val
    return out


def parse_canonical(data: bytes, *, max_bytes: int) -> dict[str, Any]:
    """Parse bytes that must be an RFC 8785 canonical JSON object of at most ``max_bytes``."""
    if len(data) > max_bytes:
        raise FormatError(f"object is {len(data)} bytes, more than the limit of {max_bytes}")
    check_json_limits(data)  # depth and number length, before the parser can fail otherwise (issue 9 item 2)
    try:
        text = data.decode("utf-8")
        # The C parser, without a Python hook: duplicate keys cannot pass the canonical comparison
        # below anyway (the parsed object has fewer keys, so its bytes differ), and valid input -- every
        # event on the ingest path -- is what must be fast. Refused input is parsed again for a precise error.
        value = json.loads(text)
    except UnicodeDecodeError:
        raise FormatError("object is not valid UTF-8") from None
    except json.JSONDecodeError as exc:
        raise FormatError(f"object is not JSON: {exc.msg} at byte {exc.pos}") from None
    except (ValueError, RecursionError) as exc:  # not reachable past check_json_limits; never a 500 if it is
        raise FormatError(f"object cannot be parsed: {type(exc).__name__}") from None
    if not isinstance(value, dict):
        raise FormatError("expected a JSON object")
    if canonical_bytes(value) != data:
        json.loads(text, object_pairs_hook=_no_duplicates)  # raises FormatError naming a duplicate key
        raise NotCanonical("object is JSON but not in RFC 8785 canonical form")
    return value
