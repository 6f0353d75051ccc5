"""Is this kiosk's app older than the minimum the server names? (issue 11, item 13)

Versions are compared by their release numbers (``0.10.2`` > ``0.9.7``); a
suffix after the numbers (``0.2.0rc1``, ``0.2.0+pi``) does not count, so a
release candidate of the minimum is taken as meeting it. An empty minimum, or
one with no release number at all, never marks the kiosk as outdated: a
typo on the server must not put a warning on every gate.
"""

from __future__ import annotations

import re

from shared import __version__

_RELEASE = re.compile(r"[0-9]+(?:\.[0-9]+)*")


def release(version: str) -> tuple[int, ...]:
    """The leading release numbers of a version, zero-padded to three: ``"1.2rc1"`` → ``(1, 2, 0)``."""
    found = _RELEASE.match(version.strip().lstrip("vV"))
    if found is None:
        return ()
    numbers = tuple(int(n) for n in found.group(0).split("."))
    return numbers + (0,) * (3 - len(numbers))


def is_outdated(minimum: str, current: str = __version__) -> bool:
    """True when ``current`` is below ``minimum`` (see the module docstring for the rule)."""
    need = release(minimum)
    if not need:
        return False
    have = release(current)
    width = max(len(need), len(have))
    return have + (0,) * (width - len(have)) < need + (0,) * (width - len(need))
