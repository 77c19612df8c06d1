"""What the user does to the queue and its jobs: add videos (files, folders, a drop, the sample),
start and pause the queue, cancel, retry, remove and reveal the selected jobs, clear the
finished ones, the questions those ask, and the status bar's summary of the queue.

Before anything is queued: yolo_ocr without weights to be had queues nothing and says why; a
file already in the list with the same settings is asked about; a .pt model not trusted yet is
asked about."""
from __future__ import annotations

import subprocess
from collections.abc import Callable
import sys
from dataclasses import replace
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QMessageBox, QStyle

from foresyte_desktop.core.formatting import plural
from foresyte_desktop.core.intake import IntakeResult, expand_paths, same_work
from foresyte_desktop.core.model import Job, JobSpec
from foresyte_desktop.core.pipelines.yolo import missing_weights
from foresyte_desktop.ui.actions import make_action
from foresyte_desktop.ui.job_options import JobOptions
from foresyte_desktop.ui.job_table import JobTableModel, JobTableView
from foresyte_desktop.ui.notice_bar import NoticeBar
from foresyte_desktop.ui.resources import SAMPLE_VIDEO, resource_path
from foresyte_desktop.ui.trust_prompt import confirm_pickle_model
from foresyte_desktop.workers.library import Library


def reveal_in_file_manager(path: Path) -> bool:
    """Show a file in the platform's file manager (selected where the platform allows it);
    False when no file manager could be started."""
    try:
        if sys.platform == "darwin":
            subprocess.Popen(["open", "-R", str(path)])
        elif sys.platform == "win32":
            subprocess.Popen(["explorer", "/select,", str(path)])
        else:  # freedesktop file managers have no portable "select", so open the folder
            return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))
    except OSError:
        return False
    return True


