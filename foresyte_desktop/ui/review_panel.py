"""The panel beside the viewer: the selected job's details (its error in full), its text segments
(click one to seek to it; those on screen are selected and scrolled to), its tracked objects
(click one to follow it), and what was found on the frame on screen.

For a completed job it shows the review: a progress bar, each item's state (an icon; rejected
ones struck through; corrected ones in italics with a pen, the machine's reading in the
tooltip), filters for the unreviewed items and for the lowest confidence first, and a segment's
text edited in place (F2 or a double-click)."""
from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QBrush, QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QProgressBar,
    QScrollArea, QSplitter, QTabWidget, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)

from foresyte_desktop.core.formatting import local_time, plural, video_time
from foresyte_desktop.core.model import FrameResult, Job
from foresyte_desktop.ui.follow_bar import track_summary, track_title
from foresyte_desktop.ui.frame_view import OCR_COLOR, class_color, detection_name
from foresyte_desktop.ui.icons import pen_icon, review_icon, swatch_icon
from foresyte_desktop.ui.job_table import STATUS_TEXT, display_state, pipeline_label

FRAME_ROLE = Qt.ItemDataRole.UserRole + 1
TRACK_ROLE = Qt.ItemDataRole.UserRole + 2
SEGMENT_ROLE = Qt.ItemDataRole.UserRole + 3  # a reviewed segment's id
STATE_ROLE = Qt.ItemDataRole.UserRole + 4  # a reviewed item's review_state
NOTE_ROLE = Qt.ItemDataRole.UserRole + 5  # a note's id
TEXT_TAB, OBJECTS_TAB, NOTES_TAB = range(3)
TEXT_COLUMN = 2
SHOW_ALL, SHOW_UNREVIEWED, LOWEST_CONFIDENCE = range(3)
SHOW_CHOICES = ("All items", "Unreviewed only", "Lowest confidence first")
STATE_TIPS = {"unreviewed": "Not reviewed yet", "verified": "Verified",
              "rejected": "Rejected: left out of the exports", "added": "Added by the analyst"}


def _list(headers: list[str]) -> QTreeWidget:
    """A flat list of rows; its last column takes the room left."""
    tree = QTreeWidget()
    tree.setHeaderLabels(headers)
    tree.setRootIsDecorated(False)
    tree.setUniformRowHeights(True)
    tree.setAlternatingRowColors(True)
    tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    tree.header().setStretchLastSection(True)
    for col in range(len(headers) - 1):
        tree.header().setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
    return tree


def _section(title: str, body: QWidget, extra: QWidget | None = None,
             beside_title: QWidget | None = None) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(8, 6, 8, 4)
    layout.setSpacing(4)
    heading = QLabel(title)
    font = QFont(heading.font())
    font.setBold(True)
    heading.setFont(font)
    if beside_title is None:
        layout.addWidget(heading)
    else:  # on the title's line: no height of its own in a short window
        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(heading)
        row.addWidget(beside_title, 1)
        layout.addLayout(row)
    if extra is not None:
        layout.addWidget(extra)
    layout.addWidget(body, 1)
    return box


def _mark_review(item: QTreeWidgetItem, it: dict, text_column: int, what: str) -> None:
    """Show a reviewed item's state on its row: the state's icon, struck through when
    rejected, italics and a pen where the analyst changed it, and what the machine read."""
    state = it.get("review_state")
    if state is None:  # a running job: nothing reviewed
        return
    state_column = 0 if text_column == TEXT_COLUMN else 1  # a track's first has its colour
    item.setIcon(state_column, review_icon(state))
    item.setToolTip(state_column, STATE_TIPS[state])
    edited = "edited_at" in it and it.get("machine_text") != it.get("text")
    for col in range(item.columnCount()):
        font = QFont(item.font(col))
        font.setStrikeOut(state == "rejected")
        font.setItalic(edited or state == "added")
        item.setFont(col, font)
        if state == "rejected":
            item.setForeground(col, QBrush(QPalette().color(QPalette.ColorRole.PlaceholderText)))
    if edited or state == "added":
        item.setIcon(text_column, pen_icon())
        machine = it.get("machine_text")
        read = f"The machine read “{machine}”." if machine else "The machine read nothing here."
        item.setToolTip(text_column, f"{it['text']}\n{read} (corrected {what})")


