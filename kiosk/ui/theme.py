"""Sizes, colours and the style sheet, computed from the window size.

The kiosk must be readable from a step away on 800×480, 1024×600,
720×1280 (portrait) and 1920×1080 screens: type and touch targets scale
with the short side of the window, and no touch target is ever below 48 px.
Colour never carries meaning alone: every state also has a word and an icon.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from PySide6.QtCore import QObject

MIN_TOUCH_PX = 48
_W = TypeVar("_W", bound=QObject)

# Colour per meaning (text is white on all of them; contrast ≥ 4.5:1).
ENTRY = "#1b7a3a"
EXIT = "#1f4e9c"
REPEAT = "#4a4f57"
WARN = "#9a5800"
ERROR = "#b00020"
BACKGROUND = "#111418"
PANEL = "#1e232a"
TEXT = "#ffffff"
MUTED = "#c7ccd4"
OK = "#2e9d57"


@dataclass(frozen=True, slots=True)
class Metrics:
    width: int
    height: int

    @property
    def portrait(self) -> bool:
        return self.height > self.width

    @property
    def unit(self) -> float:
        """1.0 on an 800×480 screen; scales with the short side."""
        return max(0.8, min(self.width, self.height) / 480)

    def px(self, base: float) -> int:
        return round(base * self.unit)

    @property
    def touch(self) -> int:
        return max(MIN_TOUCH_PX, min(self.px(56), 100))

    @property
    def clock_pt(self) -> int:
        return self.px(120 if self.portrait else 80)

    @property
    def icon(self) -> int:
        return self.px(80)


def style_sheet(m: Metrics) -> str:
    px = m.px
    return f"""
    QWidget {{ background: {BACKGROUND}; color: {TEXT}; font-size: {px(20)}px;
              font-family: "Noto Sans CJK JP", "Noto Sans JP", sans-serif; }}
    QLabel#clock {{ font-size: {m.clock_pt}px; font-weight: 700; }}
    QLabel#site {{ font-size: {px(26)}px; font-weight: 700; }}
    QLabel#date {{ font-size: {px(24)}px; color: {MUTED}; }}
    QLabel#prompt {{ font-size: {px(36)}px; font-weight: 700; }}
    QLabel#chip {{ background: {PANEL}; border-radius: {px(8)}px; padding: {px(6)}px {px(12)}px;
                   font-size: {px(20)}px; }}
    QLabel#forced {{ background: {WARN}; border-radius: {px(8)}px; padding: {px(6)}px {px(12)}px;
                     font-size: {px(22)}px; font-weight: 700; }}
    QLabel#problem {{ background: {ERROR}; border-radius: {px(8)}px; padding: {px(8)}px {px(12)}px;
                      font-size: {px(22)}px; font-weight: 700; }}
    QLabel#status {{ font-size: {px(18)}px; color: {MUTED}; }}
    QLabel#headline {{ font-size: {px(44)}px; font-weight: 800; background: transparent; }}
    QLabel#name {{ font-size: {px(36)}px; font-weight: 700; background: transparent; }}
    QLabel#detail {{ font-size: {px(22)}px; background: transparent; }}
    QLabel#note, QLabel#tech_detail {{ font-size: {px(18)}px; background: transparent; color: {MUTED}; }}
    QLabel#warnbox {{ background: rgba(0,0,0,0.35); border-radius: {px(8)}px; padding: {px(8)}px;
                      font-size: {px(22)}px; font-weight: 700; }}
    QLabel#title {{ font-size: {px(28)}px; font-weight: 700; }}
    QLabel#pinshow {{ font-size: {px(44)}px; letter-spacing: {px(8)}px; background: {PANEL};
                      border-radius: {px(8)}px; padding: {px(6)}px; }}
    FeedbackScreen QLabel {{ background: transparent; }}
    {"".join(f'FeedbackScreen[tone="{c}"] {{ background: {c}; }} ' for c in (ENTRY, EXIT, REPEAT, WARN, ERROR))}
    QPushButton {{ background: {PANEL}; border: 2px solid #3a424d; border-radius: {px(10)}px;
                   min-height: {m.touch}px; min-width: {m.touch}px; padding: 0 {px(14)}px;
                   font-size: {px(24)}px; font-weight: 700; }}
    QPushButton:pressed, QPushButton:checked {{ background: #3a424d; border-color: {TEXT}; }}
    QPushButton:disabled {{ color: #6b7380; }}
    QPushButton#entry {{ background: {ENTRY}; }}
    QPushButton#exit {{ background: {EXIT}; }}
    QPushButton#danger {{ background: {ERROR}; }}
    QListWidget {{ background: {PANEL}; border-radius: {px(8)}px; font-size: {px(22)}px; }}
    QListWidget::item {{ min-height: {m.touch}px; padding: 0 {px(8)}px; }}
    QListWidget::item:selected {{ background: {EXIT}; }}
    QTabBar::tab {{ min-height: {m.touch}px; min-width: {px(72)}px; padding: 0 {px(12)}px;
                    font-size: {px(20)}px; background: {PANEL}; }}
    QTabBar::tab:selected {{ background: #3a424d; }}
    QTabBar QToolButton {{ min-width: {m.touch}px; min-height: {m.touch}px; background: {PANEL}; }}
    QTimeEdit {{ min-height: {m.touch}px; font-size: {px(28)}px; padding: 0 {m.touch}px; }}
    QTimeEdit::down-button {{ subcontrol-origin: border; subcontrol-position: left;
                              width: {m.touch}px; height: {m.touch}px; }}
    QTimeEdit::up-button {{ subcontrol-origin: border; subcontrol-position: right;
                            width: {m.touch}px; height: {m.touch}px; }}
    QScrollBar:vertical {{ width: {max(24, px(28))}px; }}
    """


def named(widget: _W, name: str) -> _W:
    """Give a widget the object name its style-sheet role uses (``clock``, ``entry``, …)."""
    widget.setObjectName(name)
    return widget


SCREEN_SIZES: tuple[tuple[int, int], ...] = ((800, 480), (1024, 600), (720, 1280), (1920, 1080))
"""The displays the kiosk is laid out for (the 7" and 10" panels, a portrait tablet, a monitor)."""
