"""Japanese and Chinese lines that break between phrases, never inside a word ("があ／りません").

Qt breaks CJK text between any two characters. BudouX (Google's phrase segmenter, pure Python) splits a
sentence into phrases; inside a phrase a WORD JOINER (U+2060) forbids a break and between phrases a
ZERO WIDTH SPACE (U+200B) allows one, so Qt's own line breaking then wraps by phrase at every size. A
phrase wider than the whole line cannot be broken then; :class:`FitLabel` (the headline) shrinks its type
until every phrase fits, and the other labels' phrases are short.

Text without kana or CJK ideographs (English, Vietnamese, Indonesian, Tagalog) is left alone: it already
breaks at spaces.
"""

from __future__ import annotations

import itertools
from functools import lru_cache

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent, QTextLayout, QTextOption
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from kiosk.ui.i18n import translations
from shared.phrases import CJK, phrases

WJ = "\u2060"
"""WORD JOINER: no line break here."""
ZWSP = "\u200b"
"""ZERO WIDTH SPACE: a line may break here."""
INVISIBLE = str.maketrans("", "", WJ + ZWSP)


def _glue(phrase: str) -> str:
    """Join a phrase's characters so no break falls inside it (Latin runs already hold together)."""
    out = [phrase[0]] if phrase else []
    for a, b in itertools.pairwise(phrase):
        if not (a.isascii() and b.isascii()):
            out.append(WJ)
        out.append(b)
    return "".join(out).replace(" ", "\u00a0")


@lru_cache(maxsize=4096)
def phrased(text: str, lang: str = "ja") -> str:
    """``text`` with break control characters so that it wraps only between phrases."""
    if not CJK.search(text):
        return text
    return "\n".join(ZWSP.join(_glue(p) for p in phrases(line, lang)) if line else line
                     for line in text.split("\n"))


def lines(text: str, font: QFont, width: int) -> list[tuple[str, float]]:
    """How QLabel's word wrap lays ``text`` out ``width`` pixels wide: each line's text and natural width
    (wider than ``width`` when one unbreakable phrase does not fit)."""
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)  # what a word-wrapped QLabel uses
    layout.setTextOption(option)
    out: list[tuple[str, float]] = []
    layout.beginLayout()
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(max(1, width))
        out.append((text[line.textStart():line.textStart() + line.textLength()], line.naturalTextWidth()))
    layout.endLayout()
    return out


def mid_phrase_breaks(text: str, font: QFont, width: int) -> list[str]:
    """The line starts that fall inside a Japanese or Chinese phrase (each shown as ``before／after``) when the
    phrased ``text`` is laid out ``width`` pixels wide; empty when every line starts at a phrase boundary."""
    found, start = [], 0
    for line, _ in lines(text, font, width)[:-1]:
        start += len(line)
        before, after = text[start - 1], text[start] if start < len(text) else ""
        if before in (ZWSP, " ", "\n", "\u3000") or not (CJK.match(before) or CJK.match(after or " ")):
            continue
        shown = text.translate(INVISIBLE)
        cut = len(text[:start].translate(INVISIBLE))
        found.append(shown[max(0, cut - 4):cut] + "／" + shown[cut:cut + 4])
    return found


class PhraseLabel(QLabel):
    """A word-wrapped label that wraps Japanese and Chinese by phrase. ``text()`` gives the plain text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._plain = ""
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)

    def setText(self, text: str) -> None:
        self._plain = text
        super().setText(phrased(text, translations().lang))

    def text(self) -> str:
        return self._plain


class FitLabel(PhraseLabel):
    """The feedback headline: as large as ``max_px``, shrunk until it fits ``max_lines`` lines of its width and
    ``max_height`` pixels (never below a third of ``max_px``); it then claims that height from the layout, so the
    window cannot squeeze it and cut a line off."""

    def __init__(self, parent: QWidget | None = None, *, max_lines: int = 2) -> None:
        super().__init__(parent)
        self.max_px = 96
        self.max_height = 10_000
        self.max_lines = max_lines
        self.px = 0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        # It shrinks its type to fit whatever width it gets: it must never widen the window.
        self.setMinimumWidth(1)

    def set_max_px(self, px: int, max_height: int | None = None) -> None:
        self.max_px = px
        if max_height is not None:
            self.max_height = max_height
        self.px = 0
        self._fit()

    def setText(self, text: str) -> None:
        super().setText(text)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _height(self, font: QFont, n: int) -> int:
        return QFontMetrics(font).lineSpacing() * max(1, n) + 2

    def best_px(self, width: int) -> int:
        shown = QLabel.text(self)  # the phrased text Qt lays out, not the plain text text() gives
        font = QFont(self.font())
        px = self.max_px
        floor = self.max_px // 3
        while px > floor:
            font.setPixelSize(px)
            laid = lines(shown, font, width)
            if (len(laid) <= self.max_lines and all(w <= width for _, w in laid)
                    and self._height(font, len(laid)) <= self.max_height):
                break
            px = int(px * 0.92)
        return max(px, floor)

    def _fit(self) -> None:
        width = self.contentsRect().width()
        if width <= 0:
            return
        px = self.best_px(width)
        font = QFont(self.font())
        font.setPixelSize(px)
        self.setMinimumHeight(self._height(font, len(lines(QLabel.text(self), font, width))))
        if px != self.px:
            self.px = px
            # A widget's own style sheet outranks the window's, which sets every label's size by role.
            self.setStyleSheet(f"font-size: {px}px;")
