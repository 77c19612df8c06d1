"""Exporting the current job's results as JSON, SRT or CSV, to a file the user chooses."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings
from PySide6.QtWidgets import QFileDialog, QMainWindow, QStyle

from foresyte_desktop.core.exporters import FORMATS, export_name
from foresyte_desktop.core.model import Job
from foresyte_desktop.ui.actions import make_action
from foresyte_desktop.ui.job_table import JobTableView
from foresyte_desktop.workers.library import Library

EXPORT_FILTERS = {"json": "Results JSON (*.json)", "srt": "SubRip subtitles (*.srt)",
                  "csv": "Text lines as CSV (*.csv)"}


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
            "Export the job's results as JSON, SRT or CSV")
        self.act_export_as = {fmt: make_action(window, f"Export {fmt.upper()}…",
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
        folder = Path(self.settings.value("paths/export_dir", str(Path.home()), str))
        path, chosen = QFileDialog.getSaveFileName(
            self.window, "Export Results", str(folder / export_name(job.input_path, fmt)),
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
        self.library.export(job_id, fmt, path)