class ReviewPanel(QSplitter):
    seek_requested = Signal(int)   # a frame index
    track_requested = Signal(int)  # a track id to follow
    text_edited = Signal(int, str)  # a segment's id and the text typed in its row

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
        self.filter.setPlaceholderText("Filter the text, objects and notes…")
        self.filter.setClearButtonEnabled(True)
        self.filter.setAcceptDrops(False)
        self.filter.textChanged.connect(self._apply_filter)
        self.show_choice = QComboBox()
        self.show_choice.addItems(SHOW_CHOICES)
        self.show_choice.setToolTip("Which items to list, and in what order")
        self.show_choice.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # In a narrow panel the choice is cut short before the panel widens the window.
        self.show_choice.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.show_choice.setMinimumContentsLength(9)
        self.show_choice.currentIndexChanged.connect(self._on_show_choice)
        self.review_bar = QProgressBar()
        self.review_bar.setTextVisible(True)
        self.review_bar.setToolTip("How far the review of this job is: every text segment and "
                                   "object verified, rejected or added")
        self.review_bar.hide()
        self.segments = _list(["From", "To", "Text"])
        self.segments.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.segments.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.segments.itemChanged.connect(self._on_item_changed)
        self.editable = False  # a completed job's segments can be corrected in place
        self._segment_items: list[dict] = []  # as last shown, in reading order
        self._listed: list[dict] = []  # and in the order the list shows them
        self._track_items: list[dict] = []
        self._spans: list[tuple[int, int]] = []  # each segment's first and last frame
        self._on_screen: list[int] = []  # the rows of the segments on the frame shown
        self._frame: int | None = None  # the analysed frame shown
        self.segments.itemClicked.connect(self._on_segment_clicked)
        self.segments.itemActivated.connect(self._on_segment_clicked)
        self.tracks = _list(["Object", "From", "To", "Reads"])
        self.tracks.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tracks.setToolTip("Objects followed from frame to frame; click one to follow it")
        self.tracks.itemClicked.connect(self._on_track_clicked)
        self.tracks.itemActivated.connect(self._on_track_clicked)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.notes = _list(["At", "On", "Note"])
        self.notes.setToolTip("Bookmarks (Ctrl+B) and notes (Ctrl+Shift+B); click one to go "
                              "to its frame")
        self.notes.itemClicked.connect(self._on_note_clicked)
        self.notes.itemActivated.connect(self._on_note_clicked)
        self._note_items: list[dict] = []
        self.tabs.addTab(self.segments, "Text")
        self.tabs.addTab(self.tracks, "Objects")
        self.tabs.addTab(self.notes, "Notes")

        self.frame_items = QTreeWidget()
        self.frame_items.setHeaderLabels(["Found on this frame", "Confidence"])
        self.frame_items.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.frame_items.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.frame_items.header().setSectionResizeMode(
            1, QHeaderView.ResizeMode.ResizeToContents)
        self.frame_items.header().setStretchLastSection(False)
        self.frame_items.setToolTip("Click a tracked object to follow it")
        self.frame_items.itemClicked.connect(self._on_track_clicked)
        self.frame_title = QLabel()

        self.addWidget(_section("Job", scroll))
        tools = QWidget()
        row = QHBoxLayout(tools)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.filter, 1)
        row.addWidget(self.show_choice)
        self.review_bar.setMaximumHeight(self.filter.sizeHint().height())
        self.addWidget(_section("Found in the video", self.tabs, tools, self.review_bar))
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
                ("Status", html.escape(STATUS_TEXT[display_state(job)]))]
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

    def show_review(self, view) -> None:
        """A completed job's ReviewView (its progress and notes), or None: no review to
        show."""
        self.editable = view is not None
        self.show_notes(view.notes if view is not None else [])
        self.segments.setEditTriggers(
            QAbstractItemView.EditTrigger.EditKeyPressed |
            QAbstractItemView.EditTrigger.DoubleClicked if self.editable else
            QAbstractItemView.EditTrigger.NoEditTriggers)
        self.review_bar.setVisible(view is not None)
        if view is None:
            return
        p = view.progress
        self.review_bar.setRange(0, max(1, p.total))
        self.review_bar.setValue(p.total - p.unreviewed)
        extra = f", {p.added} added" if p.added else ""
        self.review_bar.setFormat(f"{p.text}{extra}" if p.total else "Nothing to review")

    def show_segments(self, segments: list[dict]) -> None:
        self._segment_items = list(segments)
        self._fill_segments()

    def _fill_segments(self) -> None:
        segments = self._segment_items
        if self.show_choice.currentIndex() == LOWEST_CONFIDENCE:
            segments = sorted(segments, key=lambda s: s["confidence"]
                              if s.get("confidence") is not None else 1.0)
        self._listed = segments
        current = self.current_segment()
        self.segments.setUpdatesEnabled(False)
        blocker = QSignalBlocker(self.segments)
        self.segments.clear()
        self._spans = [(seg["first_frame"], seg["last_frame"]) for seg in segments]
        self._on_screen = []
        items = []
        for seg in segments:
            item = QTreeWidgetItem([video_time(seg["start_s"]), video_time(seg["end_s"]),
                                    seg["text"]])
            item.setData(0, FRAME_ROLE, seg["first_frame"])
            item.setData(0, SEGMENT_ROLE, seg.get("id"))
            confidence = seg.get("confidence")
            item.setToolTip(2, f"{seg['text']}\nframes {seg['first_frame']}–{seg['last_frame']}"
                               + (f", confidence {confidence:.0%}" if confidence is not None
                                  else ""))
            _mark_review(item, seg, TEXT_COLUMN, "by the analyst")
            if self.editable and seg.get("review_state") != "rejected":
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            item.setData(0, STATE_ROLE, seg.get("review_state"))
            items.append(item)
        self.segments.addTopLevelItems(items)
        del blocker
        self.tabs.setTabText(0, f"Text ({len(items)})")
        self._apply_filter(self.filter.text())
        self._mark_on_screen()
        if current is not None:
            self.select_segment(current, scroll=False)
        self.segments.setUpdatesEnabled(True)

    def show_notes(self, notes: list[dict]) -> None:
        current = self.current_note()
        self._note_items = list(notes)
        tree = self.notes
        tree.clear()
        for note in notes:
            on = "frame" if note["on"] == "frame" else f"{note['on']} {note['target']}"
            item = QTreeWidgetItem([video_time(note["time_s"]), on,
                                    note["text"] or "(bookmark)"])
            item.setData(0, NOTE_ROLE, note["id"])
            item.setData(0, FRAME_ROLE, note["frame"])
            item.setToolTip(2, f"{note['text'] or 'A bookmark'}\nby {note['by']}, frame "
                               f"{note['frame'] + 1}")
            tree.addTopLevelItem(item)
            if note["id"] == current:
                tree.setCurrentItem(item)
        self.tabs.setTabText(NOTES_TAB, f"Notes ({len(notes)})")
        self._apply_filter(self.filter.text())

    def current_note(self) -> int | None:
        item = self.notes.currentItem()
        value = item.data(0, NOTE_ROLE) if item is not None else None
        return int(value) if value is not None else None

    def note(self, note_id: int) -> dict | None:
        return next((n for n in self._note_items if n["id"] == note_id), None)

    def _on_note_clicked(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        self.seek_requested.emit(int(item.data(0, FRAME_ROLE)))

    def _on_show_choice(self, _index: int) -> None:
        self._fill_segments()
        self._apply_filter(self.filter.text())

    def _on_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        seg_id = item.data(0, SEGMENT_ROLE)
        if column == TEXT_COLUMN and seg_id is not None:
            self.text_edited.emit(int(seg_id), item.text(TEXT_COLUMN))

    # -- the item under review --------------------------------------------------------------

    def _row_of(self, tree: QTreeWidget, role: int, item_id: int) -> QTreeWidgetItem | None:
        return next((tree.topLevelItem(n) for n in range(tree.topLevelItemCount())
                     if tree.topLevelItem(n).data(0, role) == item_id), None)

    def listed_segments(self) -> list[dict]:
        """The segments in the order the list shows them."""
        return list(self._listed)

    def listed_tracks(self) -> list[dict]:
        return list(self._track_items)

    def segment(self, seg_id: int) -> dict | None:
        return next((s for s in self._segment_items if s.get("id") == seg_id), None)

    def current_segment(self) -> int | None:
        """The segment under review: the current row if selected, else the first selected."""
        tree = self.segments
        item = tree.currentItem()
        if item is None or not item.isSelected():
            chosen = tree.selectedItems()
            item = chosen[0] if chosen else None
        value = item.data(0, SEGMENT_ROLE) if item is not None else None
        return int(value) if value is not None else None

    def selected_tracks(self) -> list[int]:
        """The selected objects' track ids, the current one first."""
        ids = [int(i.data(0, TRACK_ROLE)) for i in self.tracks.selectedItems()]
        current = self.tracks.currentItem()
        if current is not None and current.isSelected():
            ids.sort(key=lambda t: t != current.data(0, TRACK_ROLE))
        return ids

    def select_segment(self, seg_id: int, *, scroll: bool = True) -> None:
        item = self._row_of(self.segments, SEGMENT_ROLE, seg_id)
        if item is None:
            return
        self.segments.setCurrentItem(item, 0)  # current, and the only one selected
        if scroll:
            self.segments.scrollToItem(item)

    def edit_segment(self, seg_id: int) -> bool:
        """Open the segment's text for typing in its row; False when it cannot be edited."""
        item = self._row_of(self.segments, SEGMENT_ROLE, seg_id)
        if item is None or not item.flags() & Qt.ItemFlag.ItemIsEditable:
            return False
        self.tabs.setCurrentIndex(0)
        if item.isHidden():  # filtered out: show it, since it is the one being corrected
            item.setHidden(False)
        self.select_segment(seg_id)
        self.segments.editItem(item, TEXT_COLUMN)
        return True

    def segments_on_screen(self) -> list[int]:
        """The rows of the text segments on the frame shown."""
        return list(self._on_screen)

    def _mark_on_screen(self) -> None:
        frame = self._frame
        rows = [] if frame is None else [n for n, (first, last) in enumerate(self._spans)
                                         if first <= frame <= last]
        if rows == self._on_screen:
            return
        self._on_screen = rows
        tree = self.segments
        tree.clearSelection()
        for n in rows:
            tree.topLevelItem(n).setSelected(True)
        shown = [tree.topLevelItem(n) for n in rows if not tree.topLevelItem(n).isHidden()]
        if shown:
            tree.scrollToItem(shown[0])

    def show_tracks(self, tracks: list[dict]) -> None:
        """The job's tracked objects; only yolo_ocr jobs have any."""
        self._track_items = list(tracks)
        selected = self.followed_track()
        self.tracks.setUpdatesEnabled(False)
        self.tracks.clear()
        for track in tracks:
            item = QTreeWidgetItem([track_title(track), video_time(track["start_s"]),
                                    video_time(track["end_s"]), track.get("text") or ""])
            item.setData(0, TRACK_ROLE, track["id"])
            item.setIcon(0, swatch_icon(class_color(track["class_id"]).name()))
            item.setToolTip(0, f"{track_title(track)}: {track_summary(track)}")
            _mark_review(item, track, 3, "by the analyst")
            if track.get("machine_label") and track["machine_label"] != track["label"]:
                item.setToolTip(0, f"{track_title(track)}: the machine saw a "
                                   f"{track['machine_label']}")
            item.setData(0, STATE_ROLE,
                         track.get("review_state"))
            self.tracks.addTopLevelItem(item)
            item.setSelected(track["id"] == selected)
        self.tabs.setTabText(1, f"Objects ({len(tracks)})")
        if not tracks and self.tabs.currentIndex() == 1:
            self.tabs.setCurrentIndex(0)  # a job without objects: its text, not an empty list
        self._apply_filter(self.filter.text())
        self.tracks.setUpdatesEnabled(True)

    def mark_followed(self, track: dict | None) -> None:
        """Select the followed object's row (none when nothing is followed)."""
        for n in range(self.tracks.topLevelItemCount()):
            item = self.tracks.topLevelItem(n)
            item.setSelected(track is not None and item.data(0, TRACK_ROLE) == track["id"])
            if item.isSelected():
                self.tracks.scrollToItem(item)

    def followed_track(self) -> int | None:
        chosen = self.tracks.selectedItems()
        return chosen[0].data(0, TRACK_ROLE) if chosen else None

    def _apply_filter(self, text: str) -> None:
        needle = text.strip().lower()
        unreviewed_only = self.show_choice.currentIndex() == SHOW_UNREVIEWED
        for tree, columns in ((self.segments, (2,)), (self.tracks, (0, 3)), (self.notes, (2,))):
            for n in range(tree.topLevelItemCount()):
                item = tree.topLevelItem(n)
                state = item.data(0, STATE_ROLE)
                item.setHidden(
                    (bool(needle) and not any(needle in item.text(c).lower() for c in columns))
                    or (unreviewed_only and state is not None and state != "unreviewed"))

    def _on_segment_clicked(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        self.seek_requested.emit(int(item.data(0, FRAME_ROLE)))

    def _on_track_clicked(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        track_id = item.data(0, TRACK_ROLE)
        if track_id is not None:
            self.track_requested.emit(int(track_id))

    # -- the frame on screen ----------------------------------------------------------------

    def show_frame(self, index: int, result: FrameResult | None) -> None:
        self._frame = result.frame_index if result is not None else None
        self._mark_on_screen()
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
                ("Text", [(line.text, line.confidence, OCR_COLOR.name(), None, line.machine_text)
                          for line in result.ocr]),
                ("Objects", [(detection_name(d), d.confidence, class_color(d.class_id).name(),
                              d.track_id, None) for d in result.detections])):
            group = QTreeWidgetItem([f"{title} ({len(rows)})", ""])
            for label, confidence, color, track_id, machine in rows:
                child = QTreeWidgetItem([label, f"{confidence:.0%}"])
                child.setIcon(0, swatch_icon(color))
                child.setToolTip(0, label if track_id is None else f"{label}: click to follow")
                if machine is not None:  # corrected, or added, by the analyst
                    font = QFont(child.font(0))
                    font.setItalic(True)
                    child.setFont(0, font)
                    child.setToolTip(0, f"{label}\n" + (f"The machine read “{machine}”."
                                                         if machine else "Added by the analyst."))
                    child.setText(1, "" if not machine else child.text(1))
                child.setData(0, TRACK_ROLE, track_id)
                group.addChild(child)
            tree.addTopLevelItem(group)
            group.setExpanded(True)
