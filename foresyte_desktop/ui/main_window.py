"""The main window: the job queue on top, the viewer and its panel below, menus, toolbars and
the status bar. It talks to the store only through the queue's and the viewer's lanes."""
from __future__ import annotations

import os
import subprocess
import sys
from functools import partial
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QSettings, Qt, QTimer, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QComboBox, QDockWidget, QFileDialog, QLabel, QMainWindow, QMenu, QMessageBox, QSizePolicy,
    QSpinBox, QSplitter, QStyle, QToolBar, QVBoxLayout, QWidget,
)

from foresyte_desktop import __version__
from foresyte_desktop.core.errors import ForesyteError
from foresyte_desktop.core.exporters import FORMATS, export_name, render
from foresyte_desktop.core.formatting import plural
from foresyte_desktop.core.intake import IntakeResult
from foresyte_desktop.core.model import Job, JobSpec
from foresyte_desktop.core.model_trust import untrusted_sha
from foresyte_desktop.core.results import build_results
from foresyte_desktop.core.store import JobStore
from foresyte_desktop.ui.actions import make_action
from foresyte_desktop.ui.frame_exports import FrameExports
from foresyte_desktop.ui.job_options import JobOptions
from foresyte_desktop.ui.job_table import JobTableModel, JobTableView
from foresyte_desktop.ui.notice_bar import NoticeBar
from foresyte_desktop.ui.resources import SAMPLE_VIDEO, default_settings, resource_path
from foresyte_desktop.ui.review_panel import ReviewPanel
from foresyte_desktop.ui.search_panel import SearchPanel
from foresyte_desktop.ui.text_region import TextRegionTool
from foresyte_desktop.ui.timeline_strip import TimelineStrip
from foresyte_desktop.ui.trust_prompt import confirm_pickle_model
from foresyte_desktop.ui.viewer import Viewer
from foresyte_desktop.workers.job_queue import JobQueue
from foresyte_desktop.workers.tasks import TaskLane

EXPORT_FILTERS = {"json": "Results JSON (*.json)", "srt": "SubRip subtitles (*.srt)",
                  "csv": "Text lines as CSV (*.csv)"}
WHEN_DONE = (("nothing", "Do nothing"), ("quit", "Quit ForeSyte"))


def reveal_in_file_manager(path: Path) -> None:
    """Show a file in the platform's file manager (selected where the platform allows it)."""
    if sys.platform == "darwin":
        subprocess.Popen(["open", "-R", str(path)])
    elif sys.platform == "win32":
        subprocess.Popen(["explorer", "/select,", str(path)])
    else:  # freedesktop file managers have no portable "select", so open the folder
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))


