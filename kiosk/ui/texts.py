"""Every word the screens show for a machine code, through Qt's translation system.

Source strings are English; ``kiosk/i18n/kiosk_ja.ts`` holds the Japanese.
Keep each string a literal inside ``translate("Kiosk", …)`` so pyside6-lupdate
finds it; a test fails when one has no Japanese translation.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QCoreApplication

from kiosk.direction import GateMode
from shared import __version__, hints
from shared.event import Direction

translate = QCoreApplication.translate


def direction(d: Direction | None) -> str:
    if d == "in":
        return translate("Kiosk", "Entry")
    if d == "out":
        return translate("Kiosk", "Exit")
    return "-"


def mode(m: GateMode) -> str:
    return {
        GateMode.AUTO: translate("Kiosk", "Automatic (entry, then exit)"),
        GateMode.ENTRY_ONLY: translate("Kiosk", "Entry gate only"),
        GateMode.EXIT_ONLY: translate("Kiosk", "Exit gate only"),
    }[m]


def problem(code: str, minimum_version: str = "", *, short: bool = False) -> str:
    """The problem in words, with the exact command that fixes it where one does (shared/hints.py).

    ``short``: the idle screen's banner, which has two lines: it names the problem and points to the manager
    screen, whose settings tab lists every problem with its command."""
    if short and code in SHORT:
        return SHORT[code]()
    texts = {
        "journal_write_failed": translate(
            "Kiosk", "Taps are NOT being recorded (disk full or not writable). Call the site manager."),
        "no_site": translate(
            "Kiosk", "No site is set on this kiosk (taps are recorded and given a site later). Set it: %1 "
                     "or enroll it: %2").replace("%1", hints.SITE_SETUP).replace("%2", hints.ENROLL),
        "reader_waiting": translate("Kiosk", "Looking for the card reader…"),
        "reader_disconnected": translate("Kiosk", "Card reader not connected. Check its USB cable."),
        "reader_error": translate("Kiosk", "The card reader reports an error. Touch the card again."),
        "state_unreadable": translate("Kiosk", "The roster cannot be read. Call the site manager."),
        "roster_missing": translate(
            "Kiosk", "No roster yet: every card shows as unknown. With a server it arrives by itself; "
                     "without one: %1").replace("%1", hints.ROSTER_IMPORT),
        "sync_error": translate("Kiosk", "Sync failed. Records are kept on this kiosk."),
        "journal_lost": translate(
            "Kiosk", "The journal was lost: taps are NOT recorded. Site manager: enroll this kiosk again: %1")
        .replace("%1", hints.ENROLL),
        "clock_behind": translate(
            "Kiosk", "The clock is behind the last record (set back?). Site manager: set the clock right."),
        "app_outdated": translate(
            "Kiosk", "Software update needed (this kiosk: %1, required: %2 or newer). Taps are still recorded.")
        .replace("%1", __version__).replace("%2", minimum_version or "?"),
    }
    return texts.get(code, code)


SHORT: dict[str, Callable[[], str]] = {
    "no_site": lambda: translate(
        "Kiosk", "No site is set on this kiosk (taps are still recorded). Manager screen: how to set it."),
    "roster_missing": lambda: translate("Kiosk", "No roster yet: every card shows as unknown."),
    "journal_lost": lambda: translate(
        "Kiosk", "The journal was lost: taps are NOT recorded. Site manager: enroll this kiosk again."),
}
"""Problems whose full text (with a command) is too long for the idle banner."""


def clock(moment: datetime) -> str:
    return moment.strftime("%H:%M")


def date(moment: datetime) -> str:
    weekdays = [translate("Kiosk", "Mon"), translate("Kiosk", "Tue"), translate("Kiosk", "Wed"),
                translate("Kiosk", "Thu"), translate("Kiosk", "Fri"), translate("Kiosk", "Sat"),
                translate("Kiosk", "Sun")]
    return translate("Kiosk", "%1/%2/%3 (%4)").replace("%1", str(moment.year)).replace(
        "%2", str(moment.month)).replace("%3", str(moment.day)).replace("%4", weekdays[moment.weekday()])


def age(seconds: float) -> str:
    if seconds < 60:
        return translate("Kiosk", "%1 s ago").replace("%1", str(int(seconds)))
    if seconds < 3600:
        return translate("Kiosk", "%1 min ago").replace("%1", str(int(seconds // 60)))
    if seconds < 86400 * 2:
        return translate("Kiosk", "%1 h ago").replace("%1", str(int(seconds // 3600)))
    return translate("Kiosk", "%1 days ago").replace("%1", str(int(seconds // 86400)))


def people(n: int) -> str:
    return translate("Kiosk", "On site now: %1").replace("%1", str(n))


def missing_fields(fields: tuple[str, ...]) -> str:
    names = {"trade": translate("Kiosk", "trade"), "position": translate("Kiosk", "position")}
    return translate("Kiosk", "Your %1 is not registered on this site's roster: tell your foreman.").replace(
        "%1", translate("Kiosk", " and ").join(names.get(f, f) for f in fields))


def gate_warning(flags: tuple[str, ...]) -> str:
    """What a worker with gate flags is told on the result screen (the tap is recorded either way)."""
    lines = []
    if "expired" in flags:
        lines.append(translate("Kiosk", "A health check or a qualification on record for you has expired."))
    if "education_missing" in flags:
        lines.append(translate("Kiosk", "You have not had this site's new-entrant education (新規入場者教育) yet."))
    if not lines:
        return ""
    lines.append(translate("Kiosk", "Before you start work, see the site manager."))
    return "\n".join(lines)


def gate_short(flags: tuple[str, ...]) -> str:
    """The flags as the manager's list shows them."""
    names = {"expired": translate("Kiosk", "expired health check or qualification"),
             "education_missing": translate("Kiosk", "no new-entrant education")}
    return translate("Kiosk", ", ").join(names[f] for f in flags if f in names)
