"""Sizes, colours and the style sheet, computed from the window size and the chosen theme.

The kiosk must be readable at arm's length, in sunlight, on 800×480, 1024×600, 720×1280 (portrait) and
1920×1080 screens: type and touch targets scale with the short side of the window, no touch target is ever
below 48 px, and glove-sized controls (list rows, scroll bars, the time picker) are at least 64 px. Colour
never carries meaning alone: every state also has a word and an icon.

Two themes: ``dark`` (the default, for a shaded entrance) and ``light``, a high-contrast daylight theme —
black on white, and feedback screens as white with a thick coloured frame and a dark coloured headline,
because a saturated full-screen fill washes out in direct sun while black on white does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from PySide6.QtCore import QObject

MIN_TOUCH_PX = 48
GLOVE_PX = 64
"""Smallest row, scroll bar or picker step a gloved finger hits reliably."""
_W = TypeVar("_W", bound=QObject)
THEMES = ("dark", "light")


@dataclass(frozen=True, slots=True)
class Palette:
    """One theme's colours. ``tones`` fill the feedback screen (dark) or frame it (light)."""

    name: str
    background: str
    panel: str
    border: str
    pressed: str
    text: str
    muted: str
    ok: str
    warn: str
    error: str
    entry: str
    exit: str
    repeat: str
    on_fill: str
    """Text on the entry/exit/warn/error fills (buttons, banners)."""

    def tone(self, name: str) -> str:
        return {"entry": self.entry, "exit": self.exit, "repeat": self.repeat, "warn": self.warn,
                "error": self.error}[name]


# Text is white on every fill; contrast ≥ 4.5:1 (dark) and ≥ 7:1 against white for the light theme's tones.
DARK = Palette("dark", background="#111418", panel="#1e232a", border="#3a424d", pressed="#3a424d", text="#ffffff",
               muted="#c7ccd4", ok="#2e9d57", warn="#9a5800", error="#b00020", entry="#1b7a3a", exit="#1f4e9c",
               repeat="#4a4f57", on_fill="#ffffff")
LIGHT = Palette("light", background="#ffffff", panel="#e6e8eb", border="#1f2328", pressed="#b9c0c8", text="#000000",
                muted="#2b3138", ok="#0a6129", warn="#7a4100", error="#a0001c", entry="#0a6129", exit="#123f8a",
                repeat="#33383f", on_fill="#ffffff")
TONES = ("entry", "exit", "repeat", "warn", "error")

# Kept for callers that want the dark theme's meaning colours by name.
ENTRY, EXIT, REPEAT, WARN, ERROR, OK = DARK.entry, DARK.exit, DARK.repeat, DARK.warn, DARK.error, DARK.ok
BACKGROUND, PANEL, TEXT, MUTED = DARK.background, DARK.panel, DARK.text, DARK.muted


def palette(name: str) -> Palette:
    return LIGHT if name == "light" else DARK


@dataclass(frozen=True, slots=True)
class Metrics:
    width: int
    height: int
    theme: str = "dark"

    @property
    def colors(self) -> Palette:
        return palette(self.theme)

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
    def glove(self) -> int:
        return max(GLOVE_PX, min(self.px(68), 120))

    @property
    def scrollbar(self) -> int:
        """Scroll bars: thumb-wide (the lists also scroll by dragging them), never a hairline."""
        return max(36, min(self.px(40), 72))

    @property
    def clock_pt(self) -> int:
        return self.px(120 if self.portrait else 70)

    @property
    def icon(self) -> int:
        return self.px(150 if self.portrait else 112)

    @property
    def headline_px(self) -> int:
        """The largest size the feedback headline may take (it shrinks to fit its words, never below half)."""
        return self.px(120 if self.portrait else 104)


