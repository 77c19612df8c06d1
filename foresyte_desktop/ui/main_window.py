"""The main window: the job queue on top, the viewer and its panel below, menus, toolbars and
the status bar, wired to the controllers that do the work. It reaches the store only through
the library.

When the window is small, the video gives up room first: the panel beside it keeps its width
while the viewer narrows, down to what its controls need."""
from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QMainWindow, QMessageBox, QSplitter, QToolButton, QVBoxLayout, QWidget,
)

from foresyte_desktop.core.formatting import plural
from foresyte_desktop.ui.about_dialog import show_about
from foresyte_desktop.ui.actions import make_action
from foresyte_desktop.ui.alerts import Alerts
from foresyte_desktop.ui.cases import Cases
from foresyte_desktop.ui.find import Find
from foresyte_desktop.ui.frame_exports import FrameExports
from foresyte_desktop.ui.job_actions import JobActions
from foresyte_desktop.ui.job_list import JobList
from foresyte_desktop.ui.job_options import JobOptions
from foresyte_desktop.ui.job_table import JobTableModel, JobTableView
from foresyte_desktop.ui.menus import (
    build_menus, build_toolbars, job_context_menu, shortcut_actions,
)
from foresyte_desktop.ui.notice_bar import NoticeBar
from foresyte_desktop.ui.report_export import ReportExport
from foresyte_desktop.ui.result_exports import ResultExports
from foresyte_desktop.ui.review import Review
from foresyte_desktop.ui.review_edits import ReviewEdits
from foresyte_desktop.ui.review_panel import ReviewPanel
from foresyte_desktop.ui.search_panel import SearchPanel
from foresyte_desktop.ui.text_region import TextRegionTool
from foresyte_desktop.ui.viewer import Viewer
from foresyte_desktop.ui.watch_folders_dialog import WatchFolders
from foresyte_desktop.ui.weights_licence import WeightsLicenceNote
from foresyte_desktop.ui.engine_setting import EngineSetting
from foresyte_desktop.ui.window_settings import WindowSettings
from foresyte_desktop.workers.library import Library


# A checkable tool button (Text, Objects, Live) that is off still looks like a switch: outlined,
# where a plain flat button has no frame; on, it is filled with the highlight colour.
# Set on those buttons only: a style sheet on the whole window would restyle every widget
# (the job table's progress bars lose their white text under it).
TOGGLE_STYLE = ("QToolButton { border: 1px solid palette(mid); border-radius: 4px; "
                "padding: 2px 6px; margin: 1px; }"
                "QToolButton:checked { background: palette(highlight); "
                "color: palette(highlighted-text); border-color: palette(highlight); }")


