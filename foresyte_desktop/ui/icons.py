"""Icons drawn in code, so the window looks the same on every platform and icon theme."""
from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap, QPolygonF

# Dark enough that white text on them reads (a contrast of 4.5:1 at least): progress bars.
STATUS_COLORS = {
    "pending": QColor("#6b7280"),
    "running": QColor("#1f6fd6"),
    "completed": QColor("#1e8449"),
    "failed": QColor("#c0392b"),
    "cancelled": QColor("#6b7280"),
    "stopped": QColor("#a35f00"),  # stopped part-way, to resume later
}


def _canvas(size: int) -> tuple[QPixmap, QPainter]:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(size / 16, size / 16)  # drawn on a 16×16 grid
    return pixmap, painter


def _draw_status(painter: QPainter, status: str) -> None:
    color = STATUS_COLORS.get(status, STATUS_COLORS["pending"])
    white = QPen(QColor("white"), 1.8, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                 Qt.PenJoinStyle.RoundJoin)
    if status == "pending":  # a clock face: waiting its turn
        painter.setPen(QPen(color, 1.6))
        painter.drawEllipse(QRectF(1.5, 1.5, 13, 13))
        painter.drawPolyline(QPolygonF([QPointF(8, 4.5), QPointF(8, 8), QPointF(10.5, 9.5)]))
        return
    painter.setPen(QPen(QColor("white"), 1))  # a rim, so it shows on a selected row too
    painter.setBrush(color)
    painter.drawEllipse(QRectF(1, 1, 14, 14))
    painter.setPen(white)
    painter.setBrush(QColor("white"))
    if status == "stopped":  # a pause sign: it waits to go on where it stopped
        painter.drawLine(QPointF(6.3, 5), QPointF(6.3, 11))
        painter.drawLine(QPointF(9.7, 5), QPointF(9.7, 11))
    elif status == "running":
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawPolygon(QPolygonF([QPointF(6, 4.5), QPointF(11.5, 8), QPointF(6, 11.5)]))
    elif status == "completed":
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPolyline(QPolygonF([QPointF(4.5, 8.2), QPointF(7, 10.7), QPointF(11.5, 5.5)]))
    elif status == "failed":
        painter.drawLine(QPointF(5.5, 5.5), QPointF(10.5, 10.5))
        painter.drawLine(QPointF(10.5, 5.5), QPointF(5.5, 10.5))
    else:  # cancelled
        painter.drawLine(QPointF(4.8, 8), QPointF(11.2, 8))


@cache
def status_icon(status: str) -> QIcon:
    icon = QIcon()
    for size in (16, 32):
        pixmap, painter = _canvas(size)
        _draw_status(painter, status)
        painter.end()
        icon.addPixmap(pixmap)
    return icon


@cache
def swatch_icon(rgb: str) -> QIcon:
    """A small rounded square of one overlay colour, for the lists beside the viewer."""
    pixmap, painter = _canvas(16)
    path = QPainterPath()
    path.addRoundedRect(QRectF(2, 2, 12, 12), 3, 3)
    painter.fillPath(path, QColor(rgb))
    painter.end()
    return QIcon(pixmap)


REVIEW_COLORS = {"verified": STATUS_COLORS["completed"], "rejected": STATUS_COLORS["failed"],
                 "added": STATUS_COLORS["running"], "unreviewed": QColor("#9aa0a6")}


@cache
def review_icon(state: str) -> QIcon:
    """A review state: a hollow ring (unreviewed), a check (verified), a cross (rejected), a
    plus (added by the analyst)."""
    pixmap, painter = _canvas(32)
    color = REVIEW_COLORS[state]
    if state == "unreviewed":
        painter.setPen(QPen(color, 1.4))
        painter.drawEllipse(QRectF(3, 3, 10, 10))
    elif state == "added":
        painter.setPen(QPen(QColor("white"), 1))
        painter.setBrush(color)
        painter.drawEllipse(QRectF(1, 1, 14, 14))
        painter.setPen(QPen(QColor("white"), 1.8, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.drawLine(QPointF(8, 4.5), QPointF(8, 11.5))
        painter.drawLine(QPointF(4.5, 8), QPointF(11.5, 8))
    else:
        _draw_status(painter, "completed" if state == "verified" else "failed")
    painter.end()
    return QIcon(pixmap)


@cache
def pen_icon() -> QIcon:
    """A small pen: the analyst corrected this item."""
    pixmap, painter = _canvas(32)
    painter.setPen(QPen(QColor("#b7791f"), 1.2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                        Qt.PenJoinStyle.RoundJoin))
    painter.setBrush(QColor("#f6c453"))
    painter.drawPolygon(QPolygonF([QPointF(3, 13), QPointF(3.6, 10.2), QPointF(11, 2.8),
                                   QPointF(13.2, 5), QPointF(5.8, 12.4)]))
    painter.end()
    return QIcon(pixmap)
