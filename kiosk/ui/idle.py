"""The idle screen: site, date, a large clock, "touch your card", mode, people on site, reader and sync.

Everything a passing worker or manager must not miss is here, in words and
icons: a reader that is not connected, taps that are not being recorded,
records stuck unsent (count and age of the oldest).
"""

from __future__ import annotations

import math

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QResizeEvent, QShowEvent, QTextLayout, QTextOption
from PySide6.QtWidgets import (
    QBoxLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.core import IdleStatus
from kiosk.ui import texts
from kiosk.ui.icons import icon
from kiosk.ui.model import KioskModel
from kiosk.ui.phrases import PhraseLabel
from kiosk.ui.theme import Metrics, named

translate = QCoreApplication.translate

MAX_PROBLEMS = 3
"""Problems the idle banner names at once, most urgent first (the manager screen lists them all)."""


def text_height(label: QLabel, width: int) -> int:
    """The height a word-wrapped label's text takes ``width`` wide in its current type, laid out as QLabel draws it
    (line by line, with the fallback fonts' own line heights), padding included. QLabel's heightForWidth
    over-counts text with phrase marks (Japanese, Chinese) by a line or more, and the layout then squeezes."""
    label.ensurePolished()  # the style sheet's type and padding
    margins = label.contentsMargins()
    layout = QTextLayout(QLabel.text(label).replace("\n", "\u2028"), label.font())
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    layout.setTextOption(option)
    height = 0.0
    layout.beginLayout()
    while (line := layout.createLine()).isValid():
        line.setLineWidth(max(1, width - margins.left() - margins.right()))
        height += line.height()
    layout.endLayout()
    return math.ceil(height) + margins.top() + margins.bottom() + 2


class StatusText(PhraseLabel):
    """A status line's words: asked for its height at a width, it answers with :func:`text_height`, so the grid
    of status rows gives a wrapped line the room it really takes."""

    def heightForWidth(self, width: int) -> int:
        return text_height(self, width) if self.wordWrap() else super().heightForWidth(width)


class ProblemBanner(PhraseLabel):
    """The red banner naming what is wrong, one problem a line (or two).

    It is given a share of the screen's height (:meth:`IdleScreen.refresh`) and shrinks its type, down to
    ``min_px``, until every problem fits in it (:meth:`needed`); it then takes exactly that height, so a second and
    a third problem never push a line out of the box, whatever the size and the language."""

    def __init__(self) -> None:
        super().__init__()
        self.max_px, self.min_px, self.max_height = 22, 16, 10_000
        self.px = 0
        self._fitted: tuple[object, ...] = ()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(1)  # it wraps to whatever width it gets: it must never widen the window

    def fit(self, *, max_px: int, min_px: int, max_height: int) -> None:
        self.max_px, self.min_px, self.max_height = max_px, min_px, max_height
        self._fit()

    def setText(self, text: str) -> None:
        super().setText(text)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        width, text = self.width(), QLabel.text(self)
        key = (text, width, self.max_px, self.min_px, self.max_height)
        if width <= 1 or not text or key == self._fitted:
            return  # the idle screen refreshes every few seconds: fit again only when something changed
        self._fitted = key
        px = self.max_px
        while True:
            self._use(px)
            needed = self.needed(width)
            if needed <= self.max_height or px <= self.min_px:
                break
            px -= 1
        self.setFixedHeight(needed)

    def needed(self, width: int) -> int:
        return text_height(self, width)

    def heightForWidth(self, width: int) -> int:
        return self.needed(width)

    def _use(self, px: int) -> None:
        if px != self.px:
            self.px = px
            # A widget's own style sheet outranks the window's, which sets every label's size by role.
            self.setStyleSheet(f"font-size: {px}px;")


class StatusItem(QWidget):
    """An icon and a line of text; the icon's colour repeats what the text says."""

    def __init__(self, icon_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.icon_name = icon_name
        self.icon = QLabel()
        self.text = named(StatusText(), "status")
        self.row = row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.icon)
        row.addWidget(self.text, 1)
        self._size = 24

    def show_state(self, text: str, color: str, size: int, width: int | None = None) -> None:
        """Show ``text``; ``width``: the row's width on this screen, so the lines are claimed before the layout
        runs (claimed after it, a second line would show only at the next layout)."""
        self._size = size
        self.icon.setPixmap(icon(self.icon_name, size, color))
        self.text.setText(text)
        self._claim_height(None if width is None else width - size - max(0, self.row.spacing()))

    def _claim_height(self, width: int | None = None) -> None:
        # The grid around these rows does not ask a wrapped label for its height at its width: claim the
        # lines the text needs, or a long status (Tagalog, Vietnamese) loses its second line.
        width = self.text.width() if width is None else width
        if width > 1 and self.text.wordWrap():
            height = max(text_height(self.text, width), self._size)
            if height != self.height() or height != self.minimumHeight():
                self.setFixedHeight(height)  # the row itself: the grid around it takes a fixed height as it is

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._claim_height()


class IdleScreen(QWidget):
    manager_requested = Signal()
    language_requested = Signal()

    def __init__(self, model: KioskModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.metrics = Metrics(800, 480)
        self.site = named(QLabel(), "site")
        self.date = named(QLabel(), "date")
        self.date.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.clock = named(QLabel(), "clock")
        self.clock.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prompt = named(PhraseLabel(), "prompt")
        self.prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.mode = named(QLabel(), "chip")
        self.forced = named(QLabel(), "forced")
        self.problems = named(ProblemBanner(), "problem")
        self.people = StatusItem("people")
        self.reader = StatusItem("reader")
        self.sync = StatusItem("sync")
        self.sound = StatusItem("sound_off")
        self.force_in = named(QPushButton(), "entry")
        self.force_out = named(QPushButton(), "exit")
        self.force_in.setCheckable(True)
        self.force_out.setCheckable(True)
        self.english = QPushButton()
        self.english.setCheckable(True)
        self.manager = QPushButton()
        self.force_in.clicked.connect(lambda: self._force("in"))
        self.force_out.clicked.connect(lambda: self._force("out"))
        self.english.clicked.connect(self._language)
        self.manager.clicked.connect(self.manager_requested)

        self.top = top = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        top.addWidget(self.site, 1)
        top.addWidget(self.date)
        self.chips = chips = QHBoxLayout()
        self.buttons = QGridLayout()
        # The status rows sit in a box of their own whose height refresh() sets to the rows' sum: the layouts
        # around do not ask a wrapped row for its height at its width, and would squeeze a second line away.
        self.status_box = QWidget()
        self.statuses = QGridLayout(self.status_box)
        self.statuses.setContentsMargins(0, 0, 0, 0)
        self.outer = outer = QVBoxLayout(self)
        outer.addLayout(top)
        outer.addStretch(1)
        outer.addWidget(self.clock)
        outer.addWidget(self.prompt)
        outer.addLayout(chips)
        outer.addWidget(self.problems)
        outer.addStretch(1)
        outer.addLayout(self.buttons)
        outer.addWidget(self.status_box)
        self._place()
        model.idle_changed.connect(self._refresh_if_shown)
        model.language_changed.connect(lambda _lang: self._refresh_if_shown())
        self.refresh()

    def _refresh_if_shown(self) -> None:
        # While feedback or manager mode covers the idle screen, redrawing it is wasted work on the tap
        # path; showEvent() brings it up to date when it comes back.
        if self.isVisible():
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        self.refresh()
        super().showEvent(event)

    def set_metrics(self, metrics: Metrics) -> None:
        self.metrics = metrics
        self._place()
        self.refresh()

    def _place(self) -> None:
        """Buttons in one row on landscape screens, two by two in portrait; statuses likewise."""
        for layout in (self.buttons, self.statuses, self.chips):
            while layout.count():
                layout.takeAt(0)
        self.top.setDirection(QBoxLayout.Direction.TopToBottom if self.metrics.portrait
                              else QBoxLayout.Direction.LeftToRight)
        self.date.setAlignment(Qt.AlignmentFlag.AlignLeft if self.metrics.portrait else Qt.AlignmentFlag.AlignRight)
        gap = self.metrics.px(6)
        self.outer.setSpacing(gap)
        self.outer.setContentsMargins(gap, gap, gap, gap)
        self.statuses.setVerticalSpacing(self.metrics.px(2))
        self.people.text.setWordWrap(self.metrics.portrait)
        self.people.text.setMinimumHeight(0)
        cols = 2 if self.metrics.portrait else 4
        for i, b in enumerate((self.force_in, self.force_out, self.english, self.manager)):
            self.buttons.addWidget(b, i // cols, i % cols)
        self.chips.addStretch(1)
        self.chips.addWidget(self.mode)
        self.chips.addWidget(self.forced)
        if self.metrics.portrait:
            self.chips.addStretch(1)
            for i, item in enumerate((self.people, self.reader, self.sync, self.sound)):
                self.statuses.addWidget(item, i, 0)
        else:  # landscape screens are short: people beside the mode; reader, sync and (rare) no sound full width
            self.chips.addWidget(self.people)  # one short line: it takes its own width beside the mode
            self.chips.addStretch(1)
            self.statuses.addWidget(self.reader, 0, 0)
            self.statuses.addWidget(self.sync, 1, 0)
            self.statuses.addWidget(self.sound, 2, 0)

    def _force(self, direction: str) -> None:
        current = self.model.idle().forced
        self.model.force_next(None if current == direction else direction)  # type: ignore[arg-type]

    def _language(self) -> None:
        """The language button: back to Japanese when another language is chosen, else the language list."""
        if self.model.english_for_next_tap:
            self.model.back_to_japanese()
        else:
            self.language_requested.emit()

    def refresh(self) -> None:
        s: IdleStatus = self.model.idle()
        m = self.metrics
        self.site.setText(s.site_name or (s.site or translate("Kiosk", "(no site)")))
        urgent = [p for p in s.problems if p not in ("sync_error",)]
        shown = urgent[:MAX_PROBLEMS]
        # The banner takes the big clock's place (the time moves up beside the date): a problem matters more
        # than the clock, and up to three of them then fit at every size in every language.
        compact = bool(shown)
        # Hide one before showing the other: both showing for a moment would grow the window.
        (self.clock if compact else self.problems).setVisible(False)
        minimum = self.model.core.site.settings().min_app_version if "app_outdated" in shown else ""
        self.problems.fit(max_px=m.px(22), min_px=m.px(15), max_height=int(m.height * (0.32 if m.portrait else 0.30)))
        self.problems.setText("\n".join("⚠ " + texts.problem(p, minimum, short=True) for p in shown))
        (self.problems if compact else self.clock).setVisible(True)
        self.date.setText(texts.date(s.now) + (f"  {texts.clock(s.now)}" if compact else ""))
        self.clock.setText(texts.clock(s.now))
        self.prompt.setText(translate("Kiosk", "Please touch your card"))
        self.mode.setText(translate("Kiosk", "Mode: %1").replace("%1", texts.mode(s.mode)))
        if s.forced is not None:
            self.forced.setText(translate("Kiosk", "Next tap: %1").replace("%1", texts.direction(s.forced)))
        self.forced.setVisible(s.forced is not None)
        self.force_in.setText(translate("Kiosk", "Next: Entry"))
        self.force_out.setText(translate("Kiosk", "Next: Exit"))
        self.force_in.setChecked(s.forced == "in")
        self.force_out.setChecked(s.forced == "out")
        self.english.setText("Language · 言語" if self.model.lang == "ja" else "日本語に戻す")
        self.english.setChecked(self.model.english_for_next_tap)
        self.manager.setText(translate("Kiosk", "Manager"))
        size = max(24, m.px(28))
        full = self._row_width()
        self.people.show_state(texts.people(s.inside), m.colors.text, size, full)
        self._reader_state(s, size)
        self._sync_state(s, size)
        if self.model.sound.available:
            self.sound.hide()
        else:
            self.sound.show()
            self.sound.show_state(translate("Kiosk", "No audio output: the kiosk is silent"), m.colors.warn, size, full)
        rows = [r for r in (self.people, self.reader, self.sync, self.sound)
                if self.statuses.indexOf(r) >= 0 and not r.isHidden()]
        spacing = max(0, self.statuses.verticalSpacing())
        self.status_box.setFixedHeight(sum(r.minimumHeight() for r in rows) + spacing * max(0, len(rows) - 1))

    def _row_width(self) -> int:
        """A status row's width: the screen less the margins (:meth:`_place`)."""
        return self.metrics.width - 2 * self.metrics.px(6)

    def _reader_state(self, s: IdleStatus, size: int) -> None:
        c = self.metrics.colors
        r = s.reader
        if r is None:
            self.reader.show_state(translate("Kiosk", "Reader: starting…"), c.warn, size, self._row_width())
        elif r.kind == "connected":
            self.reader.show_state(translate("Kiosk", "Reader: ready"), c.ok, size, self._row_width())
        else:
            word = translate("Kiosk", "Reader: NOT connected") if r.kind == "disconnected" else translate(
                "Kiosk", "Reader: error")
            message = r.message("en" if self.model.lang == "en" else "ja")
            self.reader.show_state(f"{word} — {message}", c.error, size, self._row_width())

    def _sync_state(self, s: IdleStatus, size: int) -> None:
        c = self.metrics.colors
        sync = s.sync
        if sync.unsent is None:
            self.sync.show_state(translate("Kiosk", "Sync: unknown"), c.warn, size, self._row_width())
            return
        if sync.unsent == 0:
            text = translate("Kiosk", "Sync: all records sent")
            color = c.ok
        else:
            text = translate("Kiosk", "Unsent: %1").replace("%1", str(sync.unsent))
            if sync.oldest_unsent_at is not None:
                seconds = max(0.0, (s.now - sync.oldest_unsent_at).total_seconds())
                text += " · " + translate("Kiosk", "oldest %1").replace("%1", texts.age(seconds))
                color = c.error if seconds > 86400 else c.warn
            else:
                color = c.warn
        if sync.last_error:
            text += " · " + translate("Kiosk", "offline / sync failed")
            color = c.error
        self.sync.show_state(text, color, size, self._row_width())
