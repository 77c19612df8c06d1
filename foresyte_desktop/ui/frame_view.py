"""The frame view: one video frame scaled to the widget, with the OCR quadrilaterals and the
detection boxes drawn over it in their colours, each with a label that covers no other line's
text (core/overlay_draw, the renderer of the PNG and the annotated MP4 too). It can single out
one tracked object (and zoom to it), and lets the user drag a text region, or the box of a line
the machine missed, over the frame. A text line double-clicked is handed on to be corrected;
a corrected line's tooltip says what the machine read."""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QFrame, QGraphicsPixmapItem, QGraphicsRectItem, QGraphicsScene, QGraphicsView, QToolTip,
    QWidget,
)

from foresyte_desktop.core import overlay_draw
from foresyte_desktop.core.model import Detection, FrameResult
from foresyte_desktop.core.overlay_draw import OverlayOptions, draw_overlays, overlay_layer
from foresyte_desktop.core.roi import roi_from_pixels

OCR_COLOR = QColor(*overlay_draw.OCR_COLOR)
REGION_COLOR = QColor(*overlay_draw.REGION_COLOR)
FOLLOW_COLOR = QColor(*overlay_draw.FOLLOW_COLOR)
BACKGROUND = QColor("#15171a")
MAX_LAYER_SCALE = 6  # the overlay layer's pixels per frame pixel, at most (deep zoom)
MAX_LAYER_PIXELS = 24_000_000  # and its size: a zoomed 4K frame must not take gigabytes
object_name = overlay_draw.object_name


def class_color(class_id: int) -> QColor:
    """The detector class's colour, as on the frame (overlay_draw.class_color)."""
    return QColor(*overlay_draw.class_color(class_id))


def detection_name(det: Detection) -> str:
    return object_name(det.label, det.track_id)


def bgr_to_qimage(image: np.ndarray) -> QImage:
    """A QImage that owns a copy of a BGR frame from OpenCV."""
    h, w = image.shape[:2]
    frame = np.ascontiguousarray(image)
    return QImage(frame.data, w, h, frame.strides[0], QImage.Format.Format_BGR888).copy()


