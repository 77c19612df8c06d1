"""The frame view: one video frame scaled to the widget, with the OCR quadrilaterals and the
detection boxes drawn over it in their colours, each with a readable label."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush, QColor, QFont, QFontMetricsF, QImage, QPainter, QPen, QPixmap, QPolygonF,
)
from PySide6.QtWidgets import (
    QFrame, QGraphicsItem, QGraphicsPixmapItem, QGraphicsPolygonItem, QGraphicsRectItem,
    QGraphicsScene, QGraphicsView, QWidget,
)

from foresyte_desktop.core.model import Detection, FrameResult

OCR_COLOR = QColor("#ffb000")
REGION_COLOR = QColor("#50dc50")
BACKGROUND = QColor("#15171a")
LABEL_MAX_CHARS = 60


def class_color(class_id: int) -> QColor:
    """A distinct, stable colour per detector class (golden-angle hues, away from OCR amber)."""
    return QColor.fromHsv(int(200 + class_id * 137.508) % 360, 190, 255)


def detection_name(det: Detection) -> str:
    """"person #3": the class, and the tracked object's id when there is one."""
    return det.label + (f" #{det.track_id}" if det.track_id is not None else "")


def bgr_to_qimage(image: np.ndarray) -> QImage:
    """A QImage that owns a copy of a BGR frame from OpenCV."""
    h, w = image.shape[:2]
    frame = np.ascontiguousarray(image)
    return QImage(frame.data, w, h, frame.strides[0], QImage.Format.Format_BGR888).copy()


class OverlayLabel(QGraphicsItem):
    """A tag in screen pixels (it keeps its size whatever the zoom) above or inside its anchor."""

    def __init__(self, text: str, color: QColor, *, below: bool = False,
                 parent: QGraphicsItem | None = None):
        super().__init__(parent)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.text = text if len(text) <= LABEL_MAX_CHARS else text[:LABEL_MAX_CHARS - 1] + "…"
        self.color = color
        self.font = QFont()
        self.font.setPixelSize(13)
        self.font.setBold(True)
        metrics = QFontMetricsF(self.font)
        w, h = metrics.horizontalAdvance(self.text) + 10, metrics.height() + 4
        self._rect = QRectF(0, 1 if below else -h - 1, w, h)
        self._ink = QColor("black") if color.lightnessF() > 0.55 else QColor("white")

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        fill = QColor(self.color)
        fill.setAlpha(235)
        painter.setBrush(fill)
        painter.drawRoundedRect(self._rect, 3, 3)
        painter.setPen(self._ink)
        painter.setFont(self.font)
        painter.drawText(self._rect, Qt.AlignmentFlag.AlignCenter, self.text)