def style_sheet(m: Metrics) -> str:
    px, c = m.px, m.colors
    light = c.name == "light"
    tones = "".join(
        (f'FeedbackScreen[tone="{t}"] {{ background: {c.background}; border: {px(10)}px solid {c.tone(t)}; }} '
         f'FeedbackScreen[tone="{t}"] QLabel#headline {{ color: {c.tone(t)}; }} ')
        if light else f'FeedbackScreen[tone="{t}"] {{ background: {c.tone(t)}; }} '
        for t in TONES)
    box = "rgba(0,0,0,0.07)" if light else "rgba(0,0,0,0.35)"
    return f"""
    QWidget {{ background: {c.background}; color: {c.text}; font-size: {px(20)}px;
              font-family: "Noto Sans CJK JP", "Noto Sans JP", "Noto Sans CJK SC", sans-serif; }}
    QLabel#clock {{ font-size: {m.clock_pt}px; font-weight: 700; }}
    QLabel#site {{ font-size: {px(28)}px; font-weight: 700; }}
    QLabel#date {{ font-size: {px(26)}px; color: {c.muted}; }}
    QLabel#prompt {{ font-size: {px(36)}px; font-weight: 800; }}
    QLabel#chip {{ background: {c.panel}; border-radius: {px(8)}px; padding: {px(6)}px {px(12)}px;
                   font-size: {px(20)}px; }}
    QLabel#forced {{ background: {c.warn}; color: {c.on_fill}; border-radius: {px(8)}px;
                     padding: {px(6)}px {px(12)}px; font-size: {px(22)}px; font-weight: 700; }}
    QLabel#problem {{ background: {c.error}; color: {c.on_fill}; border-radius: {px(8)}px;
                      padding: {px(8)}px {px(12)}px; font-size: {px(22)}px; font-weight: 700; }}
    QLabel#status {{ font-size: {px(18)}px; color: {c.muted}; }}
    QLabel#headline {{ font-weight: 900; background: transparent; }}
    QLabel#name {{ font-size: {px(52)}px; font-weight: 800; background: transparent; }}
    QLabel#employer {{ font-size: {px(28)}px; background: transparent; }}
    QLabel#detail {{ font-size: {px(26)}px; font-weight: 600; background: transparent; }}
    QLabel#note, QLabel#tech_detail {{ font-size: {px(18)}px; background: transparent; color: {c.muted}; }}
    QLabel#warnbox {{ background: {box}; border-radius: {px(8)}px; padding: {px(8)}px;
                      font-size: {px(24)}px; font-weight: 700; }}
    QLabel#title {{ font-size: {px(28)}px; font-weight: 700; }}
    QLabel#pinshow {{ font-size: {px(44)}px; letter-spacing: {px(8)}px; background: {c.panel};
                      border-radius: {px(8)}px; padding: {px(6)}px; }}
    QLabel#timeshow {{ font-size: {px(44)}px; font-weight: 800; background: {c.panel};
                       border-radius: {px(8)}px; padding: 0 {px(12)}px; }}
    FeedbackScreen QLabel {{ background: transparent; }}
    {tones}
    QPushButton {{ background: {c.panel}; color: {c.text}; border: 2px solid {c.border}; border-radius: {px(10)}px;
                   min-height: {m.touch}px; min-width: {m.touch}px; padding: 0 {px(14)}px;
                   font-size: {px(24)}px; font-weight: 700; }}
    QPushButton:pressed, QPushButton:checked {{ background: {c.pressed}; border: {px(4)}px solid {c.text}; }}
    QPushButton:disabled {{ color: #6b7380; }}
    QPushButton#entry {{ background: {c.entry}; color: {c.on_fill}; }}
    QPushButton#exit {{ background: {c.exit}; color: {c.on_fill}; }}
    QPushButton#danger {{ background: {c.error}; color: {c.on_fill}; }}
    QPushButton#entry:checked, QPushButton#exit:checked {{ border: {px(5)}px solid {c.text}; }}
    QPushButton#step {{ min-height: {m.glove}px; min-width: {m.glove}px; font-size: {px(22)}px;
                        padding: 0 {px(2)}px; }}
    QPushButton#glove {{ min-height: {m.glove}px; min-width: {m.glove}px; font-size: {px(30)}px; }}
    QListWidget {{ background: {c.panel}; border-radius: {px(8)}px; font-size: {px(22)}px; }}
    QListWidget::item {{ min-height: {m.glove}px; padding: 0 {px(8)}px; border-bottom: 1px solid {c.border}; }}
    QListWidget::item:selected {{ background: {c.exit}; color: {c.on_fill}; }}
    QTabBar::tab {{ min-height: {m.touch}px; min-width: {px(72)}px; padding: 0 {px(12)}px;
                    font-size: {px(20)}px; background: {c.panel}; color: {c.text}; }}
    QTabBar::tab:selected {{ background: {c.pressed}; font-weight: 800; }}
    QTabBar QToolButton {{ min-width: {m.touch}px; min-height: {m.touch}px; background: {c.panel}; }}
    QScrollBar:vertical {{ width: {m.scrollbar}px; background: {c.panel}; margin: 0; }}
    QScrollBar::handle:vertical {{ min-height: {m.glove}px; background: {c.muted}; border-radius: {px(6)}px;
                                   margin: {px(3)}px; }}
    QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical {{ height: 0; }}
    QScrollBar::add-page, QScrollBar::sub-page {{ background: {c.panel}; }}
    QScrollBar:horizontal {{ height: {m.scrollbar}px; background: {c.panel}; }}
    QScrollBar::handle:horizontal {{ min-width: {m.glove}px; background: {c.muted}; border-radius: {px(6)}px;
                                     margin: {px(3)}px; }}
    QScrollBar::add-line:horizontal, QScrollBar::sub-line:horizontal {{ width: 0; }}
    """


def named(widget: _W, name: str) -> _W:
    """Give a widget the object name its style-sheet role uses (``clock``, ``entry``, …)."""
    widget.setObjectName(name)
    return widget


SCREEN_SIZES: tuple[tuple[int, int], ...] = ((800, 480), (1024, 600), (720, 1280), (1920, 1080))
"""The displays the kiosk is laid out for (the 7" and 10" panels, a portrait tablet, a monitor)."""
