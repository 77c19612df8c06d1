"""Drawing the text region: the user drags a rectangle over the frame on screen and it becomes
the region OCR reads in every selected job that has not started yet (a subtitle band, a ticker).

The region is stored as fractions of the frame, so one rectangle fits videos of any size.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMainWindow

from foresyte_desktop.core.formatting import plural
from foresyte_desktop.core.model import Job
from foresyte_desktop.core.roi import Roi
from foresyte_desktop.ui.actions import make_action
from foresyte_desktop.ui.viewer import Viewer
from foresyte_desktop.workers.job_queue import JobQueue

NOT_QUEUED = ("A text region can only be set on queued jobs that have not started. Select "
              "queued jobs, or retry an ended job to read it again with a region.")


def can_take_region(job: Job) -> bool:
    """Whether a region can still apply to the whole job: queued, and not one frame read."""
    return job.status == "pending" and job.checkpoint_frame is None and not job.frames_done


class TextRegionTool(QObject):
    """The Draw and Clear Text Region actions for the jobs selected in the window."""

    drawn = Signal(object)  # the Roi just drawn, so new jobs can be offered it too

    def __init__(self, window: QMainWindow, viewer: Viewer, queue: JobQueue,
                 selected_jobs: Callable[[], list[Job]]):
        super().__init__(window)
        self.window = window
        self.viewer = viewer
        self.queue = queue
        self.selected_jobs = selected_jobs
        self._targets: list[str] = []
        self.act_draw = make_action(
            window, "Draw Text Region", self.start, "Ctrl+Shift+T",
            tip="Drag a rectangle over the frame: the selected queued jobs read text only there")
        self.act_clear = make_action(window, "Clear Text Region", self.clear,
                                     tip="The selected queued jobs read text on the whole frame")
        viewer.view.region_drawn.connect(self._on_drawn)
        viewer.view.region_refused.connect(self._say)  # whichever drawing it was
        viewer.view.drawing_cancelled.connect(self._on_cancelled)

    def targets(self) -> list[Job]:
        return [j for j in self.selected_jobs() if can_take_region(j)]

    def update_actions(self) -> None:
        jobs = self.targets()
        self.act_draw.setEnabled(bool(jobs) and self.viewer.view.has_image())
        self.act_clear.setEnabled(any(j.roi for j in jobs))

    def start(self) -> None:
        jobs = self.targets()
        if not jobs:
            self._say(NOT_QUEUED)
            return
        if not self.viewer.view.has_image():
            self._say("Wait for the video's frame to show, then draw the region over it.")
            return
        self._targets = [j.job_id for j in jobs]
        self.viewer.follow_track(None)  # the whole frame, not a zoomed part of it
        self.viewer.view.start_drawing()
        self._say(f"Drag over the frame where the text appears; the region applies to "
                  f"{plural(len(jobs), 'queued job')}. Esc cancels.", timeout=0)

    def clear(self) -> None:
        jobs = self.targets()
        if not jobs:
            self._say(NOT_QUEUED)
            return
        self.queue.set_roi([j.job_id for j in jobs], None,
                           on_done=lambda n: self._say(
                               f"{plural(n, 'queued job')} will read text on the whole frame."))

    def _on_drawn(self, roi: Roi) -> None:
        ids, self._targets = self._targets, []
        if not ids:
            return
        asked = len(ids)
        self.drawn.emit(roi)

        def done(changed: int) -> None:
            x1, y1, x2, y2 = roi
            message = (f"Text region {x1:.0%}–{x2:.0%} across, {y1:.0%}–{y2:.0%} down set on "
                       f"{plural(changed, 'queued job')}.")
            if changed < asked:
                late = asked - changed
                message += (f" {plural(late, 'job')} started meanwhile and kept "
                            f"{'its' if late == 1 else 'their'} earlier region.")
            self._say(message)
        self.queue.set_roi(ids, roi, on_done=done)

    def _on_cancelled(self) -> None:
        if self._targets:  # the region's drawing, not another's
            self._targets = []
            self._say("No text region was drawn.", timeout=5000)

    def _say(self, message: str, timeout: int = 15000) -> None:
        self.window.statusBar().showMessage(message, timeout)