class FrameView(QGraphicsView):
    """Shows a frame and its results; scales with the widget, keeping the aspect ratio."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setBackgroundBrush(BACKGROUND)
        self.setRenderHints(QPainter.RenderHint.Antialiasing |
                            QPainter.RenderHint.SmoothPixmapTransform)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAcceptDrops(False)
        self._pixmap = QGraphicsPixmapItem()
        self._pixmap.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self._pixmap)
        self._overlays: list[QGraphicsItem] = []
        self.result: FrameResult | None = None
        self.region: tuple[float, float, float, float] | None = None  # the job's OCR region
        self.show_ocr = True
        self.show_detections = True
        self.message = "Select a job to review its video"

    # -- content ----------------------------------------------------------------------------

    def set_image(self, image: np.ndarray | QImage | None) -> None:
        if image is None:
            self._pixmap.setPixmap(QPixmap())
        else:
            qimage = image if isinstance(image, QImage) else bgr_to_qimage(image)
            resized = self._pixmap.pixmap().size() != qimage.size()
            self._pixmap.setPixmap(QPixmap.fromImage(qimage))
            if resized:
                self.scene().setSceneRect(QRectF(qimage.rect()))
                self._fit()
        self.viewport().update()

    def has_image(self) -> bool:
        return not self._pixmap.pixmap().isNull()

    def set_message(self, text: str) -> None:
        """A line shown in place of the frame (no job selected, file missing…)."""
        self.message = text
        if text:
            self.set_image(None)
            self.set_results(None)
        self.viewport().update()

    def set_results(self, result: FrameResult | None) -> None:
        self.result = result
        self._draw_overlays()

    def set_region(self, roi: tuple[float, float, float, float] | None) -> None:
        """The job's region of interest (fractions of the frame), outlined when text is shown."""
        self.region = roi
        self._draw_overlays()

    def set_layers(self, *, ocr: bool, detections: bool) -> None:
        self.show_ocr, self.show_detections = ocr, detections
        self._draw_overlays()

    def render_frame(self) -> QImage:
        """The frame with its overlays at the video's own size (what the view shows, unscaled)."""
        rect = self.scene().sceneRect()
        image = QImage(int(rect.width()), int(rect.height()), QImage.Format.Format_RGB32)
        image.fill(BACKGROUND)
        painter = QPainter(image)
        painter.setRenderHints(self.renderHints())
        self.scene().render(painter, QRectF(image.rect()), rect)
        painter.end()
        return image

    # -- drawing ----------------------------------------------------------------------------

    def _draw_overlays(self) -> None:
        for item in self._overlays:
            self.scene().removeItem(item)
        self._overlays.clear()
        if self.region and self.show_ocr and self.has_image():
            frame = self.scene().sceneRect()
            x1, y1, x2, y2 = self.region
            w, h = frame.width(), frame.height()
            outline = QGraphicsRectItem(QRectF(x1 * w, y1 * h, (x2 - x1) * w, (y2 - y1) * h))
            self._add(outline, REGION_COLOR, fill_alpha=0, style=Qt.PenStyle.DashLine)
        result = self.result
        if result is None:
            return
        # Labels keep their screen size, so near the top edge they go inside the box.
        label_room = 22 / max(self.transform().m11(), 1e-6)
        if self.show_detections:
            for det in result.detections:
                x1, y1, x2, y2 = det.box
                color = class_color(det.class_id)
                box = QGraphicsRectItem(QRectF(x1, y1, x2 - x1, y2 - y1))
                self._add(box, color, fill_alpha=28)
                self._label(f"{detection_name(det)} {det.confidence:.0%}", color, x1, y1,
                            label_room)
        if self.show_ocr:
            for line in result.ocr:
                poly = QGraphicsPolygonItem(QPolygonF([QPointF(x, y) for x, y in line.box]))
                self._add(poly, OCR_COLOR, fill_alpha=40)
                left = min(x for x, _ in line.box)
                top = min(y for _, y in line.box)
                self._label(line.text, OCR_COLOR, left, top, label_room)

    def _add(self, item, color: QColor, *, fill_alpha: int,
             style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> None:
        pen = QPen(color, 2, style)
        pen.setCosmetic(True)  # 2 screen pixels at any zoom
        item.setPen(pen)
        fill = QColor(color)
        fill.setAlpha(fill_alpha)
        item.setBrush(QBrush(fill))
        self.scene().addItem(item)
        self._overlays.append(item)

    def _label(self, text: str, color: QColor, x: float, y: float, room: float) -> None:
        label = OverlayLabel(text, color, below=y < room)
        label.setPos(x, y)
        label.setZValue(1)
        self.scene().addItem(label)
        self._overlays.append(label)

    def _fit(self) -> None:
        if self.has_image():
            self.fitInView(self._pixmap, Qt.AspectRatioMode.KeepAspectRatio)
            self._draw_overlays()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        if self.has_image() or not self.message:
            return
        painter.save()
        painter.resetTransform()
        painter.setPen(QColor("#9aa0a6"))
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.2)
        painter.setFont(font)
        painter.drawText(self.viewport().rect().adjusted(20, 20, -20, -20),
                         Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.message)
        painter.restore()
