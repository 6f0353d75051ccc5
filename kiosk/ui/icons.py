"""Icons drawn with QPainter (no image assets; crisp at any screen size).

Each outcome and status has its own shape, so meaning never rests on colour.
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen, QPixmap, QPolygonF

NAMES = ("in", "out", "check", "cross", "warn", "repeat", "question", "reader", "sync", "people", "sound_off")


@lru_cache(maxsize=256)
def icon(name: str, size: int, color: str = "#ffffff") -> QPixmap:
    """The icon as a pixmap, drawn once per (name, size, colour) and then shared (QPixmap is copy-on-write)."""
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(QColor(color), max(2.0, size / 12), Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
               Qt.PenJoinStyle.RoundJoin)
    p.setPen(pen)
    s = float(size)
    m = s * 0.1
    box = QRectF(m, m, s - 2 * m, s - 2 * m)
    if name in ("in", "out"):
        door = QRectF(s * 0.55 if name == "in" else s * 0.1, s * 0.12, s * 0.35, s * 0.76)
        p.drawRect(door)
        y = s / 2
        x0, x1 = (s * 0.05, s * 0.7) if name == "in" else (s * 0.3, s * 0.95)
        p.drawLine(QPointF(x0, y), QPointF(x1, y))
        p.drawLine(QPointF(x1, y), QPointF(x1 - s * 0.15, y - s * 0.15))
        p.drawLine(QPointF(x1, y), QPointF(x1 - s * 0.15, y + s * 0.15))
    elif name == "check":
        p.drawEllipse(box)
        p.drawPolyline(QPolygonF([QPointF(s * 0.3, s * 0.52), QPointF(s * 0.45, s * 0.67),
                                  QPointF(s * 0.72, s * 0.36)]))
    elif name == "cross":
        p.drawEllipse(box)
        p.drawLine(QPointF(s * 0.33, s * 0.33), QPointF(s * 0.67, s * 0.67))
        p.drawLine(QPointF(s * 0.67, s * 0.33), QPointF(s * 0.33, s * 0.67))
    elif name == "warn":
        p.drawPolygon(QPolygonF([QPointF(s / 2, m), QPointF(s - m, s - m), QPointF(m, s - m)]))
        p.drawLine(QPointF(s / 2, s * 0.38), QPointF(s / 2, s * 0.62))
        p.drawPoint(QPointF(s / 2, s * 0.76))
    elif name == "repeat":
        p.drawArc(box.adjusted(s * 0.08, s * 0.08, -s * 0.08, -s * 0.08), 30 * 16, 300 * 16)
        tip = QPointF(s * 0.78, s * 0.3)
        p.drawLine(tip, QPointF(s * 0.78, s * 0.08))
        p.drawLine(tip, QPointF(s * 0.56, s * 0.3))
    elif name == "question":
        p.drawEllipse(box)
        font = QFont()
        font.setPixelSize(int(s * 0.55))
        font.setBold(True)
        p.setFont(font)
        p.drawText(QRectF(0, 0, s, s), Qt.AlignmentFlag.AlignCenter, "?")
    elif name == "reader":
        p.drawRoundedRect(QRectF(s * 0.2, s * 0.35, s * 0.6, s * 0.5), s * 0.06, s * 0.06)
        for r in (0.12, 0.22):
            p.drawArc(QRectF(s / 2 - s * r, s * 0.3 - s * r, 2 * s * r, 2 * s * r), 45 * 16, 90 * 16)
    elif name == "sync":
        p.drawArc(box.adjusted(s * 0.1, s * 0.1, -s * 0.1, -s * 0.1), 0, 160 * 16)
        p.drawArc(box.adjusted(s * 0.1, s * 0.1, -s * 0.1, -s * 0.1), 180 * 16, 160 * 16)
        p.drawLine(QPointF(s * 0.8, s * 0.5), QPointF(s * 0.92, s * 0.36))
        p.drawLine(QPointF(s * 0.2, s * 0.5), QPointF(s * 0.08, s * 0.64))
    elif name == "people":
        p.drawEllipse(QRectF(s * 0.35, s * 0.12, s * 0.3, s * 0.3))
        path = QPainterPath()
        path.moveTo(s * 0.15, s * 0.9)
        path.cubicTo(s * 0.15, s * 0.45, s * 0.85, s * 0.45, s * 0.85, s * 0.9)
        p.drawPath(path)
    elif name == "sound_off":
        p.drawPolygon(QPolygonF([QPointF(s * 0.1, s * 0.38), QPointF(s * 0.28, s * 0.38), QPointF(s * 0.5, s * 0.18),
                                 QPointF(s * 0.5, s * 0.82), QPointF(s * 0.28, s * 0.62), QPointF(s * 0.1, s * 0.62)]))
        p.drawLine(QPointF(s * 0.62, s * 0.36), QPointF(s * 0.9, s * 0.64))
        p.drawLine(QPointF(s * 0.9, s * 0.36), QPointF(s * 0.62, s * 0.64))
    else:
        p.end()
        raise ValueError(f"no icon named {name!r}")
    p.end()
    return pix
