"""The frame view: one video frame scaled to the widget, with the OCR quadrilaterals and the
detection boxes drawn over it in their colours, each with a readable label. It can single out one
tracked object (and zoom to it), and lets the user drag a text region over the frame."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush, QColor, QFont, QFontMetricsF, QImage, QPainter, QPen, QPixmap, QPolygonF,
)
from PySide6.QtWidgets import (
    QFrame, QGraphicsItem, QGraphicsPixmapItem, QGraphicsPolygonItem, QGraphicsRectItem,
    QGraphicsScene, QGraphicsView, QWidget,
)

from foresyte_desktop.core.model import Detection, FrameResult
from foresyte_desktop.core.roi import roi_from_pixels

OCR_COLOR = QColor("#ffb000")
REGION_COLOR = QColor("#50dc50")
FOLLOW_COLOR = QColor("#ff2d95")
DIMMED_ALPHA = 90  # other objects while one is followed: still there, not in the way
BACKGROUND = QColor("#15171a")
LABEL_MAX_CHARS = 60


def class_color(class_id: int) -> QColor:
    """A distinct, stable colour per detector class (golden-angle hues, away from OCR amber)."""
    return QColor.fromHsv(int(200 + class_id * 137.508) % 360, 190, 255)


def object_name(label: str, track_id: int | None) -> str:
    """"person #3": the class, and the tracked object's id when there is one."""
    return label + (f" #{track_id}" if track_id is not None else "")


def detection_name(det: Detection) -> str:
    return object_name(det.label, det.track_id)


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
        fill.setAlpha(min(235, self.color.alpha()))  # a dimmed object keeps a dimmed tag
        painter.setBrush(fill)
        painter.drawRoundedRect(self._rect, 3, 3)
        painter.setPen(self._ink)
        painter.setFont(self.font)
        painter.drawText(self._rect, Qt.AlignmentFlag.AlignCenter, self.text)


