"""The scrubber under the video: one strip for the position and for what the job found, so a
moment sits at one x. It draws the job's text segments as bars, a density band per object
class, the span of the object being followed, a mark for each bookmark and note of a reviewed
job, and the current position with its handle. A click or a drag seeks there; resting the
pointer names the time, the text on screen then and the notes there, for as long as it rests.
A reviewed job's timeline is its corrected state: rejected segments are not drawn."""
from __future__ import annotations

from functools import partial

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QToolTip, QWidget

from foresyte_desktop.core.formatting import video_time
from foresyte_desktop.core.timeline import Timeline, build_timeline
from foresyte_desktop.ui.frame_view import FOLLOW_COLOR, OCR_COLOR, class_color

MARGIN = 6       # each side: the first and last frames' x, with room for the handle
HANDLE = 5       # the handle's half width at the top
TOP = 7          # above the text row: where the handle's head sits
TEXT_ROW = 14
BAND_ROW = 8
GAP = 3
BOTTOM = 4
BACKGROUND = QColor("#23262b")
TRACK_COLOR = QColor("#3a3e45")
POSITION_COLOR = QColor("#ff4040")
NOTE_COLOR = QColor("#4aa3ff")  # bookmarks and notes: apart from text amber and the red handle
NOTE_MARK = 4    # a note's mark: a small flag this wide, on the text row
TIP_MS = 10 * 60 * 1000  # the hover text stays while the pointer rests (it goes when it moves)
HINT = "Click or drag to go there"


