"""Exports of what the viewer shows: the frame on screen with its overlays as a PNG file or on
the clipboard, and the job (or a time range of it) as an annotated MP4 written in the
background."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import (
    QCheckBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QMainWindow, QWidget,
)

from foresyte_desktop.core.errors import ForesyteError
from foresyte_desktop.core.exporters import replaced_atomically, safe_filename
from foresyte_desktop.core.model import Job
from foresyte_desktop.ui.actions import make_action
from foresyte_desktop.ui.save_dialog import ask_save_path
from foresyte_desktop.ui.video_export_bar import VideoExportBar
from foresyte_desktop.ui.viewer import Viewer
from foresyte_desktop.workers.library import Library


def frame_file_name(video_path: str, index: int) -> str:
    """"clip frame 42.png": the video's name and the frame's number as the viewer shows it."""
    return f"{safe_filename(Path(video_path).stem)} frame {index + 1}.png"


def annotated_file_name(video_path: str) -> str:
    """"clip annotated.mp4": never the video's own name, so the copy cannot replace it."""
    return f"{safe_filename(Path(video_path).stem)} annotated.mp4"


def save_png(image: QImage, path: Path) -> str:
    """Write `image` through a temporary file (in a lane: QImage, unlike QPixmap, may be used
    off the GUI thread)."""
    with replaced_atomically(path, ".png") as tmp:
        if not image.save(str(tmp), "PNG"):
            raise ForesyteError(f"Could not write {path}: check that the folder exists and "
                                "that you may write to it.")
    return f"Saved frame image {path} ({image.width()} × {image.height()})."


class VideoRangeDialog(QDialog):
    """The part of the video to write: the whole analysed span, or from one time to another
    (seconds, the start proposed at the frame on screen)."""

    def __init__(self, parent: QWidget, at_s: float, duration_s: float):
        super().__init__(parent)
        self.setWindowTitle("Export Annotated Video")
        self.part = QCheckBox("Only a part of the video")
        self.start = QDoubleSpinBox()
        self.end = QDoubleSpinBox()
        for box, value in ((self.start, at_s), (self.end, duration_s)):
            box.setRange(0.0, max(duration_s, 0.1))
            box.setDecimals(2)
            box.setSuffix(" s")
            box.setValue(value)
            box.setEnabled(False)
            self.part.toggled.connect(box.setEnabled)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                   QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        form = QFormLayout(self)
        form.addRow(self.part)
        form.addRow("From", self.start)
        form.addRow("To", self.end)
        form.addRow(buttons)

    def _check(self) -> None:
        if self.part.isChecked() and self.end.value() <= self.start.value():
            self.end.setFocus()
            self.end.setToolTip("The end must come after the start")
            return
        self.accept()

    def span(self) -> tuple[float | None, float | None]:
        """(start_s, end_s), both None for the whole video."""
        if not self.part.isChecked():
            return None, None
        return self.start.value(), self.end.value()


class FrameExports(QObject):
    def __init__(self, window: QMainWindow, library: Library, viewer: Viewer,
                 settings: QSettings):
        super().__init__(window)
        self.window = window
        self.viewer = viewer
        self.library = library
        self.settings = settings
        self.video_exporter = library.video_exporter
        self.video_bar = VideoExportBar(self.video_exporter)
        self.video_exporter.finished.connect(lambda path: self._say(f"Wrote {path}."))
        self.video_exporter.cancelled.connect(
            lambda: self._say("The annotated video was not written: cancelled."))
        self.video_exporter.started.connect(self.update_actions)
        for ended in (self.video_exporter.finished, self.video_exporter.failed,
                      self.video_exporter.cancelled):
            ended.connect(self.update_actions)
        self.act_export_frame = make_action(
            window, "Export Frame as PNG…", self.export_frame, "Ctrl+Shift+E",
            tip="Save the frame on screen with its text and objects drawn on it")
        self.act_copy_frame = make_action(
            window, "Copy Frame", self.copy_frame, "Ctrl+Shift+C",
            tip="Copy the frame on screen, with what is drawn on it, to the clipboard")
        self.act_export_video = make_action(
            window, "Export Annotated Video…", self.export_video, "Ctrl+Shift+M",
            tip="Write the job's video with its text and objects drawn on every frame (MP4)")

    def update_actions(self, *_) -> None:
        job = self.viewer.job
        shown = job is not None and self.viewer.view.has_image()
        self.act_export_frame.setEnabled(shown)
        self.act_copy_frame.setEnabled(shown)
        self.act_export_video.setEnabled(
            job is not None and bool(job.frames_done) and not self.video_exporter.busy)

    def _say(self, message: str) -> None:
        self.window.statusBar().showMessage(message, 15000)

    def export_frame(self) -> None:
        viewer = self.viewer
        if viewer.job is None or not viewer.view.has_image():
            return
        folder = Path(self.settings.value("paths/export_dir", str(Path.home()), str))
        name = frame_file_name(viewer.job.input_path, viewer.shown_index or 0)
        answer = ask_save_path(self.window, "Export Frame", folder, name,
                               {"png": ("PNG image (*.png)", ".png")}, "png")
        if answer:
            self.export_frame_to(answer[1])

    def export_frame_to(self, path: Path) -> None:
        """The frame on screen, drawn at the video's own size, saved in the background."""
        if path.suffix.lower() != ".png":
            path = path.with_name(path.name + ".png")
        self.settings.setValue("paths/export_dir", str(path.parent))
        self.library.in_background(save_png, self.viewer.view.render_frame(), path,
                                   on_done=self._say)

    def export_video(self) -> None:
        job = self.viewer.job
        if job is None or not job.frames_done:
            return
        info = self.viewer.info
        fps = info.fps if info else 25.0
        span = VideoRangeDialog(self.window, (self.viewer.shown_index or 0) / fps,
                                info.duration_s if info else 0.0)
        if not span.exec():
            return
        folder = Path(self.settings.value("paths/export_dir", str(Path.home()), str))
        answer = ask_save_path(self.window, "Export Annotated Video", folder,
                               annotated_file_name(job.input_path),
                               {"mp4": ("MP4 video (*.mp4)", ".mp4")}, "mp4")
        if answer:
            self.export_video_to(job, answer[1], *span.span())

    def export_video_to(self, job: Job, path: Path, start_s: float | None = None,
                        end_s: float | None = None) -> None:
        """Write the annotated MP4 (from `start_s` to `end_s`, by default all of it) in the
        background; the status bar shows its progress."""
        if path.suffix.lower() != ".mp4":
            path = path.with_name(path.name + ".mp4")
        self.settings.setValue("paths/export_dir", str(path.parent))
        if not self.video_exporter.export(job, path, start_s, end_s):
            self._say("An annotated video is already being written; wait for it or cancel it.")

    def shutdown(self, msecs: int) -> None:
        """Stop an export in progress (window close); its unfinished file is removed."""
        self.video_exporter.shutdown(msecs)

    def copy_frame(self) -> None:
        if self.viewer.job is None or not self.viewer.view.has_image():
            return
        QGuiApplication.clipboard().setImage(self.viewer.view.render_frame())
        self._say(f"Copied frame {(self.viewer.shown_index or 0) + 1} to the clipboard.")
