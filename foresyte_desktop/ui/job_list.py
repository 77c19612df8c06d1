"""The job list kept current: the queue's news applied row by row to the table (new jobs and
jobs that start are scrolled into view), a word in the status bar when a job ends or jobs are
removed, and signals for whatever shows the current job.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QMainWindow

from foresyte_desktop.core.formatting import plural
from foresyte_desktop.core.model import Job
from foresyte_desktop.ui.job_table import JobTableModel, JobTableView
from foresyte_desktop.workers.library import Library


class JobList(QObject):
    """Fills `model` from the library once, then follows the queue."""

    current_changed = Signal(object)  # the current Job (or None), newly chosen or changed
    current_progressed = Signal(object)  # the current Job, whose progress just moved
    changed = Signal()  # jobs or the selection changed: actions and the summary may follow

    def __init__(self, window: QMainWindow, library: Library, model: JobTableModel,
                 table: JobTableView):
        super().__init__(window)
        self.window = window
        self.model = model
        self.table = table
        model.set_jobs(library.jobs())  # interrupted jobs were made pending on open
        q = library.queue
        q.job_started.connect(self._on_job_started)
        q.jobs_changed.connect(self.upsert)
        q.job_ended.connect(self._on_job_ended)
        q.progress.connect(self._on_progress)
        q.cancelling.connect(self._on_cancelling)
        q.jobs_removed.connect(self._on_jobs_removed)
        table.selectionModel().currentRowChanged.connect(self._on_current_row)
        table.selectionModel().selectionChanged.connect(self.changed)
        self.ticker = QTimer(self)  # elapsed and remaining times move on between updates
        self.ticker.timeout.connect(model.tick)
        self.ticker.start(1000)

    def upsert(self, jobs: list[Job]) -> None:
        new = [j for j in jobs if self.model.row_of(j.job_id) is None]
        self.model.upsert(jobs)
        if new:
            self.table.scroll_to_job(new[0].job_id)
        current = self.table.current_job()
        if current and any(j.job_id == current.job_id for j in jobs):
            self.current_changed.emit(current)
        self.changed.emit()

    def _on_job_started(self, job: Job) -> None:
        self.upsert([job])
        self.table.scroll_to_job(job.job_id)

    def _on_job_ended(self, job: Job) -> None:
        self.upsert([job])
        name = Path(job.input_path).name
        message = {"completed": f"“{name}” is done: {plural(job.frames_done, 'frame')} analysed.",
                   "failed": f"“{name}” failed: {job.error_message}",
                   "cancelled": f"“{name}” was cancelled.",
                   "pending": f"“{name}” stopped; it resumes where it left off."}.get(job.status)
        if message:
            self.window.statusBar().showMessage(message, 15000)

    def _on_progress(self, job_id: str, done: int, total: int) -> None:
        self.model.set_progress(job_id, done, total)
        current = self.table.current_job()
        if current and current.job_id == job_id:
            self.current_progressed.emit(current)

    def _on_cancelling(self, job_id: str) -> None:
        self.model.set_cancelling(job_id)
        self.changed.emit()

    def _on_jobs_removed(self, job_ids: list[str]) -> None:
        self.model.remove(job_ids)
        if self.table.current_job() is None:
            self.current_changed.emit(None)
        self.window.statusBar().showMessage(f"Removed {plural(len(job_ids), 'job')}.", 8000)
        self.changed.emit()

    def _on_current_row(self, current, _previous) -> None:
        self.current_changed.emit(self.model.job_at(current.row()) if current.isValid()
                                  else None)
        self.changed.emit()
