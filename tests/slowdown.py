"""Time limits that grow on a slow machine: ``GENBA_TEST_SLOWDOWN`` (a factor, default 1).

The limits in the tests are upper bounds reached only when a test is failing (a kiosk that never starts, a
message that never arrives); no test measures speed. Under emulation (``tools/arm64_smoke.sh`` runs the
arm64 kiosk under qemu-user, where ``genba --help`` alone takes about 24 s) a healthy start can exceed a bound
sized for a PC, so the smoke script sets ``GENBA_TEST_SLOWDOWN=10`` and every bound taken through
:func:`allow` grows tenfold.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping

VARIABLE = "GENBA_TEST_SLOWDOWN"


def slowdown(environ: Mapping[str, str] = os.environ) -> float:
    """The factor from the environment; a clear error for anything but a finite number from 1 to 100."""
    raw = environ.get(VARIABLE, "").strip()
    if not raw:
        return 1.0
    try:
        factor = float(raw)
    except ValueError:
        raise ValueError(f"{VARIABLE}={raw!r} is not a number; give a factor from 1 to 100, e.g. 10") from None
    if not math.isfinite(factor) or not 1.0 <= factor <= 100.0:
        raise ValueError(f"{VARIABLE}={raw!r} is out of range; give a factor from 1 to 100, e.g. 10")
    return factor


def allow(seconds: float) -> float:
    """``seconds`` on this machine: the bound times the slowdown factor."""
    return seconds * slowdown()
