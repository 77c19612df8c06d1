"""Correcting a completed job from the window: the review actions and their keys, bookmarks
and notes, the undo stack, and the dialogs for a missed line, a note, find and replace, and
suggested fixes.

Every action goes through core.review in the library's lane and is logged there at once; the
viewer then loads the review again. The undo stack mirrors the job's edit log: it is rebuilt
from the log's history whenever a job's review is shown, so Ctrl+Z reaches edits made before a
restart. The keys act where the review is (the frame, the lists beside it), never in a text
field.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QInputDialog, QLineEdit, QListWidget,
    QListWidgetItem, QMainWindow, QVBoxLayout, QWidget,
)

from foresyte_desktop.core import notes, review
from foresyte_desktop.core.formatting import plural
from foresyte_desktop.core.model import Job
from foresyte_desktop.core.review_apply import ReviewView
from foresyte_desktop.ui.actions import make_action
from foresyte_desktop.ui.notice_bar import NoticeBar
from foresyte_desktop.ui.review_panel import NOTES_TAB, OBJECTS_TAB, ReviewPanel
from foresyte_desktop.ui.viewer import Viewer
from foresyte_desktop.workers.library import Library

SEGMENT, TRACK = "segment", "track"


def _suggestions(store, job_id: str) -> list[review.Suggestion]:
    return review.suggest_fixes(review.open_review(store, job_id))


class _Step(QUndoCommand):
    """One action of the log. Pushed once the action is logged, so its first redo is a no-op;
    later ones, and undo, step the log."""

    def __init__(self, edits: ReviewEdits, text: str):
        super().__init__(text)
        self.edits = edits
        self.logged = True

    def redo(self) -> None:
        if self.logged:
            self.logged = False
        elif not self.edits.replaying:
            self.edits.run(review.redo)

    def undo(self) -> None:
        if not self.edits.replaying:
            self.edits.run(review.undo)


class ReviewEdits(QObject):
    def __init__(self, window: QMainWindow, library: Library, viewer: Viewer,
                 panel: ReviewPanel, notice: NoticeBar):
        super().__init__(window)
        self.window, self.library, self.viewer, self.panel = window, library, viewer, panel
        self.notice = notice
        self.view: ReviewView | None = None
        self.job_id: str | None = None  # the job whose review the stack holds
        self.stack = QUndoStack(self)
        self.replaying = False           # rebuilding the stack: its commands do nothing
        self._then: list[Callable[[ReviewView], None]] = []  # once the next review arrives
        # A line just added stays the one ] acts on while the analyst goes to its last frame,
        # which it does not cover yet; until its end is set or another segment is chosen.
        self.pinned: int | None = None
        self._make_actions()
        viewer.review_changed.connect(self._on_review)
        viewer.view.line_drawn.connect(self._on_line_drawn)
        viewer.view.line_activated.connect(self._on_line_activated)
        panel.text_edited.connect(self._on_text_edited)
        panel.segments.itemClicked.connect(self._unpin)
        self._update_actions()

    # -- actions ----------------------------------------------------------------------------

    def _make_actions(self) -> None:
        a = partial(make_action, self.window)
        self.act_correct = a("Correct Text", self.correct, "F2",
                             tip="Type the text the segment shows (or the object's label and "
                                 "text); double-click a line on the frame does the same")
        self.act_verify = a("Verify and Next", self.verify_and_next, "Return",
                            tip="The reading is right: verify it and go to the next unreviewed")
        self.act_reject = a("Reject", self.reject, "Delete",
                            tip="A false reading: it leaves the exports, and stays in the log")
        self.act_set_start = a("Start Here", lambda: self._set_bound(review.set_start), "[",
                               tip="The segment starts on the frame on screen")
        self.act_set_end = a("End Here", lambda: self._set_bound(review.set_end), "]",
                             tip="The segment ends on the frame on screen")
        self.act_split = a("Split Here", self.split, "S",
                           tip="Cut the segment (or the followed object's track) in two at "
                               "the frame on screen")
        self.act_merge = a("Merge with Next", self.merge, "M",
                           tip="Join the segment with the next one; with two objects selected, "
                               "join their tracks")
        self.act_add_line = a("Add Missed Line…", self.add_line, "A",
                              tip="Drag the box of a line the machine missed, type its text, "
                                  "then set its last frame with ]")
        self.act_next = a("Next Unreviewed", lambda: self.go_unreviewed(False), "N",
                          tip="Go to the next item not reviewed yet")
        self.act_previous = a("Previous Unreviewed", lambda: self.go_unreviewed(True),
                              "Shift+N", tip="Go to the previous item not reviewed yet")
        self.act_verify_all = a("Verify All Unreviewed", self.verify_all,
                                tip="Verify every text segment still unreviewed, as one action")
        self.act_replace = a("Find and Replace…", self.find_replace, "Ctrl+H",
                             tip="Replace a text in every segment of the job, as one action")
        self.act_suggest = a("Suggest Fixes…", self.suggest_fixes,
                             tip="Look-alike characters inside words (0/O, 1/l/I, 5/S, 8/B), "
                                 "to accept one by one or all at once")
        self.act_bookmark = a("Bookmark Frame…", self.bookmark, "Ctrl+B",
                              tip="Bookmark the frame on screen, with a note if you like")
        self.act_note = a("Add Note…", self.add_note, "Ctrl+Shift+B",
                          tip="A note on the selected text segment, or object")
        self.act_undo = self.stack.createUndoAction(self.window, "Undo")
        self.act_undo.setShortcut(QKeySequence.StandardKey.Undo)
        self.act_redo = self.stack.createRedoAction(self.window, "Redo")
        self.act_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        # Where the review is: the frame and the lists beside it. A text field keeps its keys
        # (Return in Go to…, Delete while typing), and the job table keeps Delete for removing.
        for act in self.keyed_actions():
            act.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            for widget in (self.viewer.view, self.panel.segments, self.panel.tracks,
                           self.panel.notes, self.panel.frame_items):
                widget.addAction(act)
        self.window.addActions([self.act_undo, self.act_redo, self.act_replace,
                                self.act_bookmark, self.act_note])

    def keyed_actions(self) -> list[QAction]:
        return [self.act_correct, self.act_verify, self.act_reject, self.act_set_start,
                self.act_set_end, self.act_split, self.act_merge, self.act_add_line,
                self.act_next, self.act_previous]

    def menu_actions(self) -> list[QAction]:
        return [self.act_correct, self.act_verify, self.act_reject, None, self.act_set_start,
                self.act_set_end, self.act_split, self.act_merge, self.act_add_line, None,
                self.act_next, self.act_previous, None, self.act_bookmark, self.act_note, None,
                self.act_verify_all]

    def _update_actions(self) -> None:
        on = self.view is not None
        for act in (*self.keyed_actions(), self.act_verify_all, self.act_replace,
                    self.act_suggest, self.act_bookmark, self.act_note):
            act.setEnabled(on)

    # -- the review shown -------------------------------------------------------------------

    def _on_review(self, view: ReviewView | None) -> None:
        job = self.viewer.job
        self.view = view
        self.panel.show_review(view)
        job_id = job.job_id if view is not None and job is not None else None
        if job_id != self.job_id or (view is not None and (
                len(view.done) != self.stack.index() or
                len(view.undone) != self.stack.count() - self.stack.index())):
            self._rebuild(job_id, view)
        self._update_actions()
        then, self._then = self._then, []
        if view is not None:
            for step in then:
                step(view)

    def _rebuild(self, job_id: str | None, view: ReviewView | None) -> None:
        """The stack as the job's log has it: the actions in effect, then those undone."""
        self.job_id = job_id
        self.replaying = True
        try:
            self.stack.clear()
            if view is not None:
                for action in [*view.done, *reversed(view.undone)]:
                    self.stack.push(_Step(self, action.text))
                for _ in view.undone:
                    self.stack.undo()
        finally:
            self.replaying = False

    @property
    def job(self) -> Job | None:
        return self.viewer.job if self.view is not None else None

    # -- doing ------------------------------------------------------------------------------

    def run(self, action: Callable[..., Any], *args: Any, text: str | None = None,
            then: Callable[[ReviewView], None] | None = None,
            on_done: Callable[[Any], None] | None = None) -> None:
        """`action(store, job, *args)` in the library's lane; a new action (`text` given) goes
        on the undo stack once logged. The review is loaded again afterwards, then `then(view)`
        runs."""
        if self.job is None:
            return
        job_id = self.job.job_id

        def done(result: Any) -> None:
            if text is not None and isinstance(result, int) and job_id == self.job_id:
                self.stack.push(_Step(self, text))
            if then is not None:
                self._then.append(then)
            if on_done is not None:
                on_done(result)
            self.viewer.refresh_review(on_error=self._refused)
        self.library.call(action, job_id, *args, on_done=done, on_error=self._refused)

    def _refused(self, sentence: str) -> None:
        """An edit that could not be made: why, and the review as it stands (the list shows
        its text again, not what was typed)."""
        self.notice.show_lines("The review was not changed:", [sentence])
        self.window.statusBar().showMessage(sentence, 15000)
        self.viewer.refresh_review(on_error=lambda s: None)

    def _say(self, message: str) -> None:
        self.window.statusBar().showMessage(message, 10000)

    # -- what the actions act on ------------------------------------------------------------

    def _on_objects(self) -> bool:
        return self.panel.tabs.currentIndex() == OBJECTS_TAB

    def _on_notes(self) -> bool:
        return self.panel.tabs.currentIndex() == NOTES_TAB

    def current_note(self) -> int | None:
        note_id = self.panel.current_note()
        if note_id is None:
            self._say("No note is selected.")
        return note_id

    def _unpin(self, *_) -> None:
        self.pinned = None

    def current_segment(self) -> int | None:
        """The segment under review: a line just added, else the list's current one, else
        the first on screen."""
        seg_id = self.pinned if self.pinned is not None else self.panel.current_segment()
        if seg_id is None:
            on_screen = self.viewer.frame_result(self.viewer.index)
            owners = self.view.owners.get(on_screen.frame_index, []) if on_screen and \
                self.view else []
            seg_id = next((o for o in owners if o is not None), None)
        if seg_id is None:
            self._say("No text segment is selected or on screen.")
        return seg_id

    def current_track(self) -> int | None:
        chosen = self.panel.selected_tracks()
        track_id = chosen[0] if chosen else self.viewer.followed
        if track_id is None:
            self._say("No object is selected or followed.")
        return track_id

    def _seg_text(self, seg_id: int) -> str:
        return f"segment {seg_id}"

    # -- the actions ------------------------------------------------------------------------

    def correct(self) -> None:
        if self._on_notes():
            return self.edit_note()
        if self._on_objects():
            return self._correct_track()
        seg_id = self.current_segment()
        if seg_id is not None and not self.panel.edit_segment(seg_id):
            self._say("A rejected segment cannot be corrected; undo the rejection first.")

    def _on_line_activated(self, n: int) -> None:
        result = self.viewer.frame_result(self.viewer.index)
        if self.view is None or result is None:
            return
        owners = self.view.owners.get(result.frame_index, [])
        if n < len(owners) and owners[n] is not None:
            self.panel.edit_segment(owners[n])

    def _on_text_edited(self, seg_id: int, text: str) -> None:
        segment = self.panel.segment(seg_id)
        if segment is not None and text == segment["text"]:
            return
        self.run(review.set_text, seg_id, text, text=f"Correct {self._seg_text(seg_id)}")

    def _correct_track(self) -> None:
        track_id = self.current_track()
        track = next((t for t in self.panel.listed_tracks() if t["id"] == track_id), None)
        if track is None:
            return
        dialog = TrackDialog(self.window, track)
        if not dialog.exec():
            return
        label, text = dialog.values()
        if label != track["label"]:
            self.run(review.relabel_track, track_id, label, text=f"Relabel track {track_id}")
        if text != (track.get("text") or ""):
            self.run(review.set_track_text, track_id, text,
                     text=f"Correct the text of track {track_id}")

    def verify_and_next(self) -> None:
        if self._on_notes():  # a note is not verified: Enter goes to its frame
            note = self.panel.note(self.panel.current_note() or -1)
            if note is not None:
                self.viewer.seek(note["frame"])
            return
        if self._on_objects():
            track_id = self.current_track()
            if track_id is not None:
                self.run(review.verify, track_id, TRACK, text=f"Verify track {track_id}",
                         then=lambda view: self._next_track(track_id))
            return
        seg_id = self.current_segment()
        if seg_id is not None:
            self.run(review.verify, seg_id, text=f"Verify {self._seg_text(seg_id)}",
                     then=lambda view: self._go_segment_after(seg_id))

    def verify_all(self) -> None:
        self.run(review.verify, "all", text="Verify every unreviewed segment")

    def reject(self) -> None:
        if self._on_notes():
            note_id = self.current_note()
            if note_id is not None:
                self.run(notes.remove_note, note_id, text=f"Remove note {note_id}")
            return
        if self._on_objects():
            track_id = self.current_track()
            if track_id is not None:
                self.run(review.reject, track_id, TRACK, text=f"Reject track {track_id}")
            return
        seg_id = self.current_segment()
        if seg_id is not None:
            self.run(review.reject, seg_id, text=f"Reject {self._seg_text(seg_id)}",
                     then=lambda view: self._go_segment_after(seg_id, quiet=True))

    def _set_bound(self, action: Callable[..., Any]) -> None:
        seg_id = self.current_segment()
        if seg_id is not None:
            where = "start" if action is review.set_start else "end"
            frame = self.viewer.index
            if where == "end":
                self._unpin()
            self.run(action, seg_id, frame,
                     text=f"Set the {where} of {self._seg_text(seg_id)} to frame {frame + 1}",
                     then=lambda view: self.panel.select_segment(seg_id))

    def split(self) -> None:
        frame = self.viewer.index
        if self._on_objects():
            track_id = self.current_track()
            if track_id is not None:
                self.run(review.split_track, track_id, frame,
                         text=f"Split track {track_id} at frame {frame + 1}")
            return
        seg_id = self.current_segment()
        if seg_id is not None:
            self.run(review.split_segment, seg_id, frame,
                     text=f"Split {self._seg_text(seg_id)} at frame {frame + 1}")

    def merge(self) -> None:
        if self._on_objects():
            chosen = self.panel.selected_tracks()
            if len(chosen) != 2:
                self._say("Select the two objects that are one (Ctrl+click), then merge them.")
                return
            self.run(review.merge_tracks, chosen[0], chosen[1],
                     text=f"Merge tracks {chosen[0]} and {chosen[1]}")
            return
        seg_id = self.current_segment()
        if seg_id is not None:
            self.run(review.merge_segments, seg_id,
                     text=f"Merge {self._seg_text(seg_id)} with the next",
                     then=lambda view: self.panel.select_segment(seg_id))

    def add_line(self) -> None:
        if self.job is None or not self.viewer.view.has_image():
            return
        self.viewer.pause()
        self.viewer.follow_track(None)  # the whole frame, not a zoomed part of it
        self.viewer.view.start_drawing(line=True)
        self._say("Drag a box around the missed line on the frame; Esc cancels.")

    def _on_line_drawn(self, box: list[float]) -> None:
        if self.job is None:
            return
        text, ok = QInputDialog.getText(self.window, "Add Missed Line",
                                        "The text of the line:")
        if not ok:
            return
        frame = self.viewer.index

        def select_new(view: ReviewView) -> None:
            added = max((s for s in view.segments if s["review_state"] == "added"),
                        key=lambda s: s["id"], default=None)
            if added is not None:
                self.pinned = added["id"]
                self.panel.select_segment(added["id"])
                self._say("Line added on this frame. Go to its last frame and press ] to "
                          "set its end.")
        self.run(review.add_line, box, text, frame, frame,
                 text=f"Add a line at frame {frame + 1}", then=select_new)

    def go_unreviewed(self, backwards: bool) -> None:
        if self._on_objects():
            chosen = self.panel.selected_tracks()
            return self._next_track(chosen[0] if chosen else None, backwards=backwards)
        self._go_segment_after(self.panel.current_segment(), backwards=backwards)

    def _go_segment_after(self, seg_id: int | None, *, backwards: bool = False,
                          quiet: bool = False) -> None:
        self._unpin()
        target = review.next_unreviewed_in(self.panel.listed_segments(), seg_id,
                                           backwards=backwards)
        if target is None:
            if not quiet:
                self._say("No unreviewed text segment " + ("before" if backwards else "after")
                          + " this one." + self._left())
            return
        self.viewer.pause()
        self.viewer.seek(target["first_frame"])
        self.panel.select_segment(target["id"])

    def _next_track(self, track_id: int | None, *, backwards: bool = False) -> None:
        target = review.next_unreviewed_in(self.panel.listed_tracks(), track_id,
                                           backwards=backwards)
        if target is None:
            self._say("No unreviewed object " + ("before" if backwards else "after") +
                      " this one." + self._left())
            return
        self.viewer.follow_track(target["id"])
        self.panel.mark_followed(target)

    def _left(self) -> str:
        if self.view is None:
            return ""
        left = self.view.progress.unreviewed
        return f" {plural(left, 'item')} left to review." if left else " All reviewed."

    def bookmark(self) -> None:
        if self.job is None:
            return
        frame = self.viewer.index
        text, ok = QInputDialog.getText(self.window, "Bookmark Frame",
                                        f"A note on frame {frame + 1} (optional):")
        if ok:
            self.run(notes.add_bookmark, frame, text, text=f"Bookmark frame {frame + 1}",
                     then=lambda view: self._say(f"Frame {frame + 1} bookmarked."))

    def add_note(self) -> None:
        if self.job is None:
            return
        if self._on_objects():
            track_id = self.current_track()
            target, what = {"track": track_id}, f"object #{track_id}"
            if track_id is None:
                return
        else:
            seg_id = self.current_segment()
            target, what = {"segment": seg_id}, f"text segment {seg_id}"
            if seg_id is None:
                return
        text, ok = QInputDialog.getText(self.window, "Add Note", f"A note on {what}:")
        if ok:
            self.run(partial(notes.add_note, **target), text, text=f"Add a note on {what}")

    def edit_note(self) -> None:
        note = self.panel.note(self.current_note() or -1)
        if note is None:
            return
        text, ok = QInputDialog.getText(self.window, "Edit Note", "The note:",
                                        text=note["text"])
        if ok:
            self.run(notes.set_note_text, note["id"], text, text=f"Edit note {note['id']}")

    def find_replace(self) -> None:
        if self.job is None:
            return
        dialog = ReplaceDialog(self.window)
        if not dialog.exec():
            return
        find, replace, match_case = dialog.values()

        def done(result: int | None) -> None:
            if result is None:
                self._say(f"No segment holds “{find}”.")
        self.run(partial(review.find_replace, match_case=match_case), find, replace,
                 text=f"Replace “{find}” with “{replace}”", on_done=done)

    def suggest_fixes(self) -> None:
        if self.job is None:
            return
        self.library.call(_suggestions, self.job.job_id, on_done=self._offer_fixes,
                          on_error=self._refused)

    def _offer_fixes(self, suggestions: list[review.Suggestion]) -> None:
        if not suggestions:
            self._say("No look-alike characters to fix: every word is all letters or all "
                      "digits.")
            return
        dialog = FixesDialog(self.window, suggestions)
        if not dialog.exec():
            return
        chosen = dialog.chosen()
        if chosen:
            self.run(review.accept_suggestions, chosen,
                     text=f"Accept {plural(len(chosen), 'suggestion')}")


