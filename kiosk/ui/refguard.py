"""Keep CPython 3.11 alive under PySide6 6.12: top up the reference counts of ``None``, ``True``, ``False``.

PySide6 6.12.0 returns ``None`` (void C++ methods) and ``True``/``False``
without taking a reference (harmless on CPython ≥ 3.12, where these objects
are immortal, PEP 683). On CPython 3.11 every such call (``setText``,
``setVisible``, ``addItem``, ``isVisible``…) lowers the object's reference
count by one, and after a few thousand calls the interpreter aborts with
"Fatal Python error: none_dealloc" (or ``bool_dealloc``). A kiosk makes
thousands of such calls an hour, so until PySide6 is fixed (or the project
requires Python 3.12) the Qt side calls :func:`top_up_none` often: it raises
the counts back to a floor no burst of calls can exhaust between two
top-ups. These singletons are never freed, so a higher count has no other
effect.
Measured by tests/kiosk/test_refguard.py; remove this module when the check
there shows no loss.
"""

from __future__ import annotations

import ctypes
import sys

FLOOR = 1 << 30
"""A billion references: at ~10⁵ void calls per second this outlasts any gap between top-ups by hours."""

NEEDED = sys.version_info < (3, 12) and sys.implementation.name == "cpython"


SINGLETONS: tuple[object, ...] = (None, True, False)


def top_up_none() -> int:
    """Raise the reference counts of None, True and False to :data:`FLOOR` where they fell below half
    of it; return how many references were added in total."""
    if not NEEDED:
        return 0
    added = 0
    for obj in SINGLETONS:
        count = sys.getrefcount(obj)
        if count < FLOOR // 2:
            ctypes.c_ssize_t.from_address(id(obj)).value += FLOOR - count
            added += FLOOR - count
    return added


top_up_none()
