"""The feedback screen shown after every tap: what was recorded, for whom, and what to do.

It is filled from an :class:`Outcome` only, and an outcome says "recorded"
only after the journal commit returned. A tap that was NOT recorded gets the
most visible screen of all (red, a cross, the words "NOT recorded" and what
to do) and stays up longest. Touching the screen closes it early.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QMouseEvent
from PySide6.QtWidgets import QBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.pipeline import Outcome, OutcomeKind
from kiosk.ui import texts
from kiosk.ui.icons import icon
from kiosk.ui.phrases import FitLabel, PhraseLabel
from kiosk.ui.theme import Metrics, named

translate = QCoreApplication.translate

SHOW_MS = {"ok": 3000, "repeat": 3500, "warn": 7000, "error": 12000}


@dataclass(frozen=True, slots=True)
class View:
    """What one outcome looks like: colour, icon, words. Built without widgets so it is easy to test."""

    tone: str
    color: str
    """The tone's name in the theme (``entry``, ``exit``, ``repeat``, ``warn``, ``error``)."""
    icon: str
    headline: str
    name: str
    employer: str
    detail: str
    warning: str = ""
    tech: str = ""


def view_for(o: Outcome) -> View:
    holder = o.holder
    name = holder.name if holder is not None else ""
    employer = holder.employer if holder is not None else ""
    when = texts.clock(o.at) if o.at is not None else ""
    dir_time = f"{texts.direction(o.direction)}  {when}".strip()
    gate = texts.gate_warning(holder.gate) if holder is not None and holder.gate else ""
    if o.kind is OutcomeKind.RECORDED:
        warning = texts.missing_fields(holder.missing) if holder is not None and holder.missing else ""
        detail = (translate("Kiosk", "Recorded. Have a safe day.") if o.direction == "in"
                  else translate("Kiosk", "Recorded. Thank you for your work today."))
        if gate:  # recorded all the same; the warning colour and the words make it impossible to miss
            return View("warn", "warn", "warn", dir_time, name, employer, detail,
                        "\n".join(w for w in (gate, warning) if w))
        return View("ok", "entry" if o.direction == "in" else "exit", o.direction or "check", dir_time, name, employer,
                    detail, warning)
    if o.kind is OutcomeKind.REPEAT:
        earlier = texts.clock(o.repeat_of) if o.repeat_of is not None else when
        return View("repeat", "repeat", "repeat", translate("Kiosk", "Already recorded"), name, employer,
                    translate("Kiosk", "%1 was already recorded at %2. This touch is not counted again.")
                    .replace("%1", texts.direction(o.direction)).replace("%2", earlier))
    if o.kind is OutcomeKind.UNKNOWN_CARD:
        return View("warn", "warn", "question", translate("Kiosk", "Unknown card"), "", "",
                    translate("Kiosk", "%1 recorded at %2, but this card is not on the roster. "
                                       "Please see the site manager.")
                    .replace("%1", texts.direction(o.direction)).replace("%2", when),
                    tech=translate("Kiosk", "Card ID: %1").replace("%1", o.idm or ""))
    if o.kind is OutcomeKind.NOT_ON_ROSTER:
        return View("warn", "warn", "warn", translate("Kiosk", "Not on this site's roster"), name, employer,
                    translate("Kiosk", "%1 recorded at %2.").replace("%1", texts.direction(o.direction))
                    .replace("%2", when),
                    translate("Kiosk", "%1 is not registered on this site's worker roster. Ask %2 to register "
                                       "you on this site, and tell the site manager.")
                    .replace("%1", name or translate("Kiosk", "This worker"))
                    .replace("%2", employer or translate("Kiosk", "your employer"))
                    + ("\n" + gate if gate else ""))
    what = translate("Kiosk", "The record could not be saved (the disk may be full or read-only). "
                              "Tell the site manager now and write your entry or exit on the paper sheet.")
    return View("error", "error", "cross", translate("Kiosk", "NOT recorded"), name, employer, what,
                tech=f"{o.error_code}: {o.error_message}" if o.error_code else "")


class _BoxLabel(FitLabel):
    """A FitLabel inside the warning box: the box's padding (style sheet) is not in Qt's contents rect, so the
    fitting is told about it, or a line would wrap that the fitting thought fitted and be cut off."""

    pad = 8

    def contentsRect(self) -> QRect:
        return super().contentsRect().adjusted(self.pad, 0, -self.pad, 0)

    def _height(self, font: QFont, n: int) -> int:
        return super()._height(font, n) + 2 * self.pad


