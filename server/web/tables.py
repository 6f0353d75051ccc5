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

from server.web.render import reader_cell
from server.web.sites import Calendar, cell_class


def age_unit(seconds: float, *, minute: bool = False) -> tuple[str, int]:
    """(unit, count) of a duration as people read it (:func:`server.web.render.ago`'s steps); ``minute``: to the
    minute (under a minute is ``("u", 0)``), so that a last contact changes at most once a minute."""
    s = max(0, int(seconds))
    if minute and s < 60:
        return "u", 0
    if s < 120 and not minute:
        return "s", s
    if s < 7200:
        return "m", s // 60
    if s < 172800:
        return "h", s // 3600
    return "d", s // 86400


def _age_words(_: Callable[..., str], unit: tuple[str, int], *, suffix: bool) -> str:
    if unit[0] == "u":
        return str(escape(_("ago_under_minute")))
    return str(escape(_(("ago_" if suffix else "age_") + unit[0], n=unit[1])))


def fleet_body(rows: list[dict[str, Any]], _: Callable[..., str]) -> Markup:
    """The fleet table's rows. Numeric columns are right-aligned by the stylesheet (``.fleet td:nth-child``),
    not a class per cell; words shared by many rows (an alarm, a reader state, an age, a site) are made once."""
    revoked = f' <span class="tag">{escape(_("state_revoked"))}</span>'
    never, not_reported = escape(_("never")), escape(_("not_reported"))
    no_alarms = f'<span class="ok">{escape(_("no_alarms"))}</span>'
    out: list[str] = []
    said: dict[int, str] = {}  # id(alarm) → <li>: AlarmJudge shares one object per distinct alarm
    alarm_sets: dict[tuple[int, ...], str] = {}  # and many rows have the same alarms
    readers: dict[tuple[Any, Any, Any], str] = {}
    seen_words: dict[tuple[str, int], str] = {}
    oldest_words: dict[tuple[str, int], str] = {}
    site_cells: dict[tuple[str, str], str] = {}
    apps: dict[str, str] = {}

    for r in rows:
        device = escape(r["device"])
        alarm_list = r["alarms"]
        if r["revoked"]:
            state, tag = ' class="revoked"', revoked
        else:
            state, tag = (' class="alarm"' if alarm_list else ""), ""
        if r["last_seen"]:
            key = age_unit(r["last_seen_age_s"], minute=True)
            seen = seen_words.get(key)
            if seen is None:
                seen = seen_words[key] = _age_words(_, key, suffix=True)
        else:
            seen = never
        unsent = r["unsent"] if r["unsent"] is not None else not_reported
        oldest_s = r["oldest_unsent_age_s"]
        oldest = "—"
        if oldest_s is not None:
            key = age_unit(oldest_s)
            found = oldest_words.get(key)
            if found is None:
                found = oldest_words[key] = _age_words(_, key, suffix=False)
            oldest = found
        offset = f"{r['clock_offset_s']:+.1f} s" if r["clock_offset_s"] is not None else "—"
        if alarm_list:
            set_key = tuple(map(id, alarm_list))
            alarms = alarm_sets.get(set_key)
            if alarms is None:
                items = []
                for a in alarm_list:
                    li = said.get(id(a))
                    if li is None:
                        li = said[id(a)] = f"<li>{escape(_('alarm_' + a.code, **a.values))}</li>"
                    items.append(li)
                alarms = alarm_sets[set_key] = '<ul class="alarms">' + "".join(items) + "</ul>"
        else:
            alarms = "—" if r["revoked"] else no_alarms
        site_key = (r["site_name"], r["site"])
        site = site_cells.get(site_key)
        if site is None:
            site = site_cells[site_key] = (f'{escape(r["site_name"] or r["site"])}<br>'
                                           f'<span class="muted small">{escape(r["site"])}</span>')
        rkey = (r["reader_state"], r["reader_code"], r["reader_errors"])
        reader = readers.get(rkey)
        if reader is None:
            reader = readers[rkey] = str(reader_cell(r, _))
        app = apps.get(r["app"])
        if app is None:
            app = apps[r["app"]] = str(escape(r["app"]))
        free = r["disk_free_bytes"]
        disk = not_reported if free is None else (f"{free / 1048576:.0f} MB" if free < 1073741824
                                                   else f"{free / 1073741824:.1f} GB")
        out.append(
            f'<tr{state}><th scope="row"><a href="/devices/{device}">{device}</a>{tag}</th>'
            f'<td>{site}</td><td>{escape(r["gate"]) if r["gate"] else "—"}</td><td>{seen}</td><td>{unsent}</td>'
            f'<td>{oldest}</td><td>{r["acked"]}</td><td>{app}</td><td>{reader}</td><td>{disk}</td>'
            f'<td>{offset}</td><td>{r["forks"]}</td><td>{alarms}</td></tr>')
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
