"""Watch folders in the window: the dialog listing them, adding one with the toolbar's job
settings and removing one, and the watcher's notices (a folder gone or back) above the job
list."""
from __future__ import annotations

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFileDialog, QLabel, QListWidget, QListWidgetItem, QMainWindow,
    QPushButton, QVBoxLayout, QWidget,
)

from foresyte_desktop.core.watch_folders import WatchFolder
from foresyte_desktop.ui.actions import make_action
from foresyte_desktop.ui.job_options import JobOptions, roi_text
from foresyte_desktop.ui.notice_bar import NoticeBar
from foresyte_desktop.workers.watching import Watching


def describe(watch: WatchFolder) -> str:
    spec = watch.spec
    every = "every frame" if spec.frame_stride == 1 else f"every {spec.frame_stride} frames"
    parts = [spec.pipeline_id, every]
    if spec.roi:
        parts.append(f"region {roi_text(spec.roi)}")
    if watch.poll:
        parts.append("scanned every few seconds")
    return f"{watch.path}   ({', '.join(parts)})"


class WatchFoldersDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Watch Folders")
        self.resize(720, 320)
        self.list = QListWidget()
        self.message = QLabel("New MP4 and MOV files in these folders and their sub-folders are "
                              "queued once they stop growing, with the settings each folder "
                              "was added with.")
        self.message.setWordWrap(True)
        self.add_button = QPushButton("Add Folder…")
        self.remove_button = QPushButton("Remove")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.add_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.remove_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.list.itemSelectionChanged.connect(
            lambda: self.remove_button.setEnabled(bool(self.list.selectedItems())))
        self.remove_button.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)

    def show_watches(self, watches: list[WatchFolder]) -> None:
        self.list.clear()
        for watch in watches:
            item = QListWidgetItem(describe(watch))
            item.setData(Qt.ItemDataRole.UserRole, watch.watch_id)
            self.list.addItem(item)
        if not watches:
            empty = QListWidgetItem("No folders are watched yet.")
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(empty)

    def selected_id(self) -> str | None:
        items = self.list.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None


class WatchFolders(QObject):
    def __init__(self, window: QMainWindow, watching: Watching, options: JobOptions,
                 notice: NoticeBar, settings: QSettings):
        super().__init__(window)
        self.window = window
        self.watching = watching
        self.options = options
        self.notice = notice
        self.settings = settings
        self.dialog = WatchFoldersDialog(window)
        self.act_watch = make_action(window, "Watch Folders…", self.show_dialog,
                                     tip="Queue the new recordings of chosen folders")
        self.dialog.add_button.clicked.connect(self.choose_folder)
        self.dialog.remove_button.clicked.connect(self.remove_selected)
        watching.notice.connect(self._on_notice)

    def show_dialog(self) -> None:
        self.reload()
        self.dialog.show()
        self.dialog.raise_()

    def reload(self) -> None:
        self.watching.folders(on_done=self.dialog.show_watches)

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self.dialog, "Watch a Folder", self.settings.value("paths/watch_dir", "", str))
        if folder:
            self.settings.setValue("paths/watch_dir", folder)
            self.add_folder(folder)

    def add_folder(self, folder: str) -> None:
        """Watch `folder` with the toolbar's job settings."""
        self.watching.add_folder(folder, self.options.spec(), on_done=self._added,
                                 on_error=self._refused)

    def remove_selected(self) -> None:
        watch_id = self.dialog.selected_id()
        if watch_id:
            self.watching.remove_folder(watch_id, on_done=lambda w: self._say(
                f"No longer watching {w.path}; what it queued stays queued."))

    def _added(self, watch: WatchFolder) -> None:
        self._say(f"Watching {watch.path}.")

    def _refused(self, message: str) -> None:
        self.dialog.message.setText(message)
        self._say(message)

    def _say(self, message: str) -> None:
        self.window.statusBar().showMessage(message, 15000)
        self.reload()

    def _on_notice(self, message: str) -> None:
        self.notice.show_lines("Watch folders:", [message])
        self.window.statusBar().showMessage(message, 15000)