class TrackDialog(QDialog):
    """An object's label and the text it carries, to correct."""

    def __init__(self, parent: QWidget, track: dict):
        super().__init__(parent)
        self.setWindowTitle(f"Correct {track['label']} #{track['id']}")
        self.label = QLineEdit(track["label"])
        self.text = QLineEdit(track.get("text") or "")
        form = QFormLayout(self)
        form.addRow("What it is:", self.label)
        form.addRow("Text on it:", self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                   QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> tuple[str, str]:
        return self.label.text(), self.text.text()


class ReplaceDialog(QDialog):
    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setWindowTitle("Find and Replace")
        self.find = QLineEdit()
        self.replace = QLineEdit()
        self.match_case = QCheckBox("Match case")
        form = QFormLayout(self)
        form.addRow("Find:", self.find)
        form.addRow("Replace with:", self.replace)
        form.addRow("", self.match_case)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton("Replace All", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> tuple[str, str, bool]:
        return self.find.text(), self.replace.text(), self.match_case.isChecked()


class FixesDialog(QDialog):
    """The suggested fixes, each checked to be accepted; none is applied unless accepted."""

    def __init__(self, parent: QWidget, suggestions: list[review.Suggestion]):
        super().__init__(parent)
        self.setWindowTitle("Suggested Fixes")
        self.resize(520, 360)
        self.suggestions = suggestions
        self.list = QListWidget()
        for s in suggestions:
            item = QListWidgetItem(f"{s.kind.capitalize()} {s.item_id}: “{s.text}” → "
                                   f"“{s.suggested}”")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.list.addItem(item)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.accept_checked = buttons.addButton("Accept Checked",
                                                QDialogButtonBox.ButtonRole.AcceptRole)
        self.accept_all = buttons.addButton("Accept All", QDialogButtonBox.ButtonRole.ApplyRole)
        self.accept_all.clicked.connect(self._check_all)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _check_all(self) -> None:
        for n in range(self.list.count()):
            self.list.item(n).setCheckState(Qt.CheckState.Checked)
        self.accept()

    def chosen(self) -> list[review.Suggestion]:
        return [s for n, s in enumerate(self.suggestions)
                if self.list.item(n).checkState() == Qt.CheckState.Checked]
