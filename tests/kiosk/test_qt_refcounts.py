"""Guard against PySide6's reference-count defect (6.12.0 on CPython 3.11): Qt calls must not lose references.

PySide6 6.12.0 returned None/True/False from C++ without taking a reference; on CPython 3.11 a kiosk
aborted with "Fatal Python error: none_dealloc" after a few thousand calls. pyproject.toml pins a release
without it; this test fails if an upgrade brings the defect back (see docs/kiosk.md). On CPython 3.12+ the
three are immortal (PEP 683), so the defect cannot crash there; the test then checks that they still are.
It also runs against the Raspberry Pi's PySide6 (6.8.0.2) in tests/test_platforms.py.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QLabel, QListWidget

CALLS = 20_000
"""Far more than the few thousand references CPython 3.11 holds to None: with the defect, a clear loss."""
IMMORTAL_SINGLETONS = sys.version_info >= (3, 12)
IMMORTAL_FLOOR = 2**31
"""CPython 3.12+ starts an immortal object's count at 2**32 - 1 (64-bit) and treats it as immortal above 2**31."""


def test_void_and_bool_qt_calls_do_not_lose_references_to_none_true_false(qapp: QApplication) -> None:
    label, items = QLabel(), QListWidget()
    label.setText("warm up")  # the first calls may cache a few references; count from after them
    label.isVisible()
    before = {name: sys.getrefcount(obj) for name, obj in (("None", None), ("True", True), ("False", False))}
    for i in range(CALLS):
        label.setText("x")  # void: returns None
        label.setVisible(bool(i % 2))
        label.isVisible()  # returns True or False
        label.hasFocus()
        if i % 200 == 0:
            items.addItem(str(i))
    after = {name: sys.getrefcount(obj) for name, obj in (("None", None), ("True", True), ("False", False))}
    if IMMORTAL_SINGLETONS:
        # PEP 683 (CPython 3.12+): None/True/False are immortal; a stable-ABI extension's unmatched decrements
        # move the counter (PySide6 6.8 and 6.11 both do, harmlessly) but can never bring it near freeing.
        mortal = {name: n for name, n in after.items() if n < IMMORTAL_FLOOR}
        assert not mortal, f"None/True/False are no longer immortal: {mortal}"
        return
    lost = {name: before[name] - after[name] for name in before if after[name] < before[name] - 10}
    assert not lost, f"PySide6 lost references (the 6.12.0 defect is back): {lost}"
