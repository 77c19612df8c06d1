"""Exporting the current job's results as JSON, subtitles (SRT, WebVTT, ASS) or CSV, to a file
the user chooses."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings
from PySide6.QtWidgets import QMainWindow, QStyle

from foresyte_desktop.core.exporters import FORMATS, export_name, suffix
from foresyte_desktop.core.model import Job
from foresyte_desktop.ui.actions import make_action
from foresyte_desktop.ui.job_table import JobTableView
from foresyte_desktop.ui.save_dialog import ask_save_path
from foresyte_desktop.workers.library import Library

NAMES = {"json": "JSON", "srt": "SRT", "vtt": "WebVTT", "ass": "ASS", "csv": "CSV",
         "detections-csv": "Detections CSV"}
FILTERS = {"json": "Results JSON", "srt": "SubRip subtitles", "vtt": "WebVTT subtitles",
           "ass": "Advanced SubStation subtitles", "csv": "Text lines as CSV",
           "detections-csv": "Detected objects as CSV"}
EXPORT_FILTERS = {fmt: (f"{FILTERS[fmt]} (*{suffix(fmt)})", suffix(fmt)) for fmt in FORMATS}


class ResultExports(QObject):
    """Export… (the last format used) and one Export action per format."""

    def __init__(self, window: QMainWindow, library: Library, table: JobTableView,
                 settings: QSettings):
        super().__init__(window)
        self.window = window
        self.library = library
        self.table = table
        self.settings = settings
        self.act_export = make_action(
            window, "Export…", lambda: self.export(), "Ctrl+E",
            QStyle.StandardPixmap.SP_DialogSaveButton,
            "Export the job's results as JSON, subtitles (SRT, WebVTT, ASS) or CSV")
        self.act_export_as = {fmt: make_action(window, f"Export {NAMES[fmt]}…",
                                               lambda _=False, f=fmt: self.export(f))
                              for fmt in FORMATS}
        library.exported.connect(lambda message: window.statusBar().showMessage(message, 15000))

    def update_actions(self, job: Job | None) -> None:
        exportable = bool(job and (job.status == "completed" or job.frames_done))
        for act in (self.act_export, *self.act_export_as.values()):
            act.setEnabled(exportable)

    def export(self, fmt: str | None = None) -> None:
        job = self.table.current_job()
        if job is None:
            return
        fmt = fmt or self.settings.value("export/format", "json", str)
        fmt = fmt if fmt in EXPORT_FILTERS else "json"
        folder = Path(self.settings.value("paths/export_dir", str(Path.home()), str))
        answer = ask_save_path(self.window, "Export Results", folder,
                               export_name(job.input_path, fmt), EXPORT_FILTERS, fmt)
        if answer is None:
            return
        fmt, path = answer
        self.settings.setValue("export/format", fmt)
        self.settings.setValue("paths/export_dir", str(path.parent))
        self.export_to(job.job_id, fmt, path)

    def export_to(self, job_id: str, fmt: str, path: Path) -> None:
        """Write the export in the background; the status bar says where it went."""
        self.library.export(job_id, fmt, path)
