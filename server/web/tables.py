"""The two large tables (fleet: 1,000 devices; calendar: 1,000 workers × 31 days) built in Python, not Jinja.

A Jinja expression costs microseconds; these tables have tens of thousands of cells, so a template loop made
the page several times slower than the JSON API returning the same data (bench/bench_console.py). Every text
that comes from data goes through :func:`markupsafe.escape`; the rest of each page stays a template.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from markupsafe import Markup, escape

from server.web.render import ago, disk_cell, reader_cell
from server.web.sites import Calendar, cell_class


def fleet_body(rows: list[dict[str, Any]], _: Callable[..., str]) -> Markup:
    revoked, never, not_reported, no_alarms = _("state_revoked"), _("never"), _("not_reported"), _("no_alarms")
    out: list[str] = []
    # Many devices share an alarm's words and a reader state: each distinct one is translated and escaped once.
    said: dict[tuple[str, tuple[tuple[str, Any], ...]], str] = {}
    readers: dict[tuple[Any, Any, Any], str] = {}

    def alarm(a: Any) -> str:
        key = (a.code, tuple(sorted(a.values.items())))
        if key not in said:
            said[key] = f"<li>{escape(_('alarm_' + a.code, **a.values))}</li>"
        return said[key]

    def reader(r: dict[str, Any]) -> str:
        key = (r.get("reader_state"), r.get("reader_code"), r.get("reader_errors"))
        if key not in readers:
            readers[key] = str(reader_cell(r, _))
        return readers[key]

    for r in rows:
        device = escape(r["device"])
        state = "revoked" if r["revoked"] else ("alarm" if r["alarms"] else "")
        tag = f' <span class="tag">{revoked}</span>' if r["revoked"] else ""
        seen = ago(_, r["last_seen_age_s"]) if r["last_seen"] else never
        unsent = r["unsent"] if r["unsent"] is not None else not_reported
        oldest = ago(_, r["oldest_unsent_age_s"], suffix=False) if r["oldest_unsent_age_s"] is not None else "—"
        offset = f"{r['clock_offset_s']:+.1f} s" if r["clock_offset_s"] is not None else "—"
        if r["alarms"]:
            alarms = '<ul class="alarms">' + "".join(alarm(a) for a in r["alarms"]) + "</ul>"
        else:
            alarms = "—" if r["revoked"] else f'<span class="ok">{no_alarms}</span>'
        out.append(
            f'<tr class="{state}"><th scope="row"><a href="/devices/{device}">{device}</a>{tag}</th>'
            f'<td>{escape(r["site_name"] or r["site"])}<br><span class="muted small">{escape(r["site"])}</span></td>'
            f'<td>{escape(r["gate"] or "—")}</td><td>{seen}</td><td class="num">{unsent}</td>'
            f'<td class="num">{oldest}</td><td class="num">{r["acked"]}</td>'
            f'<td>{escape(r["app"])}</td><td>{reader(r)}</td><td class="num">{disk_cell(r, _)}</td>'
            f'<td class="num">{offset}</td><td class="num">{r["forks"]}</td><td>{alarms}</td></tr>')
    return Markup("".join(out))


def calendar_body(cal: Calendar, _: Callable[..., str]) -> Markup:
    """One row per worker (or unknown card): a link per day with a record (relative: ``calendar/cell?…``)."""
    keys = [d.isoformat() for d in cal.days]
    out: list[str] = []
    for key, label, _employer in cal.subjects:
        head = (f"{escape(label)} <span class=\"muted small\">{escape(key)}</span>" if label else escape(key))
        cells = []
        n = 0
        q = quote(key)
        for day in keys:
            r = cal.cells.get((key, day))
            if r is None:
                cells.append("<td></td>")
                continue
            n += 1
            flags = r["flags"]
            title = f' title="{escape(" ".join(_("flag_" + f) for f in flags))}"' if flags else ""
            text = (r["first_entry"] or "")[11:16] or "●"
            cells.append(f'<td class="{cell_class(flags)}"><a href="calendar/cell?subject={q}&amp;day={day}"'
                         f'{title}>{text}</a></td>')
        out.append(f'<tr><th scope="row">{head}</th>{"".join(cells)}<td class="num">{n}</td></tr>')
    return Markup("\n".join(out))
