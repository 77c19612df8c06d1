"""File ▸ Export Report…: the case report of the case chosen over the job list, or of the
selected completed jobs, as one HTML file or a PDF. The report is built in the library's lane
(it hashes the files and decodes thumbnails) and the PDF is laid out there too."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings
from PySide6.QtWidgets import (
    QButtonGroup, QCheckBox, QDialog, QDialogButtonBox, QLabel, QMainWindow, QRadioButton,
    QVBoxLayout, QWidget,
)

from foresyte_desktop.core.formatting import plural
from foresyte_desktop.core.report import build_report
from foresyte_desktop.core.report_html import write_html
from foresyte_desktop.ui.actions import make_action
from foresyte_desktop.ui.cases import Cases
from foresyte_desktop.ui.job_table import JobTableView
from foresyte_desktop.ui.notice_bar import NoticeBar
from foresyte_desktop.ui.save_dialog import ask_save_path
from foresyte_desktop.workers.library import Library

FILTERS = {"html": ("Report, one HTML file (*.html)", ".html"),
           "pdf": ("Report as PDF (*.pdf)", ".pdf")}


def write_report(store, job_ids: list[str], case: str | None, include_unreviewed: bool,
                 data_dir: Path, fmt: str, path: Path) -> str:
    """Build the report and write it; a sentence saying what was written (in the lane)."""
    report = build_report(store, job_ids, case=case, include_unreviewed=include_unreviewed,
                          data_dir=data_dir)
    if fmt == "pdf":
        from foresyte_desktop.report_pdf import write_pdf  # Qt's layout, only when asked for
        pages = f", {plural(write_pdf(report, path), 'page')}"
    else:
        write_html(report, path)
        pages = ""
    return f"Report of {plural(len(report.videos), 'video')} written to {path}{pages}."


class ReportDialog(QDialog):
    """What the report covers (the case, or the selected jobs) and whether it shows the items
    not reviewed yet."""

    def __init__(self, parent: QWidget, case: str | None, case_jobs: int, selected: int,
                 include_unreviewed: bool):
        super().__init__(parent)
        self.setWindowTitle("Export Report")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("The report covers:"))
        self.whole_case = QRadioButton(f"The case “{case}” ({plural(case_jobs, 'job')})")
        self.selected = QRadioButton(f"The selected {plural(selected, 'completed job')}")
        group = QButtonGroup(self)
        for button in (self.whole_case, self.selected):
            group.addButton(button)
            layout.addWidget(button)
        self.whole_case.setVisible(case is not None)
        self.selected.setEnabled(selected > 0)
        (self.whole_case if case is not None else self.selected).setChecked(True)
        self.unreviewed = QCheckBox("Include the items not reviewed yet (marked as such)")
        self.unreviewed.setChecked(include_unreviewed)
        layout.addWidget(self.unreviewed)
        layout.addWidget(QLabel("Rejected items are always left out; the edit log is its "
                                "appendix."))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton("Export…", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class ReportExport(QObject):
    def __init__(self, window: QMainWindow, library: Library, table: JobTableView,
                 cases: Cases, notice: NoticeBar, settings: QSettings):
        super().__init__(window)
        self.window, self.library, self.table, self.cases = window, library, table, cases
        self.notice, self.settings = notice, settings
        self.act_report = make_action(window, "Export Report…", self.export, "Ctrl+Alt+R",
                                      tip="A case report of the chosen case or the selected "
                                          "jobs: HTML or PDF, with the files' hashes")

    def update_actions(self) -> None:
        self.act_report.setEnabled(self.cases.current() is not None or any(
            j.status == "completed" for j in self.table.selected_jobs()))

    def export(self) -> None:
        case = self.cases.current()
        selected = [j.job_id for j in self.table.selected_jobs() if j.status == "completed"]
        if case is None and not selected:
            self._say("Select completed jobs, or choose a case over the job list, to report on.")
            return
        in_case = sum(1 for name in self.cases.of_job.values() if name == case)
        dialog = ReportDialog(self.window, case, in_case, len(selected),
                              self.settings.value("report/unreviewed", False, bool))
        if not dialog.exec():
            return
        whole = case is not None and dialog.whole_case.isChecked()
        include = dialog.unreviewed.isChecked()
        self.settings.setValue("report/unreviewed", include)
        fmt = self.settings.value("report/format", "html", str)
        folder = Path(self.settings.value("paths/export_dir", str(Path.home()), str))
        name = (case if whole else "report") or "report"
        answer = ask_save_path(self.window, "Export Report", folder, f"{name} report",
                               FILTERS, fmt if fmt in FILTERS else "html")
        if answer is None:
            return
        fmt, path = answer
        self.settings.setValue("report/format", fmt)
        self.settings.setValue("paths/export_dir", str(path.parent))
        self._say("Writing the report…", 0)
        self.library.call(write_report, [] if whole else selected, case if whole else None,
                          include, self.library.data_dir, fmt, path,
                          on_done=lambda message: self._say(message),
                          on_error=self._refused)

    def _refused(self, sentence: str) -> None:
        self._say(sentence)
        self.notice.show_lines("No report was written:", [sentence])

    def _say(self, message: str, timeout: int = 15000) -> None:
        self.window.statusBar().showMessage(message, timeout)
