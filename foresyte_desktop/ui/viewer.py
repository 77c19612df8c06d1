"""The viewer: the selected job's video with its results, the scrubber under it, playback at a
chosen speed, a go-to-time field, the actions to step through frames and to jump to the next
change or text segment, and following one tracked object. Each job opens again where it was
left, and a search hit opens with its line outlined.

Frames are decoded on the decoder thread and results are loaded through the library; a
running job's new results arrive live from its worker and are drawn as they come. Its text
segments and tracks are recomputed only when its frames changed.
"""
from __future__ import annotations

from functools import partial

from PySide6.QtCore import (
    QElapsedTimer, QPoint, QPointF, QRectF, QSignalBlocker, Qt, QTimer, Signal,
)
from PySide6.QtGui import QAction, QColor, QPen, QPolygonF
from PySide6.QtWidgets import (
    QAbstractSpinBox, QApplication, QComboBox, QGraphicsPolygonItem, QHBoxLayout, QLabel,
    QLineEdit, QSizePolicy, QStyle, QToolButton, QToolTip, QVBoxLayout, QWidget,
)

from foresyte_desktop.core.formatting import video_time
from foresyte_desktop.core.model import FrameResult, Job, VideoInfo
from foresyte_desktop.core.review_apply import ReviewView
from foresyte_desktop.core.timeline import Changes, parse_position
from foresyte_desktop.ui.actions import make_action
from foresyte_desktop.ui.follow_bar import FollowBar
from foresyte_desktop.ui.frame_view import FrameView
from foresyte_desktop.ui.review_results import ReviewResults
from foresyte_desktop.ui.timeline_strip import TimelineStrip
from foresyte_desktop.workers.frame_decoder import FrameDecoder
from foresyte_desktop.workers.library import Library

SEGMENTS_REFRESH_MS = 1000  # while a job runs, its segments are recomputed at most this often
ZOOM_CONTEXT = 0.5   # a zoomed-to object gets half its own size around it on each side
ZOOM_MIN_SHARE = 0.25  # and the zoomed view shows at least this share of the frame's width
SPEEDS = (0.25, 0.5, 1.0, 1.5, 2.0, 4.0)
MARK_COLOR = QColor("#ff3030")  # a search hit's line, red as in the Find panel's thumbnails


def zoom_rect(box: list[float], width: float, height: float) -> QRectF:
    """The part of a width × height frame to show when zooming to `box` (x1, y1, x2, y2)."""
    x1, y1, x2, y2 = box
    w = max((x2 - x1) * (1 + 2 * ZOOM_CONTEXT), width * ZOOM_MIN_SHARE)
    h = max((y2 - y1) * (1 + 2 * ZOOM_CONTEXT), height * ZOOM_MIN_SHARE)
    w, h = min(w, width), min(h, height)
    left = min(max((x1 + x2 - w) / 2, 0.0), width - w)
    top = min(max((y1 + y2 - h) / 2, 0.0), height - h)
    return QRectF(left, top, w, h)