class MainWindow(QMainWindow):
    def __init__(self, store: JobStore, data_dir: Path, settings: QSettings,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.data_dir = Path(data_dir)
        self.settings = settings
        self._closing = False
        self._closed = False
        self._ask_on_close = True  # False: quit without asking (queue done, Ctrl+C)
        self.setWindowTitle("ForeSyte")
        self.setAcceptDrops(True)

        self.queue = JobQueue(store, self.data_dir, self)
        self.reads = TaskLane(self)  # results for the viewer, and exports
        self.model = JobTableModel(self)
        self.table = JobTableView()
        self.table.setModel(self.model)
        self.notice = NoticeBar()
        self.options = JobOptions(settings, self)
        self.viewer = Viewer(store, self.reads)
        self.panel = ReviewPanel()
        self.timeline = TimelineStrip(self.viewer)
        self.search = SearchPanel(store)
        self.region_tool = TextRegionTool(self, self.viewer, self.queue, self.selected_jobs)
        self.frame_exports = FrameExports(self, store, self.viewer, self.reads, settings)

        self._build_layout()
        self._make_actions()
        self._build_menus()
        self._build_toolbars()
        self._build_status_bar()
        self._connect()

        self.model.set_jobs(store.list_jobs())  # interrupted jobs were made pending on open
        self._restore_settings()
        if self.model.rowCount():
            self.table.selectRow(self.model.rowCount() - 1)
        self._update_actions()
        self._update_summary()
        self.ticker = QTimer(self)
        self.ticker.timeout.connect(self._tick)
        self.ticker.start(1000)

    # -- construction -----------------------------------------------------------------------

    def _build_layout(self) -> None:
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(6, 6, 6, 0)
        top_layout.setSpacing(6)
        top_layout.addWidget(self.notice)
        top_layout.addWidget(self.table, 1)
        self.review_split = QSplitter(Qt.Orientation.Horizontal)
        under_viewer = QWidget()
        viewer_layout = QVBoxLayout(under_viewer)
        viewer_layout.setContentsMargins(0, 0, 0, 0)
        viewer_layout.setSpacing(0)
        viewer_layout.addWidget(self.viewer, 1)
        viewer_layout.addWidget(self.timeline)
        self.review_split.addWidget(under_viewer)
        self.review_split.addWidget(self.panel)
        self.review_split.setStretchFactor(0, 3)
        self.review_split.setStretchFactor(1, 1)
        self.review_split.setSizes([1100, 420])
        self.main_split = QSplitter(Qt.Orientation.Vertical)
        self.main_split.addWidget(top)
        self.main_split.addWidget(self.review_split)
        self.main_split.setStretchFactor(1, 1)
        self.main_split.setSizes([240, 680])
        self.setCentralWidget(self.main_split)
        self.search_dock = QDockWidget("Find")
        self.search_dock.setObjectName("search_dock")
        self.search_dock.setWidget(self.search)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.search_dock)
        self.search_dock.hide()  # until Ctrl+F: the review panel needs the room more

    def _make_actions(self) -> None:
        sp = QStyle.StandardPixmap
        a = partial(make_action, self)
        self.act_add = a("Add Videos…", self.choose_files, "Ctrl+O", sp.SP_DialogOpenButton,
                         "Queue MP4 files with the settings in the toolbar")
        self.act_add_folder = a("Add Folder…", self.choose_folder, "Ctrl+Shift+O",
                                sp.SP_DirOpenIcon, "Queue every MP4 file in a folder and below")
        self.act_start = a("Start", self.toggle_queue, "Ctrl+Return", sp.SP_MediaPlay,
                           "Start or pause the queue")
        self.act_cancel = a("Cancel Job", self.cancel_selected, "Ctrl+.", sp.SP_BrowserStop,
                            "Cancel the selected jobs")
        self.act_retry = a("Retry Job", self.retry_selected, "Ctrl+R", sp.SP_BrowserReload,
                           "Queue the selected failed or cancelled jobs again")
        self.act_remove = a("Remove Job…", self.remove_selected, "Delete", sp.SP_TrashIcon,
                            "Remove the selected jobs and their results")
        self.act_reveal = a("Reveal Results File", self.reveal_output, "Ctrl+Shift+R",
                            sp.SP_DirLinkIcon, "Show the job's results JSON in the file manager")
        self.act_export = a("Export…", lambda: self.export(), "Ctrl+E",
                            sp.SP_DialogSaveButton, "Export the job's results as JSON, SRT or CSV")
        self.act_export_as = {fmt: a(f"Export {fmt.upper()}…",
                                     lambda _=False, f=fmt: self.export(f)) for fmt in FORMATS}
        self.act_copy_error = a("Copy Error Message", self.copy_error)
        self.act_data_folder = a("Open Data Folder", self.open_data_folder,
                                 tip="Open the folder ForeSyte keeps its data in")
        self.act_quit = a("Quit", self.close, "Ctrl+Q")
        self.act_quit.setMenuRole(QAction.MenuRole.QuitRole)
        self.act_sample = a("Open Sample Video", self.open_sample,
                            tip="Queue a short sample video to see ForeSyte at work")
        self.act_shortcuts = a("Keyboard Shortcuts", self.show_shortcuts, "F1")
        self.act_about = a("About ForeSyte", self.show_about)
        self.act_about.setMenuRole(QAction.MenuRole.AboutRole)
        self.act_find = a("Find in All Videos…", self.find_text, "Ctrl+F",
                          sp.SP_FileDialogContentsView, "Search the text read in every job")
        self.act_find.setIconText("Find")  # the toolbar button

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.act_add, self.act_add_folder])
        file_menu.addSeparator()
        file_menu.addAction(self.act_export)
        file_menu.addActions([self.frame_exports.act_export_frame,
                              self.frame_exports.act_copy_frame,
                              self.frame_exports.act_export_video])
        file_menu.addAction(self.act_reveal)
        file_menu.addAction(self.act_data_folder)
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)

        jobs_menu = bar.addMenu("&Jobs")
        jobs_menu.addActions([self.act_cancel, self.act_retry, self.act_remove])
        jobs_menu.addSeparator()
        jobs_menu.addActions([self.region_tool.act_draw, self.region_tool.act_clear])
        jobs_menu.addSeparator()
        jobs_menu.addActions(list(self.act_export_as.values()))
        jobs_menu.addAction(self.frame_exports.act_export_video)

        queue_menu = bar.addMenu("&Queue")
        queue_menu.addAction(self.act_start)

        view_menu = bar.addMenu("&View")
        view_menu.addActions([self.viewer.act_show_ocr, self.viewer.act_show_detections,
                              self.viewer.act_follow])
        view_menu.addSeparator()
        view_menu.addActions(self.viewer.navigation_actions())
        follow_menu = view_menu.addMenu("Followed Object")
        follow_menu.setToolTipsVisible(True)
        follow_menu.addActions(self.viewer.following_actions())
        view_menu.addSeparator()
        view_menu.addAction(self.act_find)

        help_menu = bar.addMenu("&Help")
        help_menu.addActions([self.act_sample, self.act_shortcuts])
        help_menu.addSeparator()
        help_menu.addAction(self.act_about)

    def _build_toolbars(self) -> None:
        main = QToolBar("Queue")
        main.setObjectName("queue_toolbar")
        main.setMovable(False)
        main.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        main.addActions([self.act_add, self.act_start])
        main.addSeparator()
        main.addActions([self.act_cancel, self.act_retry, self.act_remove])
        main.addSeparator()
        main.addActions([self.act_export, self.act_reveal])
        main.addSeparator()
        main.addAction(self.act_find)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        main.addWidget(spacer)
        self.parallel = QSpinBox()
        self.parallel.setRange(1, max(1, os.cpu_count() or 1))
        self.parallel.setToolTip("How many jobs run at the same time (each loads its own models)")
        self.when_done = QComboBox()
        for key, text in WHEN_DONE:
            self.when_done.addItem(text, key)
        self.when_done.setToolTip("What ForeSyte does once every queued job has ended")
        main.addWidget(QLabel(" Parallel jobs: "))
        main.addWidget(self.parallel)
        main.addWidget(QLabel("  When done: "))
        main.addWidget(self.when_done)
        self.addToolBar(main)
        self.addToolBarBreak()
        options = QToolBar("New jobs")
        options.setObjectName("options_toolbar")
        options.setMovable(False)
        for widget in self.options.widgets():
            options.addWidget(widget)
        self.addToolBar(options)

    def _build_status_bar(self) -> None:
        self.summary = QLabel()
        self.statusBar().addPermanentWidget(self.frame_exports.video_bar)
        self.statusBar().addPermanentWidget(self.summary)

    def _connect(self) -> None:
        q = self.queue
        q.job_started.connect(self._on_job_changed)
        q.job_ended.connect(self._on_job_ended)
        q.progress.connect(self._on_progress)
        q.frames_ready.connect(self.viewer.add_live_frames)
        q.cancelling.connect(self._on_cancelling)
        q.jobs_changed.connect(self._on_jobs_changed)
        q.jobs_removed.connect(self._on_jobs_removed)
        q.intake_progress.connect(self._on_intake_progress)
        q.intake_done.connect(self._on_intake_done)
        q.drained.connect(self._on_drained)
        q.state_changed.connect(self._update_summary)
        q.error.connect(self.show_error)
        self.reads.failed.connect(self.show_error)
        self.frame_exports.video_exporter.failed.connect(self.show_error)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.doubleClicked.connect(lambda _: self.viewer.toggle_play())
        self.viewer.frame_shown.connect(self.panel.show_frame)
        self.viewer.view.has_image_changed.connect(self._update_frame_actions)
        self.viewer.segments_changed.connect(self.panel.show_segments)
        self.viewer.tracks_changed.connect(self.panel.show_tracks)
        self.viewer.track_followed.connect(self.panel.mark_followed)
        self.panel.seek_requested.connect(self.viewer.seek)
        self.panel.track_requested.connect(self.viewer.follow_track)
        self.region_tool.drawn.connect(self.options.offer_region)
        self.search.hit_activated.connect(self.show_hit)
        self.parallel.valueChanged.connect(self._on_parallel)
        self.when_done.currentIndexChanged.connect(
            lambda: self.settings.setValue("queue/when_done", self.when_done.currentData()))
        self.viewer.act_show_ocr.toggled.connect(
            lambda on: self.settings.setValue("viewer/show_ocr", on))
        self.viewer.act_show_detections.toggled.connect(
            lambda on: self.settings.setValue("viewer/show_detections", on))

    # -- settings ---------------------------------------------------------------------------

    def _restore_settings(self) -> None:
        s = self.settings
        if s.value("window/geometry"):
            self.restoreGeometry(s.value("window/geometry"))
        else:
            self.resize(1500, 950)
        if s.value("window/state"):  # where the Find panel was, and whether it was open
            self.restoreState(s.value("window/state"))
        for key, split in (("window/main_split", self.main_split),
                           ("window/review_split", self.review_split),
                           ("window/panel_split", self.panel)):
            if s.value(key):
                split.restoreState(s.value(key))
        self.parallel.setValue(int(s.value("queue/max_parallel",
                                           default_settings().get("max_parallel_jobs") or 1)))
        self.queue.set_max_parallel(self.parallel.value())
        self.when_done.setCurrentIndex(max(0, self.when_done.findData(
            s.value("queue/when_done", "nothing", str))))
        self.viewer.act_show_ocr.setChecked(s.value("viewer/show_ocr", True, bool))
        self.viewer.act_show_detections.setChecked(s.value("viewer/show_detections", True, bool))

    def _save_settings(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("window/main_split", self.main_split.saveState())
        s.setValue("window/review_split", self.review_split.saveState())
        s.setValue("window/panel_split", self.panel.saveState())
        s.sync()

    def _on_parallel(self, n: int) -> None:
        self.queue.set_max_parallel(n)
        self.settings.setValue("queue/max_parallel", n)

    # -- adding videos ----------------------------------------------------------------------

    def add_paths(self, paths: list[str]) -> None:
        """Queue files and folders with the toolbar's settings; bad files are reported only."""
        if not paths:
            return
        spec = self.options.spec()
        self.statusBar().showMessage(f"Checking {plural(len(paths), 'item')}…")
        self.queue.lane.submit(untrusted_sha, self.store, spec.model_path,
                               on_done=lambda sha: self._queue_if_trusted(paths, spec, sha))

    def _queue_if_trusted(self, paths: list[str], spec: JobSpec, sha: str | None) -> None:
        """Queue, first asking about a .pt model not trusted yet; cancelled: queue nothing."""
        if sha is not None:
            if not confirm_pickle_model(self, spec.model_path):
                self.statusBar().showMessage("Nothing was queued: the model file is not "
                                             "trusted.", 15000)
                return
            self.queue.lane.submit(self.store.trust_model, sha, spec.model_path)
        self.queue.add_paths(paths, spec)

    def choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Add Videos", self.settings.value("paths/add_dir", str(Path.home()), str),
            "MP4 videos (*.mp4 *.m4v *.mov);;All files (*)")
        if paths:
            self.settings.setValue("paths/add_dir", str(Path(paths[0]).parent))
            self.add_paths(paths)

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Add a Folder of Videos", self.settings.value("paths/add_dir", "", str))
        if folder:
            self.settings.setValue("paths/add_dir", folder)
            self.add_paths([folder])

    def open_sample(self) -> None:
        sample = resource_path(SAMPLE_VIDEO)
        if not sample.is_file():
            self.show_error(f"The sample video {sample} is missing from this installation.")
            return
        self.add_paths([str(sample)])

    def dragEnterEvent(self, event) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()
            self.table.set_drop_highlight(True)

    def dragMoveEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dragLeaveEvent(self, event) -> None:
        self.table.set_drop_highlight(False)

    def dropEvent(self, event) -> None:
        self.table.set_drop_highlight(False)
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.add_paths(paths)

    def _on_intake_progress(self, done: int, total: int) -> None:
        if total > 1:
            self.statusBar().showMessage(f"Checking videos… {done} of {total}")

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
        self.statusBar().showMessage(message, 15000)
        if result.queued and not self.table.selectionModel().hasSelection():
            self.select_job(result.queued[0].job_id)

    # -- the queue --------------------------------------------------------------------------

    def start_queue(self) -> None:
        self.queue.start()

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
                          "No new job starts while the queue is paused.", parent=self)
        finish = box.addButton("Let It Finish", QMessageBox.ButtonRole.AcceptRole)
        later = box.addButton("Stop, Resume Later", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton("Cancel the Job", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(finish)
        box.exec()
        return {finish: "finish", later: "interrupt", cancel: "cancel"}.get(box.clickedButton())

    def _on_drained(self) -> None:
        if self.when_done.currentData() == "quit":
            self.statusBar().showMessage("Every job has ended; quitting as asked.")
            QTimer.singleShot(0, self.quit_resume_later)
        else:
            self.statusBar().showMessage("Every queued job has ended.", 15000)

    # -- job actions ------------------------------------------------------------------------

    def current_job(self) -> Job | None:
        index = self.table.currentIndex()
        return self.model.job_at(index.row()) if index.isValid() else None

    def selected_jobs(self) -> list[Job]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        if not rows and self.current_job():
            return [self.current_job()]
        return [self.model.job_at(r) for r in rows]

    def select_job(self, job_id: str) -> None:
        row = self.model.row_of(job_id)
        if row is not None:
            self.table.selectionModel().setCurrentIndex(
                self.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect |
                QItemSelectionModel.SelectionFlag.Rows)

    def find_text(self) -> None:
        self.search_dock.show()
        self.search.focus_box()

    def show_hit(self, job_id: str, frame_index: int) -> None:
        """Review a search hit: select its job and go to its frame once the video is open."""
        self.select_job(job_id)
        viewer = self.viewer
        if viewer.info is not None:
            viewer.seek(frame_index)
            return

        def on_opened(path: str, _info) -> None:
            if viewer.job is not None and viewer.job.job_id == job_id and \
                    path == viewer.job.input_path:
                viewer.decoder.opened.disconnect(on_opened)
                viewer.seek(frame_index)
        viewer.decoder.opened.connect(on_opened)

    def cancel_selected(self) -> None:
        ids = [j.job_id for j in self.selected_jobs() if j.status in ("pending", "running")]
        if ids:
            self.queue.cancel(ids)

    def retry_selected(self) -> None:
        ids = [j.job_id for j in self.selected_jobs() if j.status in ("failed", "cancelled")]
        if ids:
            self.queue.retry(ids)

    def remove_selected(self) -> None:
        jobs = self.selected_jobs()
        if jobs and self.confirm_remove(jobs):
            self.queue.remove([j.job_id for j in jobs])

    def confirm_remove(self, jobs: list[Job]) -> bool:
        what = f"“{Path(jobs[0].input_path).name}”" if len(jobs) == 1 else plural(len(jobs), "job")
        running = sum(j.status == "running" for j in jobs)
        box = QMessageBox(QMessageBox.Icon.Warning, "Remove Jobs",
                          f"Remove {what} and {'its' if len(jobs) == 1 else 'their'} results?",
                          parent=self)
        box.setInformativeText(("Running jobs are cancelled first. " if running else "")
                               + "The video files are not touched; exported files stay.")
        remove = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is remove

    def open_data_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.data_dir)))

    def reveal_output(self) -> None:
        job = self.current_job()
        if job is None or not job.output_path:
            return
        path = Path(job.output_path)
        if not path.exists():
            self.show_error(f"The results file {path} is no longer there; export the job again "
                            "to write a new one.")
            return
        reveal_in_file_manager(path)

    def export(self, fmt: str | None = None) -> None:
        job = self.current_job()
        if job is None:
            return
        fmt = fmt or self.settings.value("export/format", "json", str)
        folder = Path(self.settings.value("paths/export_dir", str(Path.home()), str))
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export Results", str(folder / export_name(job.input_path, fmt)),
            ";;".join(EXPORT_FILTERS.values()), EXPORT_FILTERS[fmt])
        if not path:
            return
        fmt = next((k for k, v in EXPORT_FILTERS.items() if v == chosen), fmt)
        if Path(path).suffix.lower() != f".{fmt}":
            path += f".{fmt}"
        self.settings.setValue("export/format", fmt)
        self.settings.setValue("paths/export_dir", str(Path(path).parent))
        self.export_to(job.job_id, fmt, Path(path))

    def export_to(self, job_id: str, fmt: str, path: Path) -> None:
        """Write the export in the background; the status bar says where it went."""
        def work() -> str:
            doc = build_results(self.store, self.store.get_job(job_id))
            try:
                path.write_text(render(doc, fmt), encoding="utf-8")
            except OSError as exc:
                raise ForesyteError(f"Could not write {path}: {exc.strerror or exc}.") from None
            return (f"Exported {plural(len(doc['text_segments']), 'text segment')} from "
                    f"{plural(len(doc['results']), 'frame')} to {path}.")
        self.reads.submit(work, on_done=lambda msg: self.statusBar().showMessage(msg, 15000))

    def copy_error(self) -> None:
        job = self.current_job()
        if job and job.error_message:
            QGuiApplication.clipboard().setText(job.error_message)

    def _context_menu(self, pos) -> None:
        if not self.table.indexAt(pos).isValid():
            menu = QMenu(self)
            menu.addActions([self.act_add, self.act_add_folder, self.act_sample])
            menu.exec(self.table.viewport().mapToGlobal(pos))
            return
        menu = QMenu(self)
        menu.addActions([self.act_cancel, self.act_retry, self.act_remove])
        menu.addSeparator()
        menu.addActions([self.region_tool.act_draw, self.region_tool.act_clear])
        menu.addSeparator()
        menu.addAction(self.act_reveal)
        export = menu.addMenu("Export")
        export.addActions(list(self.act_export_as.values()))
        export.addAction(self.frame_exports.act_export_video)
        job = self.current_job()
        if job and job.error_message:
            menu.addSeparator()
            menu.addAction(self.act_copy_error)
        menu.exec(self.table.viewport().mapToGlobal(pos))

    # -- updates from the queue -------------------------------------------------------------

    def _on_job_changed(self, job: Job) -> None:
        self._on_jobs_changed([job])

    def _on_jobs_changed(self, jobs: list[Job]) -> None:
        self.model.upsert(jobs)
        current = self.current_job()
        if current and any(j.job_id == current.job_id for j in jobs):
            self._show_current(current)
        self._update_actions()
        self._update_summary()

    def _on_job_ended(self, job: Job) -> None:
        self._on_jobs_changed([job])
        name = Path(job.input_path).name
        message = {"completed": f"“{name}” is done: {plural(job.frames_done, 'frame')} analysed.",
                   "failed": f"“{name}” failed: {job.error_message}",
                   "cancelled": f"“{name}” was cancelled.",
                   "pending": f"“{name}” stopped; it resumes where it left off."}.get(job.status)
        if message:
            self.statusBar().showMessage(message, 15000)

    def _on_progress(self, job_id: str, done: int, total: int) -> None:
        self.model.set_progress(job_id, done, total)
        current = self.current_job()
        if current and current.job_id == job_id:
            self.panel.show_job(current)

    def _on_cancelling(self, job_id: str) -> None:
        self.model.set_cancelling(job_id)
        self._update_actions()

    def _on_jobs_removed(self, job_ids: list[str]) -> None:
        self.model.remove(job_ids)
        if self.current_job() is None:
            self._show_current(None)
        self.statusBar().showMessage(f"Removed {plural(len(job_ids), 'job')}.", 8000)
        self._update_actions()
        self._update_summary()

    def _on_current_changed(self, current, _previous) -> None:
        self._show_current(self.model.job_at(current.row()) if current.isValid() else None)
        self._update_actions()

    def _show_current(self, job: Job | None) -> None:
        self.viewer.show_job(job)
        self.panel.show_job(job)

    def _update_actions(self) -> None:
        jobs = self.selected_jobs()
        statuses = {j.status for j in jobs if not self.model.is_cancelling(j.job_id)}
        self.act_cancel.setEnabled(bool(statuses & {"pending", "running"}))
        self.act_retry.setEnabled(bool(statuses & {"failed", "cancelled"}))
        self.act_remove.setEnabled(bool(jobs))
        job = self.current_job()
        self.act_reveal.setEnabled(bool(job and job.status == "completed" and job.output_path))
        exportable = bool(job and (job.status == "completed" or job.frames_done))
        self.act_export.setEnabled(exportable)
        for act in self.act_export_as.values():
            act.setEnabled(exportable)
        self.act_copy_error.setEnabled(bool(job and job.error_message))
        self._update_frame_actions()

    def _update_frame_actions(self, *_) -> None:
        """Actions on the frame on screen: they wait for the video to show one."""
        self.region_tool.update_actions()
        self.frame_exports.update_actions()

    def _update_summary(self) -> None:
        counts = self.model.counts()
        parts = [f"{counts[s]} {s}" for s in ("running", "pending", "completed", "failed",
                                               "cancelled") if counts[s]]
        state = "Queue running" if self.queue.is_started else "Queue paused"
        self.summary.setText("  ·  ".join([state] + parts) + "  ")
        started = self.queue.is_started
        self.act_start.setText("Pause" if started else "Start")
        self.act_start.setIcon(self.style().standardIcon(
            QStyle.StandardPixmap.SP_MediaPause if started else QStyle.StandardPixmap.SP_MediaPlay))

    def _tick(self) -> None:
        self.model.tick()

    def show_error(self, message: str) -> None:
        """A failure as one sentence: in the status bar and, until dismissed, above the list."""
        self.statusBar().showMessage(message, 15000)
        self.notice.show_lines("Something went wrong:", [message])

    # -- help -------------------------------------------------------------------------------

    def show_shortcuts(self) -> None:
        actions = [self.act_add, self.act_add_folder, self.act_find, self.act_start,
                   self.act_cancel, self.act_retry, self.act_remove, self.act_export,
                   self.act_reveal, self.frame_exports.act_export_frame,
                   self.frame_exports.act_copy_frame, self.frame_exports.act_export_video,
                   self.region_tool.act_draw,
                   self.viewer.act_show_ocr, self.viewer.act_show_detections,
                   self.viewer.act_follow, *self.viewer.navigation_actions(),
                   *self.viewer.following_actions()]
        rows = "".join(
            f"<tr><td>{act.text().replace('&', '')}</td><td style='padding-left:16px'><b>"
            f"{act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)}</b></td></tr>"
            for act in actions if not act.shortcut().isEmpty())
        QMessageBox.information(self, "Keyboard Shortcuts", f"<table>{rows}</table>")

    def show_about(self) -> None:
        QMessageBox.about(self, "About ForeSyte",
                          f"<b>ForeSyte Desktop {__version__}</b><p>Reads the text and the "
                          f"objects in video files.</p><p>Data folder: {self.data_dir}</p>")

    # -- closing ----------------------------------------------------------------------------

    def closeEvent(self, event) -> None:
        if self._closed:
            event.accept()
            return
        event.ignore()
        if self._closing:
            return
        running = self.queue.running_job_ids()
        how = "interrupt"
        if running and self._ask_on_close:
            how = self.ask_on_close(len(running))
            if how is None:
                return
        self._closing = True
        self._save_settings()
        self.viewer.shutdown()
        self.setEnabled(False)
        self.frame_exports.shutdown(5000)
        if running:
            self.statusBar().showMessage("Stopping the running jobs…")
        self.queue.stopped.connect(self._finish_close)
        self.queue.shutdown(how)

    def quit_resume_later(self) -> None:
        """Quit without asking; running jobs stop at their checkpoint and resume next time."""
        self._ask_on_close = False
        self.close()

    def ask_on_close(self, running: int) -> str | None:
        """'cancel' or 'interrupt' (resume next time) for the running jobs; None to stay open."""
        box = QMessageBox(QMessageBox.Icon.Question, "Quit ForeSyte",
                          f"{plural(running, 'job')} {'is' if running == 1 else 'are'} still "
                          "running. Cancel before quitting?", parent=self)
        box.setInformativeText("Or keep the work done so far: the job continues where it "
                               "stopped the next time ForeSyte opens.")
        cancel = box.addButton("Cancel Job and Quit", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("Quit, Resume Later", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Don't Quit", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.exec()
        return {cancel: "cancel", keep: "interrupt"}.get(box.clickedButton())

    def _finish_close(self) -> None:
        self.reads.wait(2000)
        self._closed = True
        self.close()
