"""The job list: a table model over the store's jobs, kept current by signals, and its view,
which knows the current and the selected jobs.

The model is filled from the store once, at start; after that it changes row by row from the
queue's signals (a progress tick repaints one cell), so it never reloads the table. It sorts by
any column (queue order, the Added column, by default); a new job goes to its sorted place,
while a job that changes keeps its row, so rows never jump under the pointer.
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import (
    QAbstractTableModel, QEvent, QItemSelectionModel, QModelIndex,
    QPersistentModelIndex, QRect, Qt, QTimer,
)
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView, QHeaderView, QStyle, QStyledItemDelegate, QStyleOptionProgressBar,
    QStyleOptionViewItem, QTableView, QWidget,
)

from foresyte_desktop.core.formatting import duration, local_time
from foresyte_desktop.core.model import Job
from foresyte_desktop.core.pipelines import PIPELINES
from foresyte_desktop.core.review import Progress
from foresyte_desktop.ui.icons import STATUS_COLORS, status_icon

COLUMNS = ("File", "Pipeline", "Status", "Progress", "Review", "Added", "Finished")
FILE, PIPELINE, STATUS, PROGRESS, REVIEW, ADDED, FINISHED = range(len(COLUMNS))
JOB_ROLE = Qt.ItemDataRole.UserRole + 1       # the Job of the row
PERCENT_ROLE = Qt.ItemDataRole.UserRole + 2   # 0-100, or None while the frame count is unknown
STATUS_TEXT = {"pending": "Pending", "running": "Running", "completed": "Completed",
               "failed": "Failed", "cancelled": "Cancelled", "stopped": "Stopped"}
# The Status column's order when sorted by it: what needs a look first.
STATE_ORDER = ("running", "stopped", "pending", "failed", "cancelled", "completed")
FILE_MIN_CHARS = 28  # the File column keeps room for a name this long before others give way
LEAST_WIDTHS = {PIPELINE: 110, STATUS: 110, PROGRESS: 170, REVIEW: 90, ADDED: 80,
                FINISHED: 80}


def display_state(job: Job) -> str:
    """The job's store status, except that a pending job with frames done is "stopped": it
    was stopped (or cut short) to resume where it left off."""
    if job.status == "pending" and (job.frames_done or job.checkpoint_frame is not None):
        return "stopped"
    return job.status


def bar_colors(state: str) -> tuple[QColor, QColor]:
    """A progress bar's fill and the colour of the text drawn over it, for a display state."""
    return STATUS_COLORS.get(state, STATUS_COLORS["running"]), QColor("white")


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
        self._seq: dict[str, int] = {}  # queue order: ties in a sort keep it
        self._review: dict[str, Progress] = {}  # a completed job's review, where known
        self._sort = (ADDED, Qt.SortOrder.AscendingOrder)

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
        """How many jobs are in each display state."""
        return Counter(display_state(j) for j in self._jobs)

    def jobs(self) -> list[Job]:
        return list(self._jobs)

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
            return status_icon(display_state(job))
        if role == Qt.ItemDataRole.ToolTipRole:
            if job.error_message:  # the whole sentence, wherever the pointer rests on the row
                return job.error_message
            if col == REVIEW and job.job_id in self._review:
                p = self._review[job.job_id]
                return f"{p.text}; {p.added} added, {p.unreviewed} still to review"
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
            state = display_state(job)
            text = STATUS_TEXT.get(state, state)
            return text + " (with a warning)" if job.status == "completed" and \
                job.error_message else text
        if col == PROGRESS:
            return self._progress_text(job)
        if col == REVIEW:
            p = self._review.get(job.job_id) if job.status == "completed" else None
            return "" if p is None else p.text if p.total else "Nothing to review"
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
        self._seq = {j.job_id: n for n, j in enumerate(jobs)}
        self._jobs = sorted(jobs, key=self._key, reverse=self._descending())
        self._reindex()
        self._runs.clear()
        self.endResetModel()

    def upsert(self, jobs: list[Job]) -> None:
        """Add new jobs where the sort puts them; replace known ones in place."""
        for job in jobs:
            row = self._rows.get(job.job_id)
            if job.status != "running":
                self._runs.pop(job.job_id, None)
            elif job.job_id not in self._runs:
                self._runs[job.job_id] = _Run(began=time.monotonic())
            if row is None:
                self._seq[job.job_id] = len(self._seq)
                row = self._sorted_row(job)
                self.beginInsertRows(QModelIndex(), row, row)
                self._jobs.insert(row, job)
                self._reindex()
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

    def set_review(self, job_id: str, progress: Progress) -> None:
        """A completed job's review progress, for its Review column."""
        self._review[job_id] = progress
        row = self._rows.get(job_id)
        if row is not None:
            self._changed(row, REVIEW, REVIEW)

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
            self._reindex()
            self.endRemoveRows()

    def tick(self) -> None:
        """Repaint the progress of running jobs, whose elapsed time moves without new frames."""
        for job_id in self._runs:
            row = self._rows.get(job_id)
            if row is not None:
                self._changed(row, PROGRESS, PROGRESS)

    def _changed(self, row: int, first: int, last: int) -> None:
        self.dataChanged.emit(self.index(row, first), self.index(row, last))

    # -- sorting ----------------------------------------------------------------------------

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        ids = [self._jobs[i.row()].job_id for i in old]
        self._jobs.sort(key=self._key, reverse=self._descending())
        self._reindex()
        self.changePersistentIndexList(
            old, [self.index(self._rows[job_id], i.column()) for i, job_id in zip(old, ids)])
        self.layoutChanged.emit()

    def _descending(self) -> bool:
        return self._sort[1] == Qt.SortOrder.DescendingOrder

    def _key(self, job: Job) -> tuple:
        col = self._sort[0]
        if col == FILE:
            key = Path(job.input_path).name.casefold()
        elif col == PIPELINE:
            key = pipeline_label(job, short=True).casefold()
        elif col == STATUS:
            key = STATE_ORDER.index(display_state(job)) if display_state(job) in STATE_ORDER \
                else len(STATE_ORDER)
        elif col == PROGRESS:
            key = _percent(job) if _percent(job) is not None else -1
        elif col == REVIEW:  # the least reviewed first
            p = self._review.get(job.job_id) if job.status == "completed" else None
            key = (p.total - p.unreviewed) / p.total if p and p.total else 2.0
        elif col == FINISHED:  # jobs still to finish sort after every finished one
            key = job.finished_at.timestamp() if job.ended and job.finished_at else float("inf")
        else:
            key = job.created_at.timestamp()
        return key, self._seq.get(job.job_id, len(self._seq))

    def _sorted_row(self, job: Job) -> int:
        key, descending = self._key(job), self._descending()
        return next((n for n, other in enumerate(self._jobs)
                     if (self._key(other) < key if descending else self._key(other) > key)),
                    len(self._jobs))

    def _reindex(self) -> None:
        self._rows = {j.job_id: n for n, j in enumerate(self._jobs)}


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
        fill, text = bar_colors(display_state(job))
        bar.palette.setColor(QPalette.ColorRole.Highlight, fill)
        bar.palette.setColor(QPalette.ColorRole.HighlightedText, text)
        bar.minimum, bar.maximum = 0, 100
        bar.progress = percent if percent is not None else 0
        bar.text = option.fontMetrics.elidedText(index.data(Qt.ItemDataRole.DisplayRole) or "",
                                                 Qt.TextElideMode.ElideRight,
                                                 bar.rect.width() - 8)  # one line, never two
        bar.textVisible = True
        bar.textAlignment = Qt.AlignmentFlag.AlignCenter
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter, widget)