class FeedbackScreen(QWidget):
    """The result, sized to be read at arm's length: a headline (direction and time, or what went wrong) as
    large as the screen allows, the worker's name, then what to do."""

    done = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.metrics = Metrics(800, 480)
        self.view: View | None = None
        self.icon = QLabel()
        self.icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.headline = named(FitLabel(), "headline")
        # Long names (グエン・ヴァン・ナム) and companies shrink to fit rather than widen the window.
        self.name = named(FitLabel(max_lines=1), "name")
        self.employer = named(FitLabel(max_lines=2), "employer")
        self.detail = named(PhraseLabel(), "detail")
        # Up to four lines (a gate warning and a missing roster field at once): shrinks rather than cut a line off.
        self.warning = named(_BoxLabel(max_lines=4), "warnbox")
        self.tech = named(PhraseLabel(), "tech_detail")  # technical detail for support; may be English
        self.sound_note = named(PhraseLabel(), "note")
        self.hint = named(PhraseLabel(), "note")
        self.head = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.head.addWidget(self.icon)
        self.head.addWidget(self.headline, 1)
        col = QVBoxLayout(self)
        col.addLayout(self.head)
        col.addWidget(self.name)  # the name on a line of its own, as large as it fits
        col.addWidget(self.employer)
        col.addWidget(self.detail)
        col.addWidget(self.warning)
        col.addStretch(1)
        col.addWidget(self.tech)
        self.foot = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.foot.addWidget(self.hint, 1)
        self.foot.addWidget(self.sound_note, 1)
        col.addLayout(self.foot)
        self.timer = QTimer(self, singleShot=True)
        self.timer.timeout.connect(self.done)

    def set_metrics(self, metrics: Metrics) -> None:
        self.metrics = metrics
        vertical = QBoxLayout.Direction.TopToBottom
        self.foot.setDirection(vertical if metrics.portrait else QBoxLayout.Direction.LeftToRight)
        # Portrait screens are narrow and tall: the icon sits above the headline.
        self.head.setDirection(vertical if metrics.portrait else QBoxLayout.Direction.LeftToRight)
        self.headline.setAlignment(Qt.AlignmentFlag.AlignCenter if metrics.portrait
                                   else Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.headline.set_max_px(metrics.headline_px, int(metrics.height * (0.22 if metrics.portrait else 0.28)))
        self.name.set_max_px(metrics.px(52), int(metrics.height * 0.14))
        self.employer.set_max_px(metrics.px(28))
        self.warning.pad = metrics.px(8) + 2
        self.warning.set_max_px(metrics.px(24), int(metrics.height * (0.3 if metrics.portrait else 0.23)))
        if self.view is not None:
            self._draw_icon(self.view)

    def _draw_icon(self, v: View) -> None:
        c = self.metrics.colors
        color = c.on_fill if c.name == "dark" else c.tone(v.color)
        self.icon.setPixmap(icon(v.icon, self.metrics.icon, color))

    def show_outcome(self, outcome: Outcome, *, silent: bool) -> View:
        v = view_for(outcome)
        self.view = v
        # The background comes from the window's style sheet by the "tone" property: re-polishing this one
        # widget is far cheaper than a new style sheet per tap.
        if self.property("tone") != v.color:
            self.setProperty("tone", v.color)
            self.style().unpolish(self)
            self.style().polish(self)
            for label in (self.headline,):
                self.style().unpolish(label)
                self.style().polish(label)
        self._draw_icon(v)
        self.headline.setText(v.headline)
        self.name.setText(v.name)
        self.name.setVisible(bool(v.name))
        self.employer.setText(v.employer)
        self.employer.setVisible(bool(v.employer))
        self.detail.setText(v.detail)
        self.warning.setText(v.warning)
        self.warning.setVisible(bool(v.warning))
        self.tech.setText(v.tech)
        self.tech.setVisible(bool(v.tech))
        self.sound_note.setText(translate("Kiosk", "(Sound is off: this kiosk has no audio output.)"))
        self.sound_note.setVisible(silent)
        self.hint.setText(translate("Kiosk", "Touch the screen to close."))
        self.timer.start(SHOW_MS[v.tone])
        return v

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.timer.stop()
        self.done.emit()
        event.accept()
