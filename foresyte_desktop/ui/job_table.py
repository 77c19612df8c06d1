"""The job list: a table model over the store's jobs, kept current by signals, and its view,
which knows the current and the selected jobs.

The model is filled from the store once, at start; after that it changes row by row from the
queue's signals (a progress tick repaints one cell), so it never reloads the table.
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import (
    QAbstractTableModel, QItemSelectionModel, QModelIndex, QPersistentModelIndex, QRect, Qt,
)
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView, QHeaderView, QStyle, QStyledItemDelegate, QStyleOptionProgressBar,
    QStyleOptionViewItem, QTableView, QWidget,
)

from foresyte_desktop.core.formatting import duration, local_time
from foresyte_desktop.core.model import Job
from foresyte_desktop.core.pipelines import PIPELINES
from foresyte_desktop.ui.icons import STATUS_COLORS, status_icon

COLUMNS = ("File", "Pipeline", "Status", "Progress", "Added", "Finished")
FILE, PIPELINE, STATUS, PROGRESS, ADDED, FINISHED = range(len(COLUMNS))
JOB_ROLE = Qt.ItemDataRole.UserRole + 1       # the Job of the row
PERCENT_ROLE = Qt.ItemDataRole.UserRole + 2   # 0-100, or None while the frame count is unknown
STATUS_TEXT = {"pending": "Pending", "running": "Running", "completed": "Completed",
               "failed": "Failed", "cancelled": "Cancelled"}


@dataclass
class _Run:
    """What the window saw of a job's current run, for elapsed time and ETA."""
    began: float  # monotonic time the run started
    first_done: int | None = None  # frames done at the first progress report
    first_at: float = 0.0
    cancelling: bool = False


