"""Finding text across every job: a search box and its hits, grouped by video (two jobs on one
file told apart by their settings and the time they were added), each matching line with its
time, its text and a thumbnail of the frame it was read on with the line outlined. Down goes
from the box into the hits; Enter or a double-click opens one. The analyst's bookmarks and notes
that hold the words are listed first, under Notes. With a case chosen over the job list, the
search can be kept to its videos.

Searching and thumbnails run in the library's search lane, so typing never waits on the store
or on decoding a frame; the search index is loaded there once when the panel is made.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QCheckBox, QLabel, QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)

from foresyte_desktop.core import search
from foresyte_desktop.core.formatting import local_time, plural, video_time
from foresyte_desktop.core.model import Job
from foresyte_desktop.ui.frame_view import bgr_to_qimage
from foresyte_desktop.ui.job_table import pipeline_label
from foresyte_desktop.workers.library import Library

TYPING_PAUSE_MS = 250  # search once the typing stops this long
THUMB_WIDTH = 120
HIT_ROLE = Qt.ItemDataRole.UserRole
NOTE_HIT_ROLE = Qt.ItemDataRole.UserRole + 1


def job_settings(job: Job) -> str:
    """"Text · every 2nd frame · text region · added 09:12": what sets a job apart from
    another on the same file."""
    parts = [pipeline_label(job, short=True)]
    if job.roi:
        parts.append("text region")
    if job.model_path:
        parts.append(Path(job.model_path).name)
    return " · ".join(parts) + f" · added {local_time(job.created_at)}"


class SearchPanel(QWidget):
    """`hit_activated(job_id, frame_index, box)` fires when a hit is double-clicked (or Enter):
    the frame its line was read on and the line's box there."""

    hit_activated = Signal(str, int, object)

    def __init__(self, library: Library, parent: QWidget | None = None):
        super().__init__(parent)
        self.library = library
        self.job_of: Callable[[str], Job | None] = lambda _job_id: None
        self.case_of: Callable[[], str | None] = lambda: None  # the case chosen, if any
        self._generation = 0  # bumped per search, so late results and thumbnails are dropped
        self.box = QLineEdit()
        self.box.setPlaceholderText("Find text in every video…")
        self.box.setClearButtonEnabled(True)
        self.box.installEventFilter(self)
        self.summary = QLabel()
        self.in_case = QCheckBox()
        self.in_case.setToolTip("Search only the videos of the case chosen over the job list")
        self.in_case.hide()
        self.in_case.toggled.connect(self.run_search)
        self.hits = QTreeWidget()
        self.hits.setHeaderLabels(["Time", "Text"])
        self.hits.setIconSize(QSize(THUMB_WIDTH, THUMB_WIDTH * 9 // 16))
        self.hits.setUniformRowHeights(False)
        self.hits.setColumnWidth(0, THUMB_WIDTH + 100)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(TYPING_PAUSE_MS)
        self.timer.timeout.connect(self.run_search)
        self.box.textChanged.connect(self.timer.start)
        self.box.returnPressed.connect(self.run_search)
        self.hits.itemActivated.connect(self._on_activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.box)
        layout.addWidget(self.in_case)
        layout.addWidget(self.summary)
        layout.addWidget(self.hits, 1)
        library.prepare_search(on_error=self.summary.setText)

    def sizeHint(self) -> QSize:
        return QSize(THUMB_WIDTH + 340, 600)

    def eventFilter(self, watched, event) -> bool:
        # Down in the box: on to the hits, the first one (or the one chosen before) current.
        if watched is self.box and event.type() == QEvent.Type.KeyPress and \
                event.key() == Qt.Key.Key_Down and self.hits.topLevelItemCount():
            current = self.hits.currentItem()
            if current is None or current.parent() is None:
                current = self.hits.topLevelItem(0).child(0) or self.hits.topLevelItem(0)
            self.hits.setCurrentItem(current)
            self.hits.setFocus(Qt.FocusReason.TabFocusReason)
            return True
        return super().eventFilter(watched, event)

    def focus_box(self) -> None:
        self.box.setFocus()
        self.box.selectAll()

    def set_case(self, case: str | None) -> None:
        """The case chosen over the job list (None: none): offered as the search's scope."""
        self.in_case.setVisible(case is not None)
        if case is not None:
            self.in_case.setText(f"Only in the case “{case}”")
        if self.box.text().strip():
            self.run_search()

    def scope(self) -> str | None:
        case = self.case_of()
        return case if case is not None and self.in_case.isChecked() else None

    def run_search(self) -> None:
        self.timer.stop()
        self._generation += 1
        generation, text = self._generation, self.box.text()
        if not search.words(text):
            self._show(generation, ([], []))
            return
        self.summary.setText("Searching…")
        self.library.search(text, on_done=lambda found: self._show(generation, found),
                            on_error=self.summary.setText, case=self.scope())

    def _show(self, generation: int, found: tuple[list[search.SearchHit], list]) -> None:
        if generation != self._generation:
            return
        hits, note_hits = found
        self.hits.clear()
        if note_hits:
            group = QTreeWidgetItem(["Notes", plural(len(note_hits), "note")])
            for hit in note_hits:
                name = Path(hit.video_path).name
                item = QTreeWidgetItem([video_time(hit.note["time_s"]),
                                        f"{hit.note['text']} ({name})"])
                item.setData(0, NOTE_HIT_ROLE, hit)
                item.setToolTip(1, f"{hit.note['text']}\n{name}, frame {hit.note['frame'] + 1}, "
                                   f"by {hit.note['by']}")
                group.addChild(item)
            self.hits.addTopLevelItem(group)
            group.setExpanded(True)
        groups = search.group_by_video(hits)
        names = Counter(Path(path).name for _, path, _ in groups)
        for job_id, path, group in groups:
            job = self.job_of(job_id)
            settings = job_settings(job) if job is not None else ""
            name = Path(path).name
            count = plural(len(group), "hit")
            video = QTreeWidgetItem([name, f"{count} · {settings}" if names[name] > 1 and
                                     settings else count])
            video.setToolTip(0, "\n".join(filter(None, [path, settings])))
            video.setToolTip(1, video.toolTip(0))
            for hit in group:
                item = QTreeWidgetItem([video_time(hit.time_s), hit.text])
                item.setData(0, HIT_ROLE, hit)
                item.setToolTip(1, hit.text + (f" (on {hit.label})" if hit.label else "") +
                                f"\non screen {video_time(hit.start_s)}–{video_time(hit.end_s)}"
                                f", read at {video_time(hit.time_s)}")
                video.addChild(item)
                self.library.thumbnail(hit, on_done=lambda image, i=item: self._set_thumbnail(
                    generation, i, image))
            self.hits.addTopLevelItem(video)
            video.setExpanded(True)
        text = self.box.text().strip()
        summary = f"{plural(len(hits), 'hit')} in {plural(len(groups), 'video')}"
        if note_hits:
            summary += f", {plural(len(note_hits), 'note')}"
        self.summary.setText(summary if text else "")

    def _set_thumbnail(self, generation: int, item: QTreeWidgetItem, image) -> None:
        if generation == self._generation:
            item.setIcon(0, QIcon(QPixmap.fromImage(bgr_to_qimage(image))))

    def _on_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        if item.parent() is None and item.childCount():  # a video: its first hit
            item = item.child(0)
        hit = item.data(0, HIT_ROLE)
        if hit is not None:
            self.hit_activated.emit(hit.job_id, hit.frame_index, hit.box)
        note = item.data(0, NOTE_HIT_ROLE)
        if note is not None:
            self.hit_activated.emit(note.job_id, note.note["frame"], None)
