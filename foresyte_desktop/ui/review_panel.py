"""The panel beside the viewer: the selected job's details (its error in full), its text segments
(click one to seek to it), and what was found on the frame on screen."""
from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView, QHeaderView, QLabel, QLineEdit, QScrollArea, QSplitter, QTreeWidget,
    QTreeWidgetItem, QVBoxLayout, QWidget,
)

from foresyte_desktop.core.model import FrameResult, Job
from foresyte_desktop.ui.formatting import local_time, plural, video_time
from foresyte_desktop.ui.frame_view import OCR_COLOR, class_color, detection_name
from foresyte_desktop.ui.icons import swatch_icon
from foresyte_desktop.ui.job_table import STATUS_TEXT, pipeline_label

FRAME_ROLE = Qt.ItemDataRole.UserRole + 1


def _section(title: str, body: QWidget, extra: QWidget | None = None) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(8, 6, 8, 4)
    layout.setSpacing(4)
    heading = QLabel(title)
    font = QFont(heading.font())
    font.setBold(True)
    heading.setFont(font)
    layout.addWidget(heading)
    if extra is not None:
        layout.addWidget(extra)
    layout.addWidget(body, 1)
    return box


class ReviewPanel(QSplitter):
    seek_requested = Signal(int)  # a frame index

    def __init__(self, parent: QWidget | None = None):
        super().__init__(Qt.Orientation.Vertical, parent)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        scroll = QScrollArea()
        scroll.setWidget(self.details)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)

        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter the text…")
        self.filter.setClearButtonEnabled(True)
        self.filter.setAcceptDrops(False)
        self.filter.textChanged.connect(self._apply_filter)
        self.segments = QTreeWidget()
        self.segments.setHeaderLabels(["From", "To", "Text"])
        self.segments.setRootIsDecorated(False)
        self.segments.setUniformRowHeights(True)
        self.segments.setAlternatingRowColors(True)
        self.segments.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.segments.header().setStretchLastSection(True)
        for col in (0, 1):
            self.segments.header().setSectionResizeMode(
                col, QHeaderView.ResizeMode.ResizeToContents)
        self.segments.itemClicked.connect(self._on_segment_clicked)
        self.segments.itemActivated.connect(self._on_segment_clicked)
        self.segments_title = QLabel()

        self.frame_items = QTreeWidget()
        self.frame_items.setHeaderLabels(["Found on this frame", "Confidence"])
        self.frame_items.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.frame_items.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.frame_items.header().setSectionResizeMode(
            1, QHeaderView.ResizeMode.ResizeToContents)
        self.frame_items.header().setStretchLastSection(False)
        self.frame_title = QLabel()

        self.addWidget(_section("Job", scroll))
        self.addWidget(_section("Text segments", self.segments, self.filter))
        self.addWidget(_section("This frame", self.frame_items, self.frame_title))
        self.setSizes([260, 330, 250])
        self.show_job(None)

    # -- the job ----------------------------------------------------------------------------

    def show_job(self, job: Job | None) -> None:
        if job is None:
            self.details.setText("<i>Select a job in the list to see its details.</i>")
            return
        path = Path(job.input_path)
        rows = [("File", html.escape(path.name)), ("Folder", html.escape(str(path.parent))),
                ("Pipeline", html.escape(pipeline_label(job))),
                ("Status", html.escape(STATUS_TEXT.get(job.status, job.status)))]
        if job.model_path:
            rows.append(("Model", html.escape(job.model_path)))
        if job.roi:
            x1, y1, x2, y2 = job.roi
            rows.append(("Text region", f"{x1:.0%}–{x2:.0%} across, {y1:.0%}–{y2:.0%} down "
                                        "(text is read only there)"))
        if job.frames_total is not None:
            rows.append(("Frames", f"{job.frames_done} of {job.frames_total} analysed"))
        rows.append(("Added", local_time(job.created_at)))
        if job.finished_at and job.ended:
            rows.append(("Finished", local_time(job.finished_at)))
        if job.resume_count:
            rows.append(("Resumed", plural(job.resume_count, "time")))
        if job.output_path and job.status == "completed":
            rows.append(("Results", html.escape(job.output_path)))
        text = ""
        if job.error_message:  # first: it is what the user needs to read
            color = "#d64541" if job.status == "failed" else "#b7791f"
            text += (f"<p style='color:{color}'><b>{'Error' if job.status == 'failed' else 'Note'}"
                     f":</b> {html.escape(job.error_message)}</p>")
        text += "<table cellspacing='2'>" + "".join(
            f"<tr><td style='color:palette(placeholder-text);padding-right:8px'>{k}</td>"
            f"<td>{v}</td></tr>" for k, v in rows) + "</table>"
        self.details.setText(text)

    def show_segments(self, segments: list[dict]) -> None:
        self.segments.setUpdatesEnabled(False)
        self.segments.clear()
        items = []
        for seg in segments:
            item = QTreeWidgetItem([video_time(seg["start_s"]), video_time(seg["end_s"]),
                                    seg["text"]])
            item.setData(0, FRAME_ROLE, seg["first_frame"])
            item.setToolTip(2, f"{seg['text']}\nframes {seg['first_frame']}–{seg['last_frame']}, "
                               f"confidence {seg['confidence']:.0%}")
            items.append(item)
        self.segments.addTopLevelItems(items)
        self._apply_filter(self.filter.text())
        self.segments.setUpdatesEnabled(True)

    def _apply_filter(self, text: str) -> None:
        needle = text.strip().lower()
        for n in range(self.segments.topLevelItemCount()):
            item = self.segments.topLevelItem(n)
            item.setHidden(bool(needle) and needle not in item.text(2).lower())

    def _on_segment_clicked(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        self.seek_requested.emit(int(item.data(0, FRAME_ROLE)))

    # -- the frame on screen ----------------------------------------------------------------

    def show_frame(self, index: int, result: FrameResult | None) -> None:
        tree = self.frame_items
        tree.clear()
        if result is None:
            self.frame_title.setText("No results for this frame (yet).")
            return
        note = "" if result.frame_index == index else \
            f" (from analysed frame {result.frame_index + 1})"
        self.frame_title.setText(f"{plural(len(result.ocr), 'text line')}, "
                                 f"{plural(len(result.detections), 'object')}{note}")
        for title, rows in (
                ("Text", [(line.text, line.confidence, OCR_COLOR.name()) for line in result.ocr]),
                ("Objects", [(detection_name(d), d.confidence, class_color(d.class_id).name())
                             for d in result.detections])):
            group = QTreeWidgetItem([f"{title} ({len(rows)})", ""])
            for label, confidence, color in rows:
                child = QTreeWidgetItem([label, f"{confidence:.0%}"])
                child.setIcon(0, swatch_icon(color))
                child.setToolTip(0, label)
                group.addChild(child)
            tree.addTopLevelItem(group)
            group.setExpanded(True)