def pipeline_label(job: Job, *, short: bool = False) -> str:
    """"Text (OCR) · every 5th frame"; `short` drops the parenthesis, for the table."""
    cls = PIPELINES.get(job.pipeline_id)
    label = cls.label if cls else job.pipeline_id
    if short:
        label = label.split(" (")[0]
    if job.frame_stride > 1:
        label += f" · every {_ordinal(job.frame_stride)} frame"
    if job.max_frames:
        label += f" · max {job.max_frames}"
    return label


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class JobTableModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._jobs: list[Job] = []
        self._rows: dict[str, int] = {}
        self._runs: dict[str, _Run] = {}

    # -- reading ----------------------------------------------------------------------------

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._jobs)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def job_at(self, row: int) -> Job:
        return self._jobs[row]

    def row_of(self, job_id: str) -> int | None:
        return self._rows.get(job_id)

    def counts(self) -> Counter:
        return Counter(j.status for j in self._jobs)

    def is_cancelling(self, job_id: str) -> bool:
        run = self._runs.get(job_id)
        return bool(run and run.cancelling)

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        job = self._jobs[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(job, col)
        if role == JOB_ROLE:
            return job
        if role == PERCENT_ROLE:
            return _percent(job)
        if role == Qt.ItemDataRole.DecorationRole and col == STATUS:
            return status_icon(job.status)
        if role == Qt.ItemDataRole.ToolTipRole:
            if job.error_message:  # the whole sentence, wherever the pointer rests on the row
                return job.error_message
            return {FILE: job.input_path, PIPELINE: pipeline_label(job)}.get(col)
        return None

    def _display(self, job: Job, col: int) -> str | None:
        if col == FILE:
            return Path(job.input_path).name
        if col == PIPELINE:
            return pipeline_label(job, short=True)
        if col == STATUS:
            if self.is_cancelling(job.job_id) and job.status == "running":
                return "Cancelling…"
            text = STATUS_TEXT.get(job.status, job.status)
            return text + " (with a warning)" if job.status == "completed" and \
                job.error_message else text
        if col == PROGRESS:
            return self._progress_text(job)
        if col == ADDED:
            return local_time(job.created_at)
        if col == FINISHED:
            return local_time(job.finished_at) if job.ended else ""
        return None

    def _progress_text(self, job: Job) -> str:
        done, total = job.frames_done, job.frames_total
        if total is None:
            return {"running": "Starting…", "pending": "Waiting"}.get(job.status,
                                                                       "No frames analysed")
        parts = [f"{done}/{total} frames", f"{_percent(job)}%"]
        run = self._runs.get(job.job_id)
        if job.status == "running" and run:
            now = time.monotonic()
            parts.append(f"{duration(now - run.began)} elapsed")
            parts.append(f"ETA {_eta(run, done, total, now)}")
        elif job.status == "completed" and job.started_at and job.finished_at:
            parts.append(f"took {duration((job.finished_at - job.started_at).total_seconds())}")
        elif job.status == "pending" and done:
            parts.append("resumes where it stopped")
        return " · ".join(parts)

    # -- changes ----------------------------------------------------------------------------

    def set_jobs(self, jobs: list[Job]) -> None:
        """Fill the model once, at start."""
        self.beginResetModel()
        self._jobs = list(jobs)
        self._rows = {j.job_id: n for n, j in enumerate(self._jobs)}
        self._runs.clear()
        self.endResetModel()

    def upsert(self, jobs: list[Job]) -> None:
        """Add new jobs at the end; replace known ones in place."""
        for job in jobs:
            row = self._rows.get(job.job_id)
            if job.status != "running":
                self._runs.pop(job.job_id, None)
            elif job.job_id not in self._runs:
                self._runs[job.job_id] = _Run(began=time.monotonic())
            if row is None:
                row = len(self._jobs)
                self.beginInsertRows(QModelIndex(), row, row)
                self._jobs.append(job)
                self._rows[job.job_id] = row
                self.endInsertRows()
            else:
                self._jobs[row] = job
                self._changed(row, 0, len(COLUMNS) - 1)

    def set_progress(self, job_id: str, done: int, total: int) -> None:
        row = self._rows.get(job_id)
        if row is None:
            return
        job = self._jobs[row]
        job.frames_done, job.frames_total = done, total
        run = self._runs.get(job_id)
        if run and run.first_done is None:
            run.first_done, run.first_at = done, time.monotonic()
        self._changed(row, PROGRESS, PROGRESS)

    def set_cancelling(self, job_id: str) -> None:
        run = self._runs.get(job_id)
        row = self._rows.get(job_id)
        if run and row is not None:
            run.cancelling = True
            self._changed(row, STATUS, STATUS)

    def remove(self, job_ids: list[str]) -> None:
        for job_id in job_ids:
            row = self._rows.get(job_id)
            if row is None:
                continue
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._jobs[row]
            self._runs.pop(job_id, None)
            self._rows = {j.job_id: n for n, j in enumerate(self._jobs)}
            self.endRemoveRows()

    def tick(self) -> None:
        """Repaint the progress of running jobs, whose elapsed time moves without new frames."""
        for job_id in self._runs:
            row = self._rows.get(job_id)
            if row is not None:
                self._changed(row, PROGRESS, PROGRESS)

    def _changed(self, row: int, first: int, last: int) -> None:
        self.dataChanged.emit(self.index(row, first), self.index(row, last))


def _percent(job: Job) -> int | None:
    if not job.frames_total:
        return 100 if job.status == "completed" else None
    return min(100, 100 * job.frames_done // job.frames_total)


def _eta(run: _Run, done: int, total: int, now: float) -> str:
    if run.first_done is None or done <= run.first_done or now <= run.first_at:
        return "—"
    rate = (done - run.first_done) / (now - run.first_at)
    return duration((total - done) / rate)


class ProgressDelegate(QStyledItemDelegate):
    """Draws the progress column as a bar, coloured by the job's status."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        widget = option.widget
        style = widget.style() if widget else None
        if style is None:
            return super().paint(painter, option, index)
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, widget)
        job: Job = index.data(JOB_ROLE)
        percent = index.data(PERCENT_ROLE)
        if percent is None:  # nothing analysed yet (waiting, or failed at once): words only
            painter.save()
            painter.setPen(option.palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(option.rect, Qt.AlignmentFlag.AlignCenter,
                             index.data(Qt.ItemDataRole.DisplayRole) or "")
            painter.restore()
            return
        bar = QStyleOptionProgressBar()
        bar.rect = option.rect.adjusted(3, 3, -3, -3)
        bar.state = option.state | QStyle.StateFlag.State_Horizontal
        bar.direction = option.direction
        bar.fontMetrics = option.fontMetrics
        bar.palette = QPalette(option.palette)
        bar.palette.setColor(QPalette.ColorRole.Highlight, STATUS_COLORS.get(
            job.status, STATUS_COLORS["running"]) if job.status != "pending" else QColor("#9aa5b1"))
        bar.minimum, bar.maximum = 0, 100
        bar.progress = percent if percent is not None else 0
        bar.text = index.data(Qt.ItemDataRole.DisplayRole) or ""
        bar.textVisible = True
        bar.textAlignment = Qt.AlignmentFlag.AlignCenter
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter, widget)


class JobTableView(QTableView):
    """The job table, with a helpful empty state and a highlight while files are dragged over."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.drop_highlight = False
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(30)
        self.setItemDelegateForColumn(PROGRESS, ProgressDelegate(self))

    def setModel(self, model) -> None:
        super().setModel(model)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(FILE, QHeaderView.ResizeMode.Stretch)
        for col, width in ((PIPELINE, 230), (STATUS, 170), (PROGRESS, 360), (ADDED, 110),
                           (FINISHED, 110)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            self.setColumnWidth(col, width)
        model.rowsInserted.connect(self.viewport().update)
        model.rowsRemoved.connect(self.viewport().update)
        model.modelReset.connect(self.viewport().update)

    def current_job(self) -> Job | None:
        index = self.currentIndex()
        return self.model().job_at(index.row()) if index.isValid() else None

    def selected_jobs(self) -> list[Job]:
        """The selected rows' jobs, or the current one when no row is selected."""
        rows = sorted({i.row() for i in self.selectionModel().selectedRows()})
        if not rows:
            current = self.current_job()
            return [current] if current else []
        return [self.model().job_at(r) for r in rows]

    def select_job(self, job_id: str) -> None:
        row = self.model().row_of(job_id)
        if row is not None:
            self.selectionModel().setCurrentIndex(
                self.model().index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect |
                QItemSelectionModel.SelectionFlag.Rows)

    def set_drop_highlight(self, on: bool) -> None:
        self.drop_highlight = on
        self.viewport().update()

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        empty = self.model() is None or self.model().rowCount() == 0
        if not (empty or self.drop_highlight):
            return
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = self.viewport().rect().adjusted(12, 12, -12, -12)
        accent = self.palette().color(QPalette.ColorRole.Highlight)
        muted = self.palette().color(QPalette.ColorRole.PlaceholderText)
        painter.setPen(QPen(accent if self.drop_highlight else muted, 2, Qt.PenStyle.DashLine))
        painter.drawRoundedRect(area, 10, 10)
        if not empty:
            return
        title = QFont(self.font())
        title.setPointSizeF(title.pointSizeF() * 1.6)
        title.setBold(True)
        painter.setFont(title)
        painter.setPen(self.palette().color(QPalette.ColorRole.Text))
        middle = area.center().y()
        painter.drawText(QRect(area.left(), middle - 44, area.width(), 40),
                         Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                         "Drop MP4 files here")
        painter.setFont(self.font())
        painter.setPen(muted)
        painter.drawText(QRect(area.left(), middle + 4, area.width(), 48),
                         Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                         "Videos and whole folders are welcome. Or choose File ▸ Add Videos… "
                         "(Ctrl+O).\nNew here? Help ▸ Open Sample Video runs a short example.")
