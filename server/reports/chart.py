"""The KPI chart as SVG (drawn in Python, embedded in the PDF): daily series with target and floor lines, and
the monthly trend. Pure text out; no plotting library needed for three lines and two rules."""

from __future__ import annotations

from html import escape

from server.reports.kpi import KPI_NAMES_JA, TARGETS
from server.reports.kpi_report import KPI_KEYS, KpiChart
from server.reports.tables import ChartNode

W, H, PAD_L, PAD_R, PAD_T, PAD_B = 250.0, 120.0, 26.0, 6.0, 14.0, 18.0


def _panel(title: str, labels: list[str], values: list[float | None], target: float, floor: float) -> str:
    iw, ih = W - PAD_L - PAD_R, H - PAD_T - PAD_B

    def x(i: int) -> float:
        return PAD_L + (iw * i / max(1, len(labels) - 1) if len(labels) > 1 else iw / 2)

    def y(v: float) -> float:
        return PAD_T + ih * (1 - v)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="104mm" height="50mm" viewBox="0 0 {W} {H}">',
             f'<text x="{PAD_L}" y="9" font-size="6" font-weight="bold">{escape(title)}</text>']
    for v in (0, 0.25, 0.5, 0.75, 1.0):
        parts.append(f'<line x1="{PAD_L}" y1="{y(v):.1f}" x2="{W - PAD_R}" y2="{y(v):.1f}" stroke="#ddd" '
                     f'stroke-width="0.3"/><text x="{PAD_L - 2}" y="{y(v) + 1.5:.1f}" font-size="4" '
                     f'text-anchor="end">{int(v * 100)}%</text>')
    for v, colour, name in ((target, "#2e7d32", "目標"), (floor, "#c62828", "下限")):
        parts.append(f'<line x1="{PAD_L}" y1="{y(v):.1f}" x2="{W - PAD_R}" y2="{y(v):.1f}" stroke="{colour}" '
                     f'stroke-width="0.6" stroke-dasharray="2,1.5"/><text x="{W - PAD_R}" y="{y(v) - 1:.1f}" '
                     f'font-size="4" text-anchor="end" fill="{colour}">{name} {int(v * 100)}%</text>')
    points = [(x(i), y(v)) for i, v in enumerate(values) if v is not None]
    if points:
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#1f4e79" stroke-width="0.8"/>')
        parts += [f'<circle cx="{px:.1f}" cy="{py:.1f}" r="0.9" fill="#1f4e79"/>' for px, py in points]
    step = max(1, (len(labels) + 7) // 8)
    for i, label in enumerate(labels):
        if i % step == 0 or i == len(labels) - 1:
            parts.append(f'<text x="{x(i):.1f}" y="{H - PAD_B + 6:.1f}" font-size="3.6" '
                         f'text-anchor="middle">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def kpi_svg(chart: KpiChart) -> str:
    """Three daily panels (this month) and three monthly panels (six months), two per row."""
    out = ['<table style="border:none;width:100%">']
    days = [f"{d.month}/{d.day}" for d in chart.days]
    months = [m[2:].replace("-", "/") for m in chart.months]
    for key in KPI_KEYS:
        target, floor = TARGETS[key]
        daily = _panel(KPI_NAMES_JA[key] + "（日別）", days, chart.series[key], target, floor)
        monthly = _panel(KPI_NAMES_JA[key] + "（月別推移）", months, chart.monthly[key], target, floor)
        out.append(f'<tr><td style="border:none">{daily}</td><td style="border:none">{monthly}</td></tr>')
    out.append("</table>")
    return "".join(out)


BOX_W, BOX_H, GAP_X, GAP_Y = 58.0, 30.0, 8.0, 16.0


def structure_svg(root: ChartNode) -> str:
    """施工体系図 as an SVG tree: leaves side by side, each parent centred over its children, elbow connectors."""
    placed: list[tuple[ChartNode, float, float]] = []
    links: list[tuple[float, float, float, float]] = []
    cursor = [0.0]

    def place(node: ChartNode, depth: int) -> float:
        y = depth * (BOX_H + GAP_Y)
        if not node.children:
            x = cursor[0]
            cursor[0] += BOX_W + GAP_X
        else:
            xs = [place(c, depth + 1) for c in node.children]
            x = (xs[0] + xs[-1]) / 2
            for cx in xs:
                links.append((x + BOX_W / 2, y + BOX_H, cx + BOX_W / 2, y + BOX_H + GAP_Y))
        placed.append((node, x, y))
        return x

    place(root, 0)
    width = max(cursor[0] - GAP_X, BOX_W)
    height = max(y for _, _, y in placed) + BOX_H
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="100%" viewBox="-2 -2 {width + 4} {height + 4}" '
             f'style="max-height:250mm">']
    for x1, y1, x2, y2 in links:
        mid = y1 + GAP_Y / 2
        parts.append(f'<polyline points="{x1:.1f},{y1:.1f} {x1:.1f},{mid:.1f} {x2:.1f},{mid:.1f} {x2:.1f},{y2:.1f}" '
                     'fill="none" stroke="#333" stroke-width="0.5"/>')
    for node, x, y in placed:
        stroke, fill, dash = "#222", "#fff", ""
        if node.status == "CCUS未登録":
            stroke, fill = "#c00000", "#fff5f5"
        elif node.status == "未承認":
            dash = ' stroke-dasharray="2,1.5"'
        cx = x + BOX_W / 2
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{BOX_W}" height="{BOX_H}" rx="2" fill="{fill}" '
                     f'stroke="{stroke}" stroke-width="0.7"{dash}/>')
        parts.append(f'<rect x="{cx - 9:.1f}" y="{y + 2:.1f}" width="18" height="5.5" rx="1" fill="#1f4e79"/>'
                     f'<text x="{cx:.1f}" y="{y + 6.2:.1f}" font-size="4" fill="#fff" text-anchor="middle">'
                     f'{escape(node.tier)}</text>')
        parts.append(f'<text x="{cx:.1f}" y="{y + 13.5:.1f}" font-size="5" font-weight="bold" '
                     f'text-anchor="middle">{escape(node.name[:16])}</text>')
        if node.work:
            parts.append(f'<text x="{cx:.1f}" y="{y + 19.5:.1f}" font-size="3.6" fill="#444" '
                         f'text-anchor="middle">{escape(node.work[:22])}</text>')
        meta = f"{node.company + '  ' if node.company else ''}{node.status}  名簿 {node.workers}人"
        parts.append(f'<text x="{cx:.1f}" y="{y + 25.5:.1f}" font-size="3.3" fill="#444" '
                     f'text-anchor="middle">{escape(meta)}</text>')
    parts.append("</svg>")
    return "".join(parts)