class FrameView(QGraphicsView):
    """Shows a frame and its results; scales with the widget, keeping the aspect ratio."""

    region_drawn = Signal(object)   # a Roi dragged out over the frame (fractions of it)
    line_drawn = Signal(object)     # a missed line's box dragged out: x1, y1, x2, y2 pixels
    line_activated = Signal(int)    # a text line double-clicked: its index on the frame
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
        # The overlays, drawn by the shared renderer at the pixels the view shows them at.
        self._layer = QGraphicsPixmapItem()
        self._layer.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self._layer.setZValue(1)
        self.scene().addItem(self._layer)
        self._image: np.ndarray | None = None  # the BGR frame shown
        self.result: FrameResult | None = None
        self.region: tuple[float, float, float, float] | None = None  # the job's OCR region
        self.show_ocr = True
        self.show_detections = True
        self.show_labels = True
        self.message = "Select a job to review its video"
        self.followed: int | None = None       # the tracked object singled out
        self.focus: QRectF | None = None       # the part of the frame zoomed to
        self.drawing = False                   # a drag draws a text region or a line
        self.drawing_line = False              # … the box of a line the machine missed
        self._drag_from: QPointF | None = None
        self._rubber: QGraphicsRectItem | None = None

    # -- content ----------------------------------------------------------------------------

    def set_image(self, image: np.ndarray | None) -> None:
        """Show a BGR frame (None: none)."""
        had_image = self.has_image()
        self._image = image
        if image is None:
            self._pixmap.setPixmap(QPixmap())
        else:
            qimage = bgr_to_qimage(image)
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

    def set_layers(self, *, ocr: bool, detections: bool, labels: bool = True) -> None:
        """Which overlays are drawn; labels=False draws the boxes only."""
        self.show_ocr, self.show_detections, self.show_labels = ocr, detections, labels
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
        """The frame with its overlays at the video's own size, drawn as the PNG and the
        annotated MP4 draw it."""
        if self._image is None:
            rect = self.scene().sceneRect()
            image = QImage(int(rect.width()), int(rect.height()), QImage.Format.Format_RGB32)
            image.fill(BACKGROUND)
            return image
        return bgr_to_qimage(draw_overlays(self._image, self.result, self.options()))

    def options(self) -> OverlayOptions:
        return OverlayOptions(ocr=self.show_ocr, detections=self.show_detections,
                              labels=self.show_labels, region=self.region,
                              followed=self.followed)

    def layer_scale(self) -> float:
        """Overlay pixels per frame pixel: the screen's device pixels the frame is shown at,
        so labels are as sharp at 2× as at 1×, within MAX_LAYER_SCALE and MAX_LAYER_PIXELS."""
        rect = self.scene().sceneRect()
        shown = self.transform().m11() * self.devicePixelRatioF()
        fits = math.sqrt(MAX_LAYER_PIXELS / max(1.0, rect.width() * rect.height()))
        return max(1.0, min(math.ceil(shown), MAX_LAYER_SCALE, fits))

    # -- drawing ----------------------------------------------------------------------------

    def _draw_overlays(self) -> None:
        if not self.has_image() or (self.result is None and not self.region):
            self._layer.setPixmap(QPixmap())
            return
        rect = self.scene().sceneRect()
        scale = self.layer_scale()
        layer = overlay_layer(self.result, int(rect.width()), int(rect.height()),
                              self.options(), scale)
        data = layer.tobytes()
        qimage = QImage(data, layer.width, layer.height, layer.width * 4,
                        QImage.Format.Format_RGBA8888)
        self._layer.setPixmap(QPixmap.fromImage(qimage))
        self._layer.setScale(rect.width() / layer.width)

    def _fit(self) -> None:
        if self.has_image():
            if self.focus is not None:
                self.fitInView(self.focus, Qt.AspectRatioMode.KeepAspectRatio)
            else:
                self.fitInView(self._pixmap, Qt.AspectRatioMode.KeepAspectRatio)
            self._draw_overlays()

    # -- drawing a region -------------------------------------------------------------------

    def start_drawing(self, *, line: bool = False) -> None:
        """The next drag over the frame draws a text region (region_drawn on release), or with
        `line` a missed line's box (line_drawn)."""
        self.drawing = True
        self.drawing_line = line
        self.viewport().setCursor(Qt.CursorShape.CrossCursor)

    def cancel_drawing(self) -> None:
        if self.drawing:
            self.stop_drawing()
            self.drawing_cancelled.emit()

    def stop_drawing(self) -> None:
        self.drawing = False
        self.drawing_line = False
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

    def line_at(self, point: QPointF) -> int | None:
        """The index of the smallest text line shown under `point` (frame pixels)."""
        if self.result is None or not self.show_ocr:
            return None
        under = []
        for n, line in enumerate(self.result.ocr):
            xs, ys = [x for x, _ in line.box], [y for _, y in line.box]
            if min(xs) <= point.x() <= max(xs) and min(ys) <= point.y() <= max(ys):
                under.append(((max(xs) - min(xs)) * (max(ys) - min(ys)), n))
        return min(under)[1] if under else None

    def mouseDoubleClickEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and not self.drawing and \
                self.has_image():
            n = self.line_at(self.mapToScene(event.position().toPoint()))
            if n is not None:
                self.line_activated.emit(n)
                return
        super().mouseDoubleClickEvent(event)

    def viewportEvent(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip and self.has_image():
            n = self.line_at(self.mapToScene(event.pos()))
            line = self.result.ocr[n] if n is not None else None
            if line is not None and line.machine_text is not None:
                read = (f"The machine read “{line.machine_text}”." if line.machine_text else
                        "Added by the analyst: the machine read nothing here.")
                QToolTip.showText(event.globalPos(), f"{line.text}\n{read}", self)
                return True
            QToolTip.hideText()
        return super().viewportEvent(event)

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
        line = self.drawing_line
        self.stop_drawing()
        try:
            roi = roi_from_pixels(start.x(), start.y(), end.x(), end.y(),
                                  int(frame.width()), int(frame.height()))
        except ValueError:
            self.start_drawing(line=line)  # a click or a slip: let the user drag again
            self.region_refused.emit(
                "That rectangle is too small to hold a line; drag across the line's text."
                if line else "That rectangle is too small to be a text region; drag across "
                             "the area where the text appears.")
            return
        if line:
            x1, y1, x2, y2 = roi
            self.line_drawn.emit([x1 * frame.width(), y1 * frame.height(),
                                  x2 * frame.width(), y2 * frame.height()])
        else:
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