class MainWindow(QMainWindow):
    def __init__(self, store, data_dir: Path, settings: QSettings,
                 parent: QWidget | None = None):
        """`store`: the open job store, handed to the library and to nothing else."""
        super().__init__(parent)
        self.data_dir = Path(data_dir)
        self._closing = False
        self._closed = False
        self._ask_on_close = True  # False: quit without asking (queue done, Ctrl+C)
        self.setWindowTitle("ForeSyte")
        self.setAcceptDrops(True)

        self.library = Library(store, self.data_dir, self)
        self.queue = self.library.queue
        self.model = JobTableModel(self)
        self.table = JobTableView()
        self.table.setModel(self.model)
        self.notice = NoticeBar()
        self.options = JobOptions(settings, self.data_dir, self)
        self.viewer = Viewer(self.library)
        self.panel = ReviewPanel()
        self.timeline = self.viewer.scrubber  # the viewer's scrubber, with the job's timeline
        self.search = SearchPanel(self.library)
        self._build_layout()

        self.job_list = JobList(self, self.library, self.model, self.table)
        self.job_actions = JobActions(self, self.library, self.model, self.table, self.options,
                                      self.notice, settings)
        self.cases = Cases(self, self.library, self.model, self.table, self.notice)
        self.job_actions.case_for_new = self.cases.current  # files added go into its case
        self.exports = ResultExports(self, self.library, self.table, settings)
        self.frame_exports = FrameExports(self, self.library, self.viewer, settings)
        self.region_tool = TextRegionTool(self, self.viewer, self.queue,
                                          self.table.selected_jobs)
        self.review = Review(self, self.library, self.job_list, self.model, self.table,
                             self.viewer, self.panel)
        self.review_edits = ReviewEdits(self, self.library, self.viewer, self.panel,
                                        self.notice)
        self.find = Find(self, self.search, self.review)
        self.search.case_of = self.cases.current
        self.cases.changed.connect(self.search.set_case)
        self.cases.changed.connect(self.update_actions)  # what the cases allow now
        self.report_export = ReportExport(self, self.library, self.table, self.cases,
                                          self.notice, settings)
        self.alerts = Alerts(self, self.library.watching, self.review, self.notice)
        self.watch_folders = WatchFolders(self, self.library.watching, self.options,
                                          self.notice, settings)
        self.window_settings = WindowSettings(
            self, settings, self.queue, self.viewer,
            {"window/main_split": self.main_split, "window/review_split": self.review_split,
             "window/panel_split": self.panel}, self.quit_resume_later)
        self._make_actions()
        build_menus(self)
        build_toolbars(self)
        self._build_status_bar()
        for button in self.findChildren(QToolButton):
            if button.isCheckable():
                button.setStyleSheet(TOGGLE_STYLE)
        self.engine_setting = EngineSetting(self, settings, self.queue)
        self._connect()
        self.weights_note = WeightsLicenceNote(self.queue.progress, self.notice, self.data_dir,
                                               self)

        self.window_settings.restore()
        if self.model.rowCount():
            self.table.selectRow(self.model.rowCount() - 1)
        self.update_actions()
        self.job_actions.update_summary()

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
        self.review_split.addWidget(under_viewer)
        self.review_split.addWidget(self.panel)
        self.review_split.setChildrenCollapsible(False)
        self.review_split.setStretchFactor(0, 1)  # the video takes (and gives) the slack
        self.review_split.setStretchFactor(1, 0)
        self.review_split.setSizes([1100, 420])
        self.main_split = QSplitter(Qt.Orientation.Vertical)
        self.main_split.addWidget(top)
        self.main_split.addWidget(self.review_split)
        self.main_split.setChildrenCollapsible(False)
        self.main_split.setStretchFactor(0, 0)
        self.main_split.setStretchFactor(1, 1)
        self.main_split.setSizes([240, 680])
        self.setCentralWidget(self.main_split)

    def _make_actions(self) -> None:
        a = partial(make_action, self)
        self.act_quit = a("Quit", self.close, "Ctrl+Q")
        self.act_quit.setMenuRole(QAction.MenuRole.QuitRole)
        self.act_shortcuts = a("Keyboard Shortcuts", self.show_shortcuts, "F1")
        self.act_about = a("About ForeSyte", self.show_about)
        self.act_about.setMenuRole(QAction.MenuRole.AboutRole)

    def _build_status_bar(self) -> None:
        self.statusBar().addPermanentWidget(self.frame_exports.video_bar)
        self.statusBar().addPermanentWidget(self.job_actions.summary)

    def _connect(self) -> None:
        self.queue.frames_ready.connect(self.viewer.add_live_frames)
        for failed in (self.queue.error, self.library.failed, self.job_actions.failed,
                       self.frame_exports.video_exporter.failed):
            failed.connect(self.show_error)
        self.job_list.changed.connect(self.update_actions)
        self.job_list.changed.connect(self.job_actions.update_summary)
        self.table.customContextMenuRequested.connect(partial(job_context_menu, self))
        self.viewer.view.has_image_changed.connect(self._update_frame_actions)
        self.region_tool.drawn.connect(self.options.offer_region)
        # A dock opened in a small window takes no more than its share of it.
        self.find.dock.visibilityChanged.connect(
            lambda shown: shown and self.window_settings.fit_docks())

    # -- updates ----------------------------------------------------------------------------

    def update_actions(self) -> None:
        self.job_actions.update_actions()
        self.cases.update_actions()
        self.report_export.update_actions()
        self.exports.update_actions(self.table.current_job())
        self._update_frame_actions()

    def _update_frame_actions(self, *_) -> None:
        """Actions on the frame on screen: they wait for the video to show one."""
        self.region_tool.update_actions()
        self.frame_exports.update_actions()

    def show_error(self, message: str) -> None:
        """A failure as one sentence: in the status bar and, until dismissed, above the list."""
        self.statusBar().showMessage(message, 15000)
        self.notice.show_lines("Something went wrong:", [message])

    # -- dropping files ---------------------------------------------------------------------

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
            self.job_actions.add_paths(paths)

    # -- help -------------------------------------------------------------------------------

    def show_shortcuts(self) -> None:
        rows = "".join(
            f"<tr><td>{act.text().replace('&', '')}</td><td style='padding-left:16px'><b>"
            f"{act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)}</b></td></tr>"
            for act in shortcut_actions(self) if not act.shortcut().isEmpty())
        QMessageBox.information(self, "Keyboard Shortcuts", f"<table>{rows}</table>")

    def show_about(self) -> None:
        show_about(self.data_dir, self)

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
        self.window_settings.save()
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
        # Every read and edit asked for is done before the store closes (an edit made just
        # before quitting is saved; a report being written is finished).
        self.library.wait(30_000)
        self._closed = True
        self.close()