class FrameView(QGraphicsView):
    """Shows a frame and its results; scales with the widget, keeping the aspect ratio."""

    region_drawn = Signal(object)   # a Roi dragged out over the frame (fractions of it)
    region_refused = Signal(str)    # why the rectangle just dragged is not a region
    object_clicked = Signal(int)    # the track id of a tracked object clicked on
    drawing_cancelled = Signal()    # drawing a region stopped before one was drawn
    has_image_changed = Signal(bool)  # a frame is shown now, or none any more

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setBackgroundBrush(BACKGROUND)
        self.setRenderHints(QPainter.RenderHint.Antialiasing |
                            QPainter.RenderHint.SmoothPixmapTransform)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # A click takes the keys from a text field, so ← → and Space work on the frames again.
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
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
        self.followed: int | None = None       # the tracked object singled out
        self.focus: QRectF | None = None       # the part of the frame zoomed to
        self.drawing = False                   # a drag draws a text region
        self._drag_from: QPointF | None = None
        self._rubber: QGraphicsRectItem | None = None

    # -- content ----------------------------------------------------------------------------

    def set_image(self, image: np.ndarray | QImage | None) -> None:
        had_image = self.has_image()
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
        if self.has_image() != had_image:
            self.has_image_changed.emit(not had_image)

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

    def set_followed(self, track_id: int | None) -> None:
        """Draw this tracked object in the follow colour and the others dimmed."""
        self.followed = track_id
        self._draw_overlays()

    def set_focus(self, rect: QRectF | None) -> None:
        """Zoom to `rect` (frame pixels); None: the whole frame."""
        if rect != self.focus:
            self.focus = rect
            self._fit()

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
                followed = self.followed is not None and det.track_id == self.followed
                color = FOLLOW_COLOR if followed else QColor(class_color(det.class_id))
                if self.followed is not None and not followed:
                    color.setAlpha(DIMMED_ALPHA)
                box = QGraphicsRectItem(QRectF(x1, y1, x2 - x1, y2 - y1))
                self._add(box, color, fill_alpha=40 if followed else 28,
                          width=4 if followed else 2)
                self._label(f"{detection_name(det)} {det.confidence:.0%}", color, x1, y1,
                            label_room)
        if self.show_ocr:
            for line in result.ocr:
                poly = QGraphicsPolygonItem(QPolygonF([QPointF(x, y) for x, y in line.box]))
                self._add(poly, OCR_COLOR, fill_alpha=40)
                left = min(x for x, _ in line.box)
                top = min(y for _, y in line.box)
                self._label(line.text, OCR_COLOR, left, top, label_room)

    def _add(self, item, color: QColor, *, fill_alpha: int, width: int = 2,
             style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> None:
        pen = QPen(color, width, style)
        pen.setCosmetic(True)  # the same screen pixels at any zoom
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
            if self.focus is not None:
                self.fitInView(self.focus, Qt.AspectRatioMode.KeepAspectRatio)
            else:
                self.fitInView(self._pixmap, Qt.AspectRatioMode.KeepAspectRatio)
            self._draw_overlays()

    # -- drawing a region -------------------------------------------------------------------

    def start_drawing(self) -> None:
        """The next drag over the frame draws a text region (region_drawn on release)."""
        self.drawing = True
        self.viewport().setCursor(Qt.CursorShape.CrossCursor)

    def cancel_drawing(self) -> None:
        if self.drawing:
            self.stop_drawing()
            self.drawing_cancelled.emit()

    def stop_drawing(self) -> None:
        self.drawing = False
        self._drag_from = None
        if self._rubber is not None:
            self.scene().removeItem(self._rubber)
            self._rubber = None
        self.viewport().unsetCursor()

    def _scene_point(self, event) -> QPointF:
        """Where the mouse is on the frame, held inside the frame's edges."""
        point = self.mapToScene(event.position().toPoint())
        frame = self.scene().sceneRect()
        return QPointF(min(max(point.x(), frame.left()), frame.right()),
                       min(max(point.y(), frame.top()), frame.bottom()))

    def tracked_object_at(self, point: QPointF) -> int | None:
        """The track id of the smallest tracked object shown under `point` (frame pixels)."""
        if self.result is None or not self.show_detections:
            return None
        under = [d for d in self.result.detections if d.track_id is not None and
                 d.box[0] <= point.x() <= d.box[2] and d.box[1] <= point.y() <= d.box[3]]
        smallest = min(under, key=lambda d: (d.box[2] - d.box[0]) * (d.box[3] - d.box[1]),
                       default=None)
        return smallest.track_id if smallest else None

    def mousePressEvent(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or not self.has_image():
            return super().mousePressEvent(event)
        if not self.drawing:
            track_id = self.tracked_object_at(self.mapToScene(event.position().toPoint()))
            if track_id is not None:
                self.object_clicked.emit(track_id)
            return super().mousePressEvent(event)
        self._drag_from = self._scene_point(event)
        self._rubber = QGraphicsRectItem(QRectF(self._drag_from, self._drag_from))
        pen = QPen(REGION_COLOR, 2, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        self._rubber.setPen(pen)
        fill = QColor(REGION_COLOR)
        fill.setAlpha(50)
        self._rubber.setBrush(fill)
        self._rubber.setZValue(2)
        self.scene().addItem(self._rubber)

    def mouseMoveEvent(self, event) -> None:
        if self._drag_from is None:
            if not self.drawing:  # tracked objects can be clicked to follow them
                over = self.tracked_object_at(self.mapToScene(event.position().toPoint()))
                self.viewport().setCursor(Qt.CursorShape.PointingHandCursor if over is not None
                                          else Qt.CursorShape.ArrowCursor)
            return super().mouseMoveEvent(event)
        self._rubber.setRect(QRectF(self._drag_from, self._scene_point(event)).normalized())

    def mouseReleaseEvent(self, event) -> None:
        if self._drag_from is None:
            return super().mouseReleaseEvent(event)
        start, end = self._drag_from, self._scene_point(event)
        frame = self.scene().sceneRect()
        self.stop_drawing()
        try:
            roi = roi_from_pixels(start.x(), start.y(), end.x(), end.y(),
                                  int(frame.width()), int(frame.height()))
        except ValueError:
            self.start_drawing()  # a click or a slip: let the user drag again
            self.region_refused.emit("That rectangle is too small to be a text region; "
                                     "drag across the area where the text appears.")
            return
        self.region_drawn.emit(roi)

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
