"""Charts drawn on the server as SVG: no chart library, no JavaScript, readable at any zoom and in print.

Each chart is a ``<figure>`` with a text alternative (peak and latest value) and the data's time axis in
the site's local time. Pure: series in, markup out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup, escape


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    points: Sequence[tuple[datetime, float]]
    kind: str = "line"
    """``line`` or ``bars``."""


def chart(series: Series, *, title: str, alt: str, width: int = 720, height: int = 180,
          target: float | None = None, target_label: str = "") -> Markup:
    """One series as an SVG chart with a y axis from 0 to its peak (or the target line, if higher)."""
    pad_l, pad_r, pad_t, pad_b = 48, 12 if target is None else 78, 12, 28
    w, h = width - pad_l - pad_r, height - pad_t - pad_b
    values = [v for _, v in series.points]
    peak = max([*values, target or 0, 1])
    n = max(len(values), 1)

    def x(i: int) -> float:
        return pad_l + (w * (i + 0.5) / n)

    def y(v: float) -> float:
        return pad_t + h - (h * v / peak)

    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(alt)}" class="chart">',
             f'<line x1="{pad_l}" y1="{pad_t + h}" x2="{pad_l + w}" y2="{pad_t + h}" class="axis"/>',
             f'<text x="{pad_l - 6}" y="{pad_t + 10}" text-anchor="end" class="tick">{peak:g}</text>',
             f'<text x="{pad_l - 6}" y="{pad_t + h}" text-anchor="end" class="tick">0</text>']
    if series.kind == "bars":
        bw = max(w / n * 0.7, 1)
        parts += [f'<rect x="{x(i) - bw / 2:.1f}" y="{y(v):.1f}" width="{bw:.1f}" height="{pad_t + h - y(v):.1f}" '
                  f'class="bar"/>' for i, v in enumerate(values)]
    elif values:
        path = " ".join(f"{'M' if i == 0 else 'L'}{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(f'<path d="{path}" class="line"/>')
    if target is not None:
        parts.append(f'<line x1="{pad_l}" y1="{y(target):.1f}" x2="{pad_l + w}" y2="{y(target):.1f}" class="target"/>'
                     f'<text x="{pad_l + w + 4}" y="{y(target) + 4:.1f}" text-anchor="start" class="target-label">'
                     f'{escape(target_label)}</text>')
    step = max(1, n // 7)
    for i in range(0, len(series.points), step):
        label = series.points[i][0].strftime("%m/%d" if n > 48 or series.kind == "bars" else "%H:%M")
        parts.append(f'<text x="{x(i):.1f}" y="{height - 8}" text-anchor="middle" class="tick">{label}</text>')
    parts.append("</svg>")
    return Markup(f'<figure class="chart-box"><figcaption>{escape(title)}</figcaption>{"".join(parts)}</figure>')


def backlog_series(spans: Sequence[tuple[datetime, datetime]],
                   hours: Sequence[datetime]) -> list[tuple[datetime, float]]:
    """Unsent records at each hour mark: records written (``made``) but not yet received by then.

    ``spans``: (made, received) per record. A sweep over sorted starts and ends: O((n + hours) log n).
    """
    starts = sorted(s for s, _ in spans)
    ends = sorted(e for _, e in spans)
    out, i, j = [], 0, 0
    for mark in hours:
        while i < len(starts) and starts[i] <= mark:
            i += 1
        while j < len(ends) and ends[j] <= mark:
            j += 1
        out.append((mark, float(i - j)))
    return out
