"""The tablet's long tables, one row per person, written in Python rather than Jinja2 loops.

A 1,000-worker day puts about 2,400 rows on the roll call and today's pages; a Jinja2 loop spent most of the
render escaping and looking up attributes cell by cell. These build the same markup (every text value escaped
with markupsafe, as the template's autoescape does) and hand the template one :class:`Markup` per table.
``tests/tablet`` reads the pages these rows make.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from markupsafe import Markup, escape

from kiosk.web.siteday import Person


def hm(moment: datetime | None) -> str:
    """``HH:MM`` of a time (what ``strftime("%H:%M")`` gives), empty for none."""
    return "" if moment is None else f"{moment.hour:02d}:{moment.minute:02d}"


def _name(p: Person, unknown: str) -> Markup:
    return escape(p.name or f"{unknown} {p.idm or ''}")


def rollcall_rows(people: Iterable[Person], unknown: str) -> Markup:
    """安否確認: name, trade · position, entry time, gate, and a box to tick on paper."""
    out = []
    for p in people:
        trade = escape(p.trade) + (Markup(" · ") + escape(p.position) if p.position else "")
        out.append(f"<tr><td>{_name(p, unknown)}</td><td>{trade}</td><td>{hm(p.last_at)}</td>"
                   f"<td>{escape(p.gate)}</td><td class=\"check print-only\">□</td></tr>")
    return Markup("\n".join(out))


def today_rows(people: Iterable[Person], unknown: str, not_on_roster: str, on_site: str, left: str) -> Markup:
    """Today's entries and exits: name (tagged when not on the roster), in, out, on site or left."""
    off = f' <span class="tag warn">{escape(not_on_roster)}</span>'
    inside = f'<span class="tag in">{escape(on_site)}</span>'
    gone = f'<span class="tag out">{escape(left)}</span>'
    out = []
    for p in people:
        out.append(f"<tr><td>{_name(p, unknown)}{'' if p.on_roster else off}</td><td>{hm(p.first_in)}</td>"
                   f"<td>{hm(p.last_out)}</td><td>{inside if p.inside else gone}</td></tr>")
    return Markup("".join(out))


def entered_names(people: Iterable[Person], unknown: str, entered: str) -> Markup:
    """退場漏れ: name and entry time, as list items."""
    word = escape(entered)
    return Markup("".join(f'<li>{_name(p, unknown)} <span class="time">{word} {hm(p.last_at)}</span></li>'
                          for p in people))


def trade_names(people: Iterable[Person]) -> Markup:
    """未タッチ者: name and trade, as list items."""
    return Markup("".join(f'<li>{escape(p.name)} <span class="trade">{escape(p.trade)}</span></li>'
                          for p in people))
