"""The strip under the viewer: the job's text segments as bars, a density band per object class,
the current position, and the span of the object being followed. A click seeks there; hovering
names the text on screen at that time."""
from __future__ import annotations

from functools import partial

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QToolTip, QWidget

from foresyte_desktop.core.formatting import video_time
from foresyte_desktop.core.timeline import Timeline, build_timeline
from foresyte_desktop.ui.frame_view import FOLLOW_COLOR, OCR_COLOR, class_color
from foresyte_desktop.ui.viewer import Viewer

MARGIN = 4
TEXT_ROW = 12
BAND_ROW = 8
GAP = 3
BACKGROUND = QColor("#23262b")
POSITION_COLOR = QColor("#ff4040")


class TimelineStrip(QWidget):
    """Follows a viewer: rebuilt (in the viewer's lane) whenever its results are reloaded."""

    def __init__(self, viewer: Viewer, parent: QWidget | None = None):
        super().__init__(parent)
        self.viewer = viewer
        self.timeline: Timeline | None = None
        self.position_s = 0.0
        self.followed: dict | None = None  # the followed track: its span is marked
        self._segments: list[dict] = []  # the viewer's latest text segments
        self._epoch = 0  # bumped per rebuild, so a late build for another job is dropped
        self.setFixedHeight(self._height())
        self.setMouseTracking(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Click to go there; text segments on top, objects below")
        viewer.segments_changed.connect(self.rebuild)
        viewer.decoder.opened.connect(lambda *_: self.rebuild())
        viewer.frame_shown.connect(self._on_frame_shown)
        viewer.track_followed.connect(self.set_followed)

    # -- data -------------------------------------------------------------------------------

    def rebuild(self, segments: list[dict] | None = None) -> None:
        """Rebuilt with the segments the viewer just merged (None: the last ones it sent)."""
        viewer = self.viewer
        if segments is not None:
            self._segments = segments
        self._epoch += 1
        if viewer.job is None:
            self.set_timeline(None)
            return
        frames = [viewer.results.frames[i] for i in sorted(viewer.results.frames)]
        duration = viewer.info.duration_s if viewer.info else 0.0
        epoch = self._epoch
        viewer.library.in_background(
            partial(build_timeline, frames, duration, segments=self._segments),
            on_done=lambda t: epoch == self._epoch and self.set_timeline(t))

    def set_timeline(self, timeline: Timeline | None) -> None:
        self.timeline = timeline
        self.setFixedHeight(self._height())
        self.update()

    def set_followed(self, track: dict | None) -> None:
        self.followed = track
        self.update()

    def _on_frame_shown(self, index: int, _result) -> None:
        info = self.viewer.info
        self.position_s = index / (info.fps or 25.0) if info else 0.0
        self.update()

    # -- geometry ---------------------------------------------------------------------------

    def _bands(self) -> list[str]:
        return list(self.timeline.density) if self.timeline else []

    def _height(self) -> int:
        return 2 * MARGIN + TEXT_ROW + len(self._bands()) * (BAND_ROW + GAP)

    def sizeHint(self) -> QSize:
        return QSize(400, self._height())

    def _x(self, seconds: float) -> float:
        return MARGIN + seconds / self.timeline.duration_s * (self.width() - 2 * MARGIN)

    def time_at(self, x: float) -> float:
        if self.timeline is None:
            return 0.0
        share = (x - MARGIN) / max(1, self.width() - 2 * MARGIN)
        return min(max(share, 0.0), 1.0) * self.timeline.duration_s

    def text_at(self, seconds: float) -> list[str]:
        """The texts of the segments on screen at `seconds`."""
        if self.timeline is None:
            return []
        half_bin = self.timeline.bin_s / 2  # so a one-frame segment can be hovered
        return [text for start, end, text in self.timeline.text_bars
                if start - half_bin <= seconds <= end + half_bin]

    # -- painting and the mouse -------------------------------------------------------------

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), BACKGROUND)
        if self.timeline is not None:
            self._paint(painter)
        painter.end()

    def _paint(self, painter: QPainter) -> None:
        t = self.timeline
        for start, end, _text in t.text_bars:
            x1, x2 = self._x(start), self._x(end + t.bin_s)
            painter.fillRect(QRectF(x1, MARGIN, max(2.0, x2 - x1), TEXT_ROW), OCR_COLOR)
        width = (self.width() - 2 * MARGIN) / len(next(iter(t.density.values()), [0]))
        for row, (label, per_bin) in enumerate(t.density.items()):
            y = MARGIN + TEXT_ROW + GAP + row * (BAND_ROW + GAP)
            peak = max(per_bin) or 1.0
            base = class_color(t.class_ids.get(label, row))  # as the boxes on the frame
            for b, value in enumerate(per_bin):
                if value:
                    color = QColor(base)
                    color.setAlphaF(0.25 + 0.75 * value / peak)  # more objects, more opaque
                    painter.fillRect(QRectF(MARGIN + b * width, y, width + 0.5, BAND_ROW), color)
        if self.followed is not None:
            x1 = self._x(self.followed["start_s"])
            x2 = max(x1 + 2.0, self._x(self.followed["end_s"] + t.bin_s))
            span = QColor(FOLLOW_COLOR)
            span.setAlpha(70)
            painter.fillRect(QRectF(x1, 0, x2 - x1, self.height()), span)
            painter.fillRect(QRectF(x1, self.height() - 3, x2 - x1, 3), FOLLOW_COLOR)
        x = self._x(self.position_s)
        painter.setPen(QPen(POSITION_COLOR, 2))
        painter.drawLine(QPointF(x, 0), QPointF(x, self.height()))

    def render_image(self) -> QImage:
        """The strip as drawn now, for tests and screenshots."""
        return self.grab().toImage()

    def mousePressEvent(self, event) -> None:
        info = self.viewer.info
        if event.button() != Qt.MouseButton.LeftButton or self.timeline is None or info is None:
            return
        self.viewer.pause()
        self.viewer.seek(round(self.time_at(event.position().x()) * (info.fps or 25.0)))

    def mouseMoveEvent(self, event) -> None:
        if self.timeline is None:
            return
        seconds = self.time_at(event.position().x())
        texts = self.text_at(seconds)
        tip = video_time(seconds) + ("\n" + "\n".join(texts) if texts else "")
        QToolTip.showText(event.globalPosition().toPoint(), tip, self)
