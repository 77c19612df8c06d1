"""Reviewing the current job: the viewer, the panel beside it and the timeline under it kept
on the same job and frame, opening a job on a given frame with one line outlined (a search
hit), and each completed job's review progress in the job table."""
from __future__ import annotations

from PySide6.QtCore import QObject

from foresyte_desktop.core.model import Job
from foresyte_desktop.ui.job_list import JobList
from foresyte_desktop.ui.job_table import JobTableModel, JobTableView
from foresyte_desktop.ui.review_panel import ReviewPanel
from foresyte_desktop.ui.viewer import Viewer
from foresyte_desktop.workers.library import Library


class Review(QObject):
    def __init__(self, parent: QObject, library: Library, job_list: JobList,
                 model: JobTableModel, table: JobTableView, viewer: Viewer, panel: ReviewPanel):
        super().__init__(parent)
        self.model = model
        self.table = table
        self.viewer = viewer
        self.panel = panel
        self._pending_seek: tuple[str, int] | None = None  # (job id, frame) once it opens
        job_list.current_changed.connect(self.show_job)
        job_list.current_progressed.connect(panel.show_job)
        table.doubleClicked.connect(lambda _: viewer.toggle_play())
        viewer.frame_shown.connect(panel.show_frame)
        viewer.segments_changed.connect(panel.show_segments)
        viewer.tracks_changed.connect(panel.show_tracks)
        viewer.track_followed.connect(panel.mark_followed)
        viewer.decoder.opened.connect(self._on_opened)
        panel.seek_requested.connect(viewer.seek)
        panel.track_requested.connect(viewer.follow_track)
        viewer.review_changed.connect(self._on_review)
        self.library = library
        library.queue.job_ended.connect(self._on_job_ended)
        self._ask_progress([j.job_id for j in model.jobs() if j.status == "completed"])

    def _ask_progress(self, job_ids: list[str]) -> None:
        if job_ids:
            self.library.review_progress(job_ids, on_done=self._on_progress)

    def _on_progress(self, found: dict) -> None:
        for job_id, progress in found.items():
            self.model.set_review(job_id, progress)

    def _on_job_ended(self, job: Job) -> None:
        if job.status == "completed":
            self._ask_progress([job.job_id])

    def _on_review(self, view) -> None:
        if view is not None and self.viewer.job is not None:
            self.model.set_review(self.viewer.job.job_id, view.progress)

    def show_job(self, job: Job | None) -> None:
        self.viewer.show_job(job)
        self.panel.show_job(job)

    def show_frame(self, job_id: str, frame_index: int,
                   box: list[list[float]] | None = None) -> None:
        """Select a job and go to one of its frames, once its video is open; `box`: a line to
        outline on that frame."""
        self.table.select_job(job_id)
        self.viewer.mark_line((frame_index, box) if box else None)
        if self.viewer.info is not None:
            self._pending_seek = None
            self.viewer.seek(frame_index)
        else:
            self._pending_seek = (job_id, frame_index)

    def _on_opened(self, path: str, _info) -> None:
        job = self.viewer.job
        if self._pending_seek and job is not None and job.job_id == self._pending_seek[0] \
                and path == job.input_path:
            self.viewer.seek(self._pending_seek[1])
            self._pending_seek = None
