"""Finding text across every job: a search box and its hits, grouped by video, each with its
time, its text and a thumbnail of the frame with the line outlined.

Searching and thumbnails run in the library's search lane, so typing never waits on the store
or on decoding a frame; the search index is loaded there once when the panel is made.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QLabel, QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from foresyte_desktop.core import search
from foresyte_desktop.core.formatting import plural, video_time
from foresyte_desktop.ui.frame_view import bgr_to_qimage
from foresyte_desktop.workers.library import Library

TYPING_PAUSE_MS = 250  # search once the typing stops this long
THUMB_WIDTH = 120
HIT_ROLE = Qt.ItemDataRole.UserRole


class SearchPanel(QWidget):
    """`hit_activated(job_id, frame_index)` fires when a hit is double-clicked (or Enter)."""

    hit_activated = Signal(str, int)

    def __init__(self, library: Library, parent: QWidget | None = None):
        super().__init__(parent)
        self.library = library
        self._generation = 0  # bumped per search, so late results and thumbnails are dropped
        self.box = QLineEdit()
        self.box.setPlaceholderText("Find text in every video…")
        self.box.setClearButtonEnabled(True)
        self.summary = QLabel()
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
        layout.addWidget(self.summary)
        layout.addWidget(self.hits, 1)
        library.prepare_search(on_error=self.summary.setText)

    def sizeHint(self) -> QSize:
        return QSize(THUMB_WIDTH + 340, 600)

    def focus_box(self) -> None:
        self.box.setFocus()
        self.box.selectAll()

    def run_search(self) -> None:
        self.timer.stop()
        self._generation += 1
        generation, text = self._generation, self.box.text()
        if not search.words(text):
            self._show(generation, [])
            return
        self.summary.setText("Searching…")
        self.library.search(text, on_done=lambda hits: self._show(generation, hits),
                            on_error=self.summary.setText)

    def _show(self, generation: int, hits: list[search.SearchHit]) -> None:
        if generation != self._generation:
            return
        self.hits.clear()
        groups = search.group_by_video(hits)
        for _job_id, path, group in groups:
            video = QTreeWidgetItem([Path(path).name, plural(len(group), "hit")])
            video.setToolTip(0, path)
            for hit in group:
                item = QTreeWidgetItem([video_time(hit.time_s), hit.text])
                item.setData(0, HIT_ROLE, hit)
                item.setToolTip(1, hit.text + (f" (on {hit.label})" if hit.label else ""))
                video.addChild(item)
                self.library.thumbnail(hit, on_done=lambda image, i=item: self._set_thumbnail(
                    generation, i, image))
            self.hits.addTopLevelItem(video)
            video.setExpanded(True)
        text = self.box.text().strip()
        self.summary.setText(f"{plural(len(hits), 'hit')} in {plural(len(groups), 'video')}"
                             if text else "")

    def _set_thumbnail(self, generation: int, item: QTreeWidgetItem, image) -> None:
        if generation == self._generation:
            item.setIcon(0, QIcon(QPixmap.fromImage(bgr_to_qimage(image))))

    def _on_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        hit = item.data(0, HIT_ROLE)
        if hit is not None:
            self.hit_activated.emit(hit.job_id, hit.frame_index)
