"""The kiosk at the site entrance: the tap pipeline and its decisions (no Qt) and, in ``kiosk.ui``, the screen.

Never imports syncd or server (import-linter); only ``kiosk.ui`` imports PySide6.
See docs/kiosk.md.
"""

from kiosk.core import IdleStatus, KioskCore
from kiosk.direction import GateMode, decide
from kiosk.pipeline import Outcome, OutcomeKind, TapPipeline
from kiosk.today import Today
from shared.siterules import work_day

__all__ = ["GateMode", "IdleStatus", "KioskCore", "Outcome", "OutcomeKind", "TapPipeline", "Today", "decide",
           "work_day"]