class Viewer(QWidget):
    """Shows one job's video. `frame_shown` fires with each frame drawn and its results."""

    frame_shown = Signal(int, object)     # frame index, FrameResult standing for it (or None)
    segments_changed = Signal(object)     # list of text segment dicts
    tracks_changed = Signal(object)       # list of track dicts (results-JSON shape)
    track_followed = Signal(object)       # the followed track dict, or None
    review_changed = Signal(object)       # a completed job's ReviewView, or None (none shown)

    def __init__(self, library: Library, parent: QWidget | None = None):
        super().__init__(parent)
        self.library = library
        self.job: Job | None = None
        self.info: VideoInfo | None = None
        self.results = ReviewResults()   # the frames as the machine read them
        self.review: ReviewView | None = None  # a completed job's review, drawn where it is
        self.reviewed = ReviewResults()  # the frames as the review corrected them
        self.index = 0                   # the frame asked for
        self.shown_index: int | None = None  # the frame on screen
        self.follow = False              # a running job: keep showing its newest frame
        self._awaiting = False           # a decode is in flight
        self._db_upto = -1               # highest frame index loaded from the store
        self._loading = False
        self._stale = True               # frames changed since segments and tracks were made
        self._epoch = 0                  # bumped when the cached results stop being valid
        self.tracks: dict[int, dict] = {}  # the job's tracked objects by id
        self.followed: int | None = None
        self.changes = Changes([], [], 1)  # where the job's text and objects change
        self.positions: dict[str, int] = {}  # job id -> the frame it was left on
        self.speed = 1.0
        self._clock = QElapsedTimer()    # playing: since when, from which frame
        self._clock_from = 0
        self.marked: tuple[int, list[list[float]]] | None = None  # a hit's frame and line
        self._mark_item: QGraphicsPolygonItem | None = None

        self.decoder = FrameDecoder(self)
        self.decoder.opened.connect(self._on_opened)
        self.decoder.decoded.connect(self._on_decoded)
        self.decoder.failed.connect(self._on_failed)
        self.decoder.start()

        self.view = FrameView()
        self.view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.view.object_clicked.connect(self.follow_track)
        self.scrubber = TimelineStrip(self)
        self.scrubber.setEnabled(False)
        self.goto = QLineEdit()
        self.goto.setPlaceholderText("Go to…")
        self.goto.setToolTip("Type a time (1:23.5, 83.5) or # and a frame number, then Enter "
                             "(Ctrl+G)")
        self.goto.setMaximumWidth(90)
        self.goto.returnPressed.connect(self._on_goto)
        self.goto.textEdited.connect(lambda _: self.goto.setStyleSheet(""))
        self.speed_box = QComboBox()
        self.speed_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # ← → stay with the frames
        self.speed_box.setToolTip("Playback speed")
        for speed in SPEEDS:
            self.speed_box.addItem(f"{speed:g}×", speed)
        self.speed_box.setCurrentIndex(SPEEDS.index(1.0))
        self.speed_box.currentIndexChanged.connect(
            lambda i: self.set_speed(self.speed_box.itemData(i)))
        self.time_label = QLabel("–")
        self.time_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # In a small window the label is cut off (the current time stays) before the panels
        # beside the video give way.
        self.time_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.time_label.setMinimumWidth(self.time_label.fontMetrics().horizontalAdvance("00:00.0"))
        self.play_timer = QTimer(self)
        self.play_timer.timeout.connect(self._on_play_tick)
        self.segments_timer = QTimer(self)
        self.segments_timer.setSingleShot(True)
        self.segments_timer.setInterval(SEGMENTS_REFRESH_MS)
        self.segments_timer.timeout.connect(self.reload_results)

        self._make_actions()
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 4, 6, 4)
        for action in (self.act_previous_change, self.act_step_back, self.act_play,
                       self.act_step_forward, self.act_next_change):
            bar.addWidget(self._button(action))
        bar.addWidget(self.speed_box)
        bar.addSpacing(6)
        bar.addWidget(self.goto)
        bar.addWidget(self.time_label, 1)
        for action in (self.act_follow, self.act_show_ocr, self.act_show_detections,
                       self.act_show_labels):
            button = self._button(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            bar.addWidget(button)
        self.follow_bar = FollowBar([self.act_first_sighting, self.act_last_sighting,
                                     self.act_zoom, self.act_stop_following])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.follow_bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.scrubber)
        layout.addLayout(bar)
        self._set_enabled(False)

    # -- actions ----------------------------------------------------------------------------

    def _make_actions(self) -> None:
        sp = QStyle.StandardPixmap
        a = partial(make_action, self)
        self.act_play = a("Play", self.toggle_play, "Space", sp.SP_MediaPlay)
        self.act_step_back = a("Previous Frame", lambda: self.step(-1), "Left",
                               sp.SP_MediaSeekBackward)
        self.act_step_forward = a("Next Frame", lambda: self.step(1), "Right",
                                  sp.SP_MediaSeekForward)
        self.act_previous_change = a(
            "Previous Change", lambda: self.jump_to_change(-1), "Shift+Left",
            sp.SP_MediaSkipBackward, "Go back to where text last appeared or went, or an "
                                     "object appeared")
        self.act_next_change = a(
            "Next Change", lambda: self.jump_to_change(1), "Shift+Right", sp.SP_MediaSkipForward,
            "Go to where text next appears or goes, or an object appears")
        self.act_previous_segment = a(
            "Previous Text Segment", lambda: self.jump_to_segment(-1), "Ctrl+Left",
            tip="Go to the start of this text segment, or of the one before")
        self.act_next_segment = a(
            "Next Text Segment", lambda: self.jump_to_segment(1), "Ctrl+Right",
            tip="Go to the start of the next text segment")
        self.act_goto = a("Go to Time…", self.focus_goto, "Ctrl+G",
                          tip="Type a time or a frame number to go to")
        self.act_first = a("First Frame", lambda: self.seek(0), "Home")
        self.act_last = a("Last Frame", lambda: self.seek(self.frame_count - 1), "End")
        self.act_show_ocr = a("Text", self._on_layers, "Ctrl+1",
                              tip="Show or hide the text read on the frame", checkable=True)
        self.act_show_detections = a("Objects", self._on_layers, "Ctrl+2",
                                     tip="Show or hide the objects detected on the frame",
                                     checkable=True)
        self.act_show_labels = a("Labels", self._on_layers, "Ctrl+3", checkable=True,
                                 tip="Show the labels of the boxes drawn, or the boxes only")
        self.act_follow = a("Live", self._on_follow, "Ctrl+L",
                            tip="Follow the newest analysed frame of a running job",
                            checkable=True)
        self.act_first_sighting = a("First Sighting", lambda: self._seek_sighting("first_frame"),
                                    "Ctrl+Shift+Left",
                                    tip="Go to the first frame the followed object is on")
        self.act_last_sighting = a("Last Sighting", lambda: self._seek_sighting("last_frame"),
                                   "Ctrl+Shift+Right",
                                   tip="Go to the last frame the followed object is on")
        self.act_zoom = a("Zoom to Object", self._on_zoom, "Z", checkable=True,
                          tip="Keep the followed object large in the middle of the view")
        self.act_stop_following = a("Stop Following", self.escape, "Esc",
                                    tip="Stop following the object (or stop drawing a region, "
                                        "or leave a text field)")
        for act in (self.act_show_ocr, self.act_show_detections, self.act_show_labels):
            act.setChecked(True)
        # Shortcuts work wherever the viewer is shown, and the window's menus list them too.
        self.addActions([*self.navigation_actions(), *self.following_actions(),
                         self.act_show_ocr, self.act_show_detections, self.act_show_labels,
                         self.act_follow])
        self._update_follow_actions()

    def navigation_actions(self) -> list[QAction]:
        return [self.act_play, self.act_step_back, self.act_step_forward,
                self.act_previous_change, self.act_next_change, self.act_previous_segment,
                self.act_next_segment, self.act_first, self.act_last, self.act_goto]

    def following_actions(self) -> list[QAction]:
        return [self.act_first_sighting, self.act_last_sighting, self.act_zoom,
                self.act_stop_following]

    def _button(self, action: QAction) -> QToolButton:
        button = QToolButton()
        button.setDefaultAction(action)
        button.setAutoRaise(True)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        return button

    def _set_enabled(self, on: bool) -> None:
        for act in self.navigation_actions():
            act.setEnabled(on)
        for widget in (self.scrubber, self.goto):
            widget.setEnabled(on)

    # -- the job ----------------------------------------------------------------------------

    @property
    def frame_count(self) -> int:
        return self.info.frame_count if self.info else 1

    def show_job(self, job: Job | None) -> None:
        """Review `job` (None: nothing selected). The same job again only refreshes its state."""
        if job is not None and self.job is not None and job.job_id == self.job.job_id:
            self.update_job(job)
            return
        self.pause()
        self.view.cancel_drawing()  # the region was meant for the job that was on screen
        if self.job is not None and self.info is not None:
            self.positions[self.job.job_id] = self.index
        self.job, self.info = job, None
        self.results = ReviewResults(job.frame_stride if job else 1)
        self._set_review(None)
        running = job is not None and job.status == "running"
        self.index = 0 if job is None or running else self.positions.get(job.job_id, 0)
        self.shown_index, self._db_upto = None, -1
        self._epoch += 1
        self._stale = True
        self.follow_track(None)
        self.mark_line(None)
        self.tracks = {}
        self.changes = Changes([], [], 1)
        self.segments_changed.emit([])
        self.tracks_changed.emit([])
        self._set_enabled(False)
        self.scrubber.set_position(0)
        self.time_label.setText("–")
        self.act_follow.setEnabled(running)
        self._set_follow(running)
        if job is None:
            self.view.set_message("Select a job to review its video")
            self.frame_shown.emit(0, None)
            return
        self.view.set_message("Opening the video…")
        self.view.set_region(job.roi)
        self._request(self.index, reopen=True)
        self.reload_results()

    def update_job(self, job: Job) -> None:
        """The reviewed job changed state (ended, retried)."""
        was = self.job
        self.job = job
        self.view.set_region(job.roi)
        running = job.status == "running"
        self.act_follow.setEnabled(running)
        if not running:
            self._set_follow(False)
        elif was is not None and was.status != "running" and not self.playing:
            self._set_follow(True)  # the job under review just started: show it live
        if was is not None and was.frames_done and not job.frames_done and not job.ended:
            self.results = ReviewResults(job.frame_stride)  # retried: its old results are gone
            self._set_review(None)
            self._db_upto = -1
            self._epoch += 1
            self._stale = True
            self._show_results()
        if was is not None and (was.status == "completed") != (job.status == "completed"):
            self._stale = True  # completed now (its review opens), or no longer
            if job.status != "completed":
                self._set_review(None)
        self.reload_results()

    def add_live_frames(self, job_id: str, frames: list[FrameResult]) -> None:
        """Results just computed by a worker; drawn now if they concern the frame on screen."""
        if self.job is None or job_id != self.job.job_id or not frames:
            return
        new = self.results.add(frames)
        if not new:
            return
        self._stale = True
        if self.follow:
            self.seek(max(new), follow=True)
        elif self.shown_index is not None and \
                self.shown_index - self.shown_index % self.results.stride in new:
            self._show_results()
        if not self.segments_timer.isActive():
            self.segments_timer.start()

    def reload_results(self) -> None:
        """Load what the store has beyond what was loaded; the text segments and tracks are
        recomputed when the frames changed."""
        if self.job is None or self._loading:
            return
        self._loading = True
        epoch, summarise, self._stale = self._epoch, self._stale, False
        self.library.load_results(
            self.job.job_id, self._db_upto + 1, dict(self.results.frames), summarise,
            on_done=lambda loaded: self._on_results_loaded(epoch, *loaded),
            on_error=lambda message: self._on_load_error(summarise, message))

    def _on_results_loaded(self, epoch: int, fresh: list[FrameResult],
                           segments: list[dict] | None, tracks: list[dict] | None,
                           review: ReviewView | None) -> None:
        self._loading = False
        if epoch != self._epoch:
            return self.reload_results()  # another job, or a retry, while this one loaded
        if fresh:
            self._db_upto = max(self._db_upto, fresh[-1].frame_index)
            self.results.add(fresh)
        if tracks is None:  # None: no frame changed since they were last made
            if fresh:
                self._show_results()
            return
        if review is not None:
            self.show_review(review)
        else:
            self._show_summary(segments, tracks)

    def refresh_review(self, on_error=None) -> None:
        """Load the completed job's review again (after an edit, an undo); `on_error(sentence)`
        if it cannot be."""
        if self.job is None or self.job.status != "completed":
            return
        epoch, frames = self._epoch, [self.results.frames[i] for i in sorted(self.results.frames)]
        self.library.reviewed(self.job.job_id, frames,
                              on_done=lambda view: epoch == self._epoch and self.show_review(view),
                              on_error=on_error or self.view.set_message)

    def show_review(self, review: ReviewView) -> None:
        """Draw the job's frames as its review corrected them, and list its items."""
        self._set_review(review, announce=False)
        self._show_summary([s for s in review.segments if s["review_state"] != "rejected"],
                           review.tracks, review.segments)
        self.review_changed.emit(review)  # once the lists show it

    def _set_review(self, review: ReviewView | None, *, announce: bool = True) -> None:
        self.review = review
        self.reviewed = ReviewResults(self.results.stride)
        if review is not None:
            self.reviewed.add(review.frames)
        if announce:
            self.review_changed.emit(review)

    def _show_summary(self, segments: list[dict], tracks: list[dict],
                      listed: list[dict] | None = None) -> None:
        """The frame on screen, and the segments and tracks everything else navigates by;
        `listed`: the segments to list, where they are more (rejected ones)."""
        self.tracks = {t["id"]: t for t in tracks}
        self._show_results()
        self.changes = Changes(segments, [t for t in tracks if t["boxes"]], self.results.stride)
        self.segments_changed.emit(listed if listed is not None else segments)
        self.tracks_changed.emit(tracks)
        if self.followed is not None:
            self._show_following()

    def _on_load_error(self, summarise: bool, message: str) -> None:
        self._loading = False
        self._stale = self._stale or summarise
        self.view.set_message(message)

    # -- navigation -------------------------------------------------------------------------

    def seek(self, index: int, *, follow: bool = False) -> None:
        if self.job is None:
            return
        if not follow:
            self._set_follow(False)
        self.index = max(0, min(index, self.frame_count - 1))
        self.scrubber.set_position(self.index)
        self._update_time()
        self._request(self.index)

    def step(self, delta: int) -> None:
        self.pause()
        self.seek(self.index + delta)

    def jump_to_change(self, direction: int) -> None:
        """To the previous (-1) or next (+1) frame where a text segment starts or ends or an
        object appears. Before the segments of a running job are merged, to the analysed
        frames that have text or objects."""
        self.pause()
        if self.changes.frames:
            pick = Changes.after if direction > 0 else Changes.before
            target = pick(self.changes.frames, self.index)
        else:
            target = (self.results.next_with_results if direction > 0 else
                      self.results.previous_with_results)(self.index)
        if target is not None and target < self.frame_count:  # not past the end
            self.seek(target)

    def jump_to_segment(self, direction: int) -> None:
        """To the start of the next (+1) text segment, or of the one on screen or before (-1)."""
        self.pause()
        pick = Changes.after if direction > 0 else Changes.before
        target = pick(self.changes.starts, self.index)
        if target is not None:
            self.seek(target)

    def focus_goto(self) -> None:
        self.goto.setFocus()
        self.goto.selectAll()

    def _on_goto(self) -> None:
        text = self.goto.text().strip()
        if not text or self.info is None:
            return
        try:
            index = parse_position(text, self.info.fps, self.frame_count)
        except ValueError as exc:
            self.goto.setStyleSheet("color: #d64541")
            self.goto.setToolTip(str(exc))
            QToolTip.showText(self.goto.mapToGlobal(QPoint(0, self.goto.height())), str(exc),
                              self.goto)
            return
        self.goto.setStyleSheet("")
        self.pause()
        self.seek(index)
        self.view.setFocus()  # the keys go back to the frames

    def set_speed(self, speed: float) -> None:
        """Play at `speed` times the video's rate; a change while playing takes effect now."""
        self.speed = speed
        with QSignalBlocker(self.speed_box):
            self.speed_box.setCurrentIndex(SPEEDS.index(speed) if speed in SPEEDS else -1)
        if self.playing:
            self._start_clock()

    def toggle_play(self) -> None:
        if self.play_timer.isActive():
            self.pause()
        elif self.job is not None and self.info is not None:
            if self.index >= self.frame_count - 1:
                self.seek(0)
            self._set_follow(False)
            self._start_clock()
            self._update_play_action()

    def _start_clock(self) -> None:
        """Playing keeps to the clock: where decoding falls behind, frames are skipped."""
        self._clock_from = self.index
        self._clock.start()
        self.play_timer.start(max(1, round(1000 / ((self.info.fps or 25.0) * self.speed))))

    def pause(self) -> None:
        self.play_timer.stop()
        self._update_play_action()

    @property
    def playing(self) -> bool:
        return self.play_timer.isActive()

    def _on_play_tick(self) -> None:
        if self._awaiting:  # decoding is behind the clock: drop this tick
            return
        if self.index >= self.frame_count - 1:
            self.pause()
            return
        due = self._clock_from + int(self._clock.elapsed() * (self.info.fps or 25.0) *
                                     self.speed / 1000)
        self.seek(max(self.index + 1, due))

    def _update_play_action(self) -> None:
        playing = self.play_timer.isActive()
        self.act_play.setText("Pause" if playing else "Play")
        self.act_play.setIcon(self.style().standardIcon(
            QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay))

    def _on_follow(self, on: bool) -> None:
        self.follow = on
        if on and self.results.last_index is not None:
            self.seek(self.results.last_index, follow=True)

    def _set_follow(self, on: bool) -> None:
        self.follow = on
        with QSignalBlocker(self.act_follow):
            self.act_follow.setChecked(on)

    # -- following a tracked object ---------------------------------------------------------

    def follow_track(self, track_id: int | None) -> None:
        """Single out one tracked object (None: stop); off screen, go to its first sighting."""
        if track_id is not None and track_id not in self.tracks:
            return
        self.followed = track_id
        self.view.set_followed(track_id)
        self._update_follow_actions()
        if track_id is None:
            self.follow_bar.hide()
            self.view.set_focus(None)
            self.track_followed.emit(None)
            return
        track = self.tracks[track_id]
        if self._followed_box() is None:
            self.pause()
            self.seek(track["first_frame"])
        self._show_following()
        self.track_followed.emit(track)

    def escape(self) -> None:
        """Esc: leave a text field for the frames (where ← → and Space work); else stop drawing
        a region if one is being drawn, else stop following."""
        focused = QApplication.focusWidget()
        if isinstance(focused, (QLineEdit, QAbstractSpinBox)):
            self.view.setFocus(Qt.FocusReason.ShortcutFocusReason)
        elif self.view.drawing:
            self.view.cancel_drawing()
        elif self.followed is not None:
            self.follow_track(None)

    def _followed_box(self) -> list[float] | None:
        result = self.frame_result(self.shown_index if self.shown_index is not None else
                                 self.index)
        return next((d.box for d in (result.detections if result else [])
                     if d.track_id == self.followed), None)

    def _show_following(self) -> None:
        """The bar and the zoom for the frame on screen."""
        track = self.tracks.get(self.followed)
        if track is None:  # gone after a retry
            return self.follow_track(None)
        box = self._followed_box()
        self.follow_bar.show_track(track, box is not None)
        if not self.act_zoom.isChecked() or not self.view.has_image():
            self.view.set_focus(None)
        elif box is not None:
            frame = self.view.scene().sceneRect()
            self.view.set_focus(zoom_rect(box, frame.width(), frame.height()))
        elif not (track["first_frame"] <= self.index
                  <= track["last_frame"] + self.results.stride):
            self.view.set_focus(None)  # before or after it: the whole frame
        # within its span but missed on this frame: stay where it was last seen

    def _seek_sighting(self, key: str) -> None:
        track = self.tracks.get(self.followed)
        if track is not None:
            self.pause()
            self.seek(track[key])

    def _on_zoom(self, _on: bool) -> None:
        if self.followed is not None:
            self._show_following()

    def _update_follow_actions(self) -> None:
        for act in (self.act_first_sighting, self.act_last_sighting, self.act_zoom):
            act.setEnabled(self.followed is not None)

    def _on_layers(self, _=None) -> None:
        self.view.set_layers(ocr=self.act_show_ocr.isChecked(),
                             detections=self.act_show_detections.isChecked(),
                             labels=self.act_show_labels.isChecked())

    # -- decoding ---------------------------------------------------------------------------

    def _request(self, index: int, *, reopen: bool = False) -> None:
        self._awaiting = True
        self.decoder.request(self.job.input_path, index, reopen=reopen)

    def _on_opened(self, path: str, info: VideoInfo) -> None:
        if self.job is None or path != self.job.input_path:
            return
        self.info = info
        if self.index > info.frame_count - 1:  # remembered on a file that has since shrunk
            self.index = max(0, info.frame_count - 1)
            self._request(self.index)
        self.scrubber.set_position(self.index)
        self._set_enabled(True)
        self._update_time()

    def _on_decoded(self, path: str, index: int, image) -> None:
        if self.job is None or path != self.job.input_path:
            return
        self._awaiting = False
        if image is None:  # past the last frame the decoder can give
            self.pause()
            return
        self.view.set_image(image)
        self.shown_index = index
        self._show_results()

    def _on_failed(self, path: str, message: str) -> None:
        if self.job is not None and path == self.job.input_path:
            self._awaiting = False
            self.view.set_message(message)

    def mark_line(self, mark: tuple[int, list[list[float]]] | None) -> None:
        """Outline one line (its box's four corners) while frame `mark[0]` is on screen: the
        line a search hit was read as. None: no line."""
        self.marked = mark
        self._draw_mark()

    def _draw_mark(self) -> None:
        on = self.marked is not None and self.shown_index == self.marked[0] and \
            self.view.has_image()
        if on and self._mark_item is None:
            self._mark_item = QGraphicsPolygonItem()
            pen = QPen(MARK_COLOR, 3)
            pen.setCosmetic(True)  # the same screen pixels at any zoom
            self._mark_item.setPen(pen)
            self._mark_item.setZValue(3)  # over the frame's own boxes and labels
            self.view.scene().addItem(self._mark_item)
        if self._mark_item is not None:
            if on:
                self._mark_item.setPolygon(QPolygonF([QPointF(x, y) for x, y in self.marked[1]]))
            self._mark_item.setVisible(on)

    def frame_result(self, index: int) -> FrameResult | None:
        """What is drawn on frame `index`: the review's correction of it, once there is one."""
        return (self.reviewed if self.review is not None else self.results).at(index)

    def _show_results(self) -> None:
        index = self.shown_index if self.shown_index is not None else self.index
        result = self.frame_result(index)
        self.view.set_results(result)
        self._draw_mark()
        if self.followed is not None:
            self._show_following()
        self.frame_shown.emit(index, result)

    def _update_time(self) -> None:
        if self.info is None:
            return
        fps = self.info.fps or 25.0
        self.time_label.setText(f"{video_time(self.index / fps)} / "
                                f"{video_time(self.info.duration_s)}   ·   frame "
                                f"{self.index + 1} of {self.info.frame_count}")

    def shutdown(self) -> None:
        self.pause()
        self.decoder.stop()