class JobActions(QObject):
    """The queue's and the selected jobs' actions; `summary` is the status bar's queue line."""

    failed = Signal(str)  # a sentence: what could not be done

    def __init__(self, window: QMainWindow, library: Library, model: JobTableModel,
                 table: JobTableView, options: JobOptions, notice: NoticeBar,
                 settings: QSettings):
        super().__init__(window)
        self.window = window
        self.library = library
        self.queue = library.queue
        self.model = model
        self.table = table
        self.options = options
        self.notice = notice
        self.settings = settings
        self.summary = QLabel()
        self.case_for_new: Callable[[], str | None] = lambda: None  # the case new files join
        self._show_when_queued: str | None = None  # a file whose new job gets selected
        self._make_actions()
        self.queue.intake_progress.connect(self._on_intake_progress)
        self.queue.intake_done.connect(self._on_intake_done)
        self.queue.state_changed.connect(self.update_summary)

    def _make_actions(self) -> None:
        sp = QStyle.StandardPixmap
        a = partial(make_action, self.window)
        self.act_add = a("Add Videos…", self.choose_files, "Ctrl+O", sp.SP_DialogOpenButton,
                         "Queue MP4 files with the settings in the toolbar")
        self.act_add_folder = a("Add Folder…", self.choose_folder, "Ctrl+Shift+O",
                                sp.SP_DirOpenIcon, "Queue every MP4 file in a folder and below")
        self.act_sample = a("Open Sample Video", self.open_sample,
                            tip="Queue a short sample video to see ForeSyte at work")
        self.act_start = a("Start", self.toggle_queue, "Ctrl+Return", sp.SP_MediaPlay,
                           "Start or pause the queue")
        self.act_cancel = a("Cancel Job", self.cancel_selected, "Ctrl+.", sp.SP_BrowserStop,
                            "Cancel the selected jobs")
        self.act_retry = a("Retry Job", self.retry_selected, "Ctrl+R", sp.SP_BrowserReload,
                           "Queue the selected ended jobs again, to be read from their first "
                           "frame")
        self.act_remove = a("Remove Job…", self.remove_selected, "Delete", sp.SP_TrashIcon,
                            "Remove the selected jobs and their results")
        # Delete removes jobs in the job table only: beside the video it rejects a reading.
        self.act_remove.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.table.addAction(self.act_remove)
        self.act_clear_finished = a("Clear Finished…", self.clear_finished,
                                    tip="Remove every completed, failed and cancelled job and "
                                        "its results from the list")
        self.act_reveal = a("Reveal Results File", self.reveal_output, "Ctrl+Shift+R",
                            sp.SP_DirLinkIcon, "Show the job's results JSON in the file manager")
        self.act_copy_error = a("Copy Error Message", self.copy_error)
        self.act_data_folder = a("Open Data Folder", self.open_data_folder,
                                 tip="Open the folder ForeSyte keeps its data in")

    def update_actions(self) -> None:
        jobs = self.table.selected_jobs()
        statuses = {j.status for j in jobs if not self.model.is_cancelling(j.job_id)}
        self.act_cancel.setEnabled(bool(statuses & {"pending", "running"}))
        self.act_retry.setEnabled(bool(statuses & {"failed", "cancelled", "completed"}))
        self.act_remove.setEnabled(bool(jobs))
        self.act_clear_finished.setEnabled(any(j.ended for j in self.model.jobs()))
        job = self.table.current_job()
        self.act_reveal.setEnabled(bool(job and job.status == "completed" and job.output_path))
        self.act_copy_error.setEnabled(bool(job and job.error_message))

    def update_summary(self) -> None:
        counts = self.model.counts()
        parts = [f"{counts[s]} {s}" for s in ("running", "stopped", "pending", "completed",
                                               "failed", "cancelled") if counts[s]]
        started = self.queue.is_started
        self.summary.setText("  ·  ".join(["Queue running" if started else "Queue paused"]
                                          + parts) + "  ")
        self.act_start.setText("Pause" if started else "Start")
        self.act_start.setIcon(self.window.style().standardIcon(
            QStyle.StandardPixmap.SP_MediaPause if started else QStyle.StandardPixmap.SP_MediaPlay))

    def _say(self, message: str, timeout: int = 15000) -> None:
        self.window.statusBar().showMessage(message, timeout)

    # -- adding videos ----------------------------------------------------------------------

    def add_paths(self, paths: list[str]) -> None:
        """Queue files and folders with the toolbar's settings; bad files are reported only."""
        if not paths:
            return
        spec = self.options.spec()
        missing = self.options.missing_weights()
        if missing:  # every job would fail at once: queue none, and say what to do
            self._say("Nothing was queued: the YOLO detector has no weights file.")
            self.notice.show_lines("Nothing was queued: the YOLO detector has no weights.",
                                   [missing])
            return
        self._say(f"Checking {plural(len(paths), 'item')}…", 0)
        self.queue.lane.submit(_resolved_files, list(paths),
                               on_done=lambda files: self._skip_duplicates(files, spec))

    def _skip_duplicates(self, files: list[Path], spec: JobSpec) -> None:
        """Ask about files already in the list with the same settings, then go on."""
        known = [j for j in self.model.jobs() if j.status not in ("failed", "cancelled")]
        twins = {f: job for f in files for job in known
                 if same_work(job, replace(spec, input_path=str(f)))}
        if twins and not self.ask_duplicates(list(twins.values())):
            files = [f for f in files if f not in twins]
            if not files:
                self._say(f"Nothing was queued: {_already(list(twins.values()))}.")
                return
        paths = [str(f) for f in files]
        self.library.check_model(spec.model_path,
                                 on_done=lambda sha: self._queue_if_trusted(paths, spec, sha))

    def ask_duplicates(self, twins: list[Job]) -> bool:
        """Whether to queue files again that are in the list with the same settings
        (`twins`: their jobs); False: skip those, queue the others."""
        box = QMessageBox(QMessageBox.Icon.Question, "Already in the List",
                          _already(twins) + ".",
                          parent=self.window)
        box.setInformativeText("Queueing again reads the same frames with the same settings.")
        again = box.addButton("Queue Again", QMessageBox.ButtonRole.AcceptRole)
        skip = box.addButton(f"Skip {'It' if len(twins) == 1 else 'Them'}",
                             QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(skip)
        box.exec()
        return box.clickedButton() is again

    def _queue_if_trusted(self, paths: list[str], spec: JobSpec, sha: str | None) -> None:
        """Queue, first asking about a .pt model not trusted yet; cancelled: queue nothing."""
        if sha is not None:
            if not confirm_pickle_model(self.window, spec.model_path):
                self._say("Nothing was queued: the model file is not trusted.")
                return
            self.library.trust_model(sha, spec.model_path)
        self.queue.add_paths(paths, spec, self.case_for_new())

    def choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self.window, "Add Videos", self.settings.value("paths/add_dir", str(Path.home()), str),
            "MP4 videos (*.mp4 *.m4v *.mov);;All files (*)")
        if paths:
            self.settings.setValue("paths/add_dir", str(Path(paths[0]).parent))
            self.add_paths(paths)

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self.window, "Add a Folder of Videos", self.settings.value("paths/add_dir", "", str))
        if folder:
            self.settings.setValue("paths/add_dir", folder)
            self.add_paths([folder])

    def open_sample(self) -> None:
        """Queue the sample and show it; when it is in the list already, show that job."""
        sample = resource_path(SAMPLE_VIDEO)
        if not sample.is_file():
            self.failed.emit(f"The sample video {sample} is missing from this installation.")
            return
        spec = replace(self.options.spec(), input_path=str(sample.resolve()))
        there = next((j for j in self.model.jobs()
                      if j.status not in ("failed", "cancelled") and same_work(j, spec)), None)
        if there is not None:
            self.table.select_job(there.job_id)
            self.table.scroll_to_job(there.job_id)
            return
        self._show_when_queued = spec.input_path
        self.add_paths([str(sample)])

    def _on_intake_progress(self, done: int, total: int) -> None:
        if total > 1:
            self._say(f"Checking videos… {done} of {total}", 0)

    def _on_intake_done(self, result: IntakeResult) -> None:
        queued, refused = len(result.queued), len(result.refused)
        if refused:
            self.notice.show_lines(
                f"Skipped {plural(refused, 'file')} that cannot be analysed"
                + (f" ({plural(queued, 'video')} queued)" if queued else "") + ":",
                [r.message for r in result.refused])
        if not queued and not refused:
            message = "No MP4 files were found in what was added."
        else:
            message = f"Queued {plural(queued, 'video')}"
            if refused:
                reasons = sorted({r.reason for r in result.refused})
                message += f"; skipped {refused} ({', '.join(reasons)})"
            message += "."
            if queued and not self.queue.is_started:
                message += " The queue is paused: press Start to run them."
        self._say(message)
        shown = next((j for j in result.queued if j.input_path == self._show_when_queued), None)
        if shown is not None:
            self._show_when_queued = None
            self.table.select_job(shown.job_id)
        elif result.queued and not self.table.selectionModel().hasSelection():
            self.table.select_job(result.queued[0].job_id)

    # -- the queue and the selected jobs ----------------------------------------------------

    def toggle_queue(self) -> None:
        if not self.queue.is_started:
            self.queue.start()
            return
        stop = None
        running = self.queue.running_job_ids()
        if running:
            choice = self.ask_pause(len(running))
            if choice is None:
                return
            stop = None if choice == "finish" else choice
        self.queue.pause(stop)

    def ask_pause(self, running: int) -> str | None:
        """'finish', 'interrupt' or 'cancel' for the running jobs; None to keep going."""
        box = QMessageBox(QMessageBox.Icon.Question, "Pause the Queue",
                          f"{plural(running, 'job')} {'is' if running == 1 else 'are'} running. "
                          "No new job starts while the queue is paused.", parent=self.window)
        # Cancelling the job is the one choice that loses work: it sits apart, on the far side
        # (ResetRole), never beside the button that closes the dialog and changes nothing.
        cancel = box.addButton(f"Cancel the Job{'' if running == 1 else 's'}",
                               QMessageBox.ButtonRole.ResetRole)
        later = box.addButton("Stop, Resume Later", QMessageBox.ButtonRole.ActionRole)
        finish = box.addButton("Let It Finish", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Don't Pause", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(finish)
        box.exec()
        return {finish: "finish", later: "interrupt", cancel: "cancel"}.get(box.clickedButton())

    def cancel_selected(self) -> None:
        ids = [j.job_id for j in self.table.selected_jobs() if j.status in ("pending", "running")]
        if ids:
            self.queue.cancel(ids)

    def retry_selected(self) -> None:
        jobs = [j for j in self.table.selected_jobs()
                if j.status in ("failed", "cancelled", "completed")]
        completed = [j.job_id for j in jobs if j.status == "completed"]
        if completed:  # a completed job may carry the analyst's review: ask before a new run
            self.library.jobs_with_edits(completed,
                                         on_done=lambda edited: self._retry(jobs, edited))
        else:
            self._retry(jobs, [])

    def confirm_retry_edited(self, jobs: list[Job]) -> bool:
        what = f"“{Path(jobs[0].input_path).name}” has" if len(jobs) == 1 else \
            f"{plural(len(jobs), 'job')} have"
        box = QMessageBox(QMessageBox.Icon.Question, "Retry Reviewed Jobs",
                          f"{what} review edits. Read {'it' if len(jobs) == 1 else 'them'} "
                          "again?", parent=self.window)
        box.setInformativeText("The edits stay in the review log as the earlier run's; the new "
                               "run's text starts unreviewed.")
        retry = box.addButton("Retry", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(retry)
        box.exec()
        return box.clickedButton() is retry

    def _retry(self, jobs: list[Job], edited: list[str]) -> None:
        if edited and not self.confirm_retry_edited([j for j in jobs if j.job_id in edited]):
            return
        missing = {j.job_id: missing_weights(j.model_path, self.library.data_dir)
                   for j in jobs if j.pipeline_id == "yolo_ocr"}
        refused = [f"“{Path(j.input_path).name}”: {missing[j.job_id]}" for j in jobs
                   if missing.get(j.job_id)]
        if refused:
            self.notice.show_lines(f"Not retried: {plural(len(refused), 'job')} would fail "
                                   "for want of YOLO weights.", refused)
        ids = [j.job_id for j in jobs if not missing.get(j.job_id)]
        if ids:
            self.queue.retry(ids)

    def remove_selected(self) -> None:
        jobs = self.table.selected_jobs()
        if jobs and self.confirm_remove(jobs):
            self.queue.remove([j.job_id for j in jobs])

    def clear_finished(self) -> None:
        jobs = [j for j in self.model.jobs() if j.ended]
        if jobs and self.confirm_remove(jobs):
            self.queue.remove([j.job_id for j in jobs])

    def confirm_remove(self, jobs: list[Job]) -> bool:
        what = f"“{Path(jobs[0].input_path).name}”" if len(jobs) == 1 else plural(len(jobs), "job")
        running = sum(j.status == "running" for j in jobs)
        box = QMessageBox(QMessageBox.Icon.Warning, "Remove Jobs",
                          f"Remove {what} and {'its' if len(jobs) == 1 else 'their'} results?",
                          parent=self.window)
        box.setInformativeText(("Running jobs are cancelled first. " if running else "")
                               + "The video files are not touched; exported files stay.")
        remove = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is remove

    def reveal_output(self) -> None:
        job = self.table.current_job()
        if job is None or not job.output_path:
            return
        path = Path(job.output_path)
        if not path.exists():
            self.failed.emit(f"The results file {path} is no longer there; export the job "
                             "again to write a new one.")
            return
        if not reveal_in_file_manager(path):
            self.notice.show_lines("No file manager could be opened to show the results file:",
                                   [str(path)], ("Copy Path", partial(self.copy_text, str(path))))

    def copy_text(self, text: str) -> None:
        QGuiApplication.clipboard().setText(text)
        self._say(f"Copied {text}", 8000)

    def copy_error(self) -> None:
        job = self.table.current_job()
        if job and job.error_message:
            QGuiApplication.clipboard().setText(job.error_message)

    def open_data_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.library.data_dir)))


def _resolved_files(paths: list[str]) -> list[Path]:
    """The files `paths` name, folders searched through, as the intake names them."""
    return [p.resolve() if p.exists() else p for p in expand_paths(paths)]


def _already(twins: list[Job]) -> str:
    """“a.mp4” is already queued with the same settings (or analysed, or several of them)."""
    done = all(j.status == "completed" for j in twins)
    what = f"“{Path(twins[0].input_path).name}” is" if len(twins) == 1 else \
        f"{plural(len(twins), 'file')} are"
    return f"{what} already {'analysed' if done else 'in the list'} with the same settings"