class TimelineStrip(QWidget):
    """The scrubber of the Viewer `viewer` (which makes it, so it is not imported here): rebuilt
    in the viewer's lane whenever its results are reloaded."""

    def __init__(self, viewer: QWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self.viewer = viewer
        self.timeline: Timeline | None = None
        self.position_s = 0.0
        self.followed: dict | None = None  # the followed track: its span is marked
        self._segments: list[dict] = []  # the viewer's latest text segments
        self.notes: list[dict] = []  # a reviewed job's bookmarks and notes
        self._epoch = 0  # bumped per rebuild, so a late build for another job is dropped
        self._dragging = False
        self.setFixedHeight(self._height())
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setStatusTip(f"{HINT}; text segments on top, objects below")
        viewer.segments_changed.connect(self.rebuild)
        viewer.decoder.opened.connect(lambda *_: self.rebuild())
        viewer.track_followed.connect(self.set_followed)
        viewer.review_changed.connect(self._on_review)

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
        shown = viewer.reviewed if viewer.review is not None else viewer.results
        frames = [shown.frames[i] for i in sorted(shown.frames)]
        duration = viewer.info.duration_s if viewer.info else 0.0
        epoch = self._epoch
        segments = [s for s in self._segments if s.get("review_state") != "rejected"]
        viewer.library.in_background(
            partial(build_timeline, frames, duration, segments=segments),
            on_done=lambda t: epoch == self._epoch and self.set_timeline(t))

    def set_timeline(self, timeline: Timeline | None) -> None:
        self.timeline = timeline
        self.setFixedHeight(self._height())
        self.update()

    def _on_review(self, view) -> None:
        self.notes = list(view.notes) if view is not None else []
        self.update()

    def set_followed(self, track: dict | None) -> None:
        self.followed = track
        self.update()

    def set_position(self, index: int) -> None:
        """The frame asked for: the handle moves there at once, before it is decoded."""
        info = self.viewer.info
        self.position_s = index / (info.fps or 25.0) if info else 0.0
        self.update()

    # -- geometry ---------------------------------------------------------------------------

    def _bands(self) -> list[str]:
        return list(self.timeline.density) if self.timeline else []

    def _height(self) -> int:
        return TOP + TEXT_ROW + len(self._bands()) * (BAND_ROW + GAP) + BOTTOM

    def sizeHint(self) -> QSize:
        return QSize(400, self._height())

    def _duration(self) -> float:
        if self.timeline is not None:
            return self.timeline.duration_s
        info = self.viewer.info
        return max(info.duration_s, 1e-6) if info else 1.0

    def _x(self, seconds: float) -> float:
        return MARGIN + seconds / self._duration() * (self.width() - 2 * MARGIN)

    def time_at(self, x: float) -> float:
        share = (x - MARGIN) / max(1, self.width() - 2 * MARGIN)
        return min(max(share, 0.0), 1.0) * self._duration()

    def text_at(self, seconds: float) -> list[str]:
        """The texts of the segments on screen at `seconds`."""
        if self.timeline is None:
            return []
        half_bin = self.timeline.bin_s / 2  # so a one-frame segment can be hovered
        return [text for start, end, text in self.timeline.text_bars
                if start - half_bin <= seconds <= end + half_bin]

    def notes_at(self, x: float) -> list[dict]:
        """The notes whose mark is under `x`."""
        return [n for n in self.notes if abs(self._x(n["time_s"]) - x) <= NOTE_MARK + 1]

    def hover_text(self, x: float) -> str:
        seconds = self.time_at(x)
        texts = self.text_at(seconds)
        notes = [f"Note: {n['text']}" if n["text"] else "Bookmark" for n in self.notes_at(x)]
        return "\n".join([video_time(seconds), *texts, *notes])

    # -- painting and the mouse -------------------------------------------------------------

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), BACKGROUND)
        width = self.width() - 2 * MARGIN
        painter.fillRect(QRectF(MARGIN, TOP + TEXT_ROW / 2 - 1, width, 2), TRACK_COLOR)
        if self.timeline is not None:
            self._paint(painter)
        if self.notes and self.viewer.info is not None:
            self._paint_notes(painter)
        if self.viewer.info is not None:
            self._paint_position(painter)
        painter.end()

    def _paint_notes(self, painter: QPainter) -> None:
        """A flag per note: a staff over the text row and a pennant at its top."""
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for note in self.notes:
            x = self._x(note["time_s"])
            painter.setPen(QPen(NOTE_COLOR, 1.5))
            painter.drawLine(QPointF(x, 1), QPointF(x, TOP + TEXT_ROW))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(NOTE_COLOR)
            painter.drawPolygon(QPolygonF([QPointF(x, 1), QPointF(x + NOTE_MARK * 2, 3.5),
                                           QPointF(x, 6)]))
        painter.restore()

    def _paint(self, painter: QPainter) -> None:
        t = self.timeline
        for start, end, _text in t.text_bars:
            x1, x2 = self._x(start), self._x(end + t.bin_s)
            painter.fillRect(QRectF(x1, TOP, max(2.0, x2 - x1), TEXT_ROW), OCR_COLOR)
        width = (self.width() - 2 * MARGIN) / len(next(iter(t.density.values()), [0]))
        for row, (label, per_bin) in enumerate(t.density.items()):
            y = TOP + TEXT_ROW + GAP + row * (BAND_ROW + GAP)
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

    def _paint_position(self, painter: QPainter) -> None:
        x = self._x(self.position_s)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(POSITION_COLOR, 2))
        painter.drawLine(QPointF(x, TOP - 1), QPointF(x, self.height()))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(POSITION_COLOR)
        painter.drawPolygon(QPolygonF([QPointF(x - HANDLE, 0), QPointF(x + HANDLE, 0),
                                       QPointF(x, TOP + 1)]))

    def render_image(self) -> QImage:
        """The strip as drawn now, for tests and screenshots."""
        return self.grab().toImage()

    def _seek_to(self, x: float) -> None:
        info = self.viewer.info
        if info is not None:
            self.viewer.pause()
            self.viewer.seek(round(self.time_at(x) * (info.fps or 25.0)))

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.viewer.info is not None:
            self._dragging = True
            self._seek_to(event.position().x())

    def mouseReleaseEvent(self, event) -> None:
        self._dragging = False

    def mouseMoveEvent(self, event) -> None:
        if self._dragging:
            self._seek_to(event.position().x())
        if self.viewer.info is not None:
            self._show_tip(event.position().toPoint(), event.globalPosition().toPoint())

    def event(self, event) -> bool:
        # Resting the pointer: the hover text for that spot, never a fixed tooltip over it.
        if event.type() == QEvent.Type.ToolTip:
            if self.viewer.info is not None:
                self._show_tip(event.pos(), event.globalPos())
            return True
        return super().event(event)

    def _show_tip(self, pos: QPoint, global_pos: QPoint) -> None:
        QToolTip.showText(global_pos, self.hover_text(pos.x()), self,
                          QRect(pos.x() - 1, 0, 3, self.height()), TIP_MS)