class JobTableView(QTableView):
    """The job table, with a helpful empty state and a highlight while files are dragged over.

    The File column takes the room left, and keeps enough for a name of FILE_MIN_CHARS: when
    the table narrows (the Find panel opens), the other columns give way first, down to their
    least widths; only then does a horizontal scroll bar appear. A column the user widens or
    narrows keeps that width as the one it returns to.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.drop_highlight = False
        self.preferred = {PIPELINE: 230, STATUS: 170, PROGRESS: 360, REVIEW: 200, ADDED: 110,
                          FINISHED: 110}
        self._fitting = False
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
        header.setMinimumSectionSize(min(LEAST_WIDTHS.values()))
        for col in range(len(COLUMNS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
        header.sectionResized.connect(self._on_section_resized)
        header.setSortIndicator(ADDED, Qt.SortOrder.AscendingOrder)  # queue order
        self.setSortingEnabled(True)
        model.rowsInserted.connect(self.viewport().update)
        model.rowsRemoved.connect(self.viewport().update)
        model.modelReset.connect(self.viewport().update)
        self.fit_columns()

    def file_min_width(self) -> int:
        return self.fontMetrics().averageCharWidth() * FILE_MIN_CHARS + 24

    def fit_columns(self) -> None:
        """Give the columns other than File their preferred widths, less what File needs, and
        File the rest."""
        width = self.viewport().width()
        room = width - self.file_min_width()
        want, least = sum(self.preferred.values()), sum(LEAST_WIDTHS.values())
        share = 1.0 if room >= want else max(0.0, (room - least) / max(1, want - least))
        self._fitting = True
        try:
            for col, wanted in self.preferred.items():
                low = min(LEAST_WIDTHS[col], wanted)
                # Rounded down, so the columns never overflow by a pixel: a scroll bar that
                # came and went would change the width again, and again.
                self.setColumnWidth(col, int(low + (wanted - low) * share))
            others = sum(self.columnWidth(c) for c in self.preferred)
            self.setColumnWidth(FILE, max(self.file_min_width(), width - others))
        finally:
            self._fitting = False

    def _on_section_resized(self, col: int, _old: int, new: int) -> None:
        if not self._fitting and col in self.preferred:  # the user dragged a column's edge
            self.preferred[col] = new

    def viewportEvent(self, event) -> bool:
        if event.type() == QEvent.Type.Resize:
            if event.size().width() != event.oldSize().width():  # a window, dock, scroll bar
                self.fit_columns()
            if event.size().height() < event.oldSize().height():  # a notice above took room:
                QTimer.singleShot(0, self._keep_current_in_view)  # once the scroll bars know
        return super().viewportEvent(event)

    def _keep_current_in_view(self) -> None:
        if self.currentIndex().isValid():
            self.scrollTo(self.currentIndex())

    def scroll_to_job(self, job_id: str) -> None:
        row = self.model().row_of(job_id)
        if row is not None:
            self.scrollTo(self.model().index(row, FILE),
                          QAbstractItemView.ScrollHint.EnsureVisible)

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
