"""Reviewing a real completed job by keyboard in the real window: verify and move on, correct,
reject, set the start and end, split, merge, add a missed line, undo and redo, the undo history
after a restart, the filters, the Review column, retrying a reviewed job, and the same keys on
tracked objects.

The text jobs are read by the real runner and RapidOCR from a video the test builds; the tracks'
job has its detections written straight into the store (plumbing: no detector runs). Every edit
goes through the real store, and what the frame shows is the review's corrected state.
"""
import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox

from foresyte_desktop.core import review
from foresyte_desktop.core.results import build_results
from foresyte_desktop.ui.main_window import MainWindow
from foresyte_desktop.ui.review_panel import (
    LOWEST_CONFIDENCE, NOTE_ROLE, SEGMENT_ROLE, SHOW_UNREVIEWED, TRACK_ROLE,
)
from tests.dialogs import answering
from tests.real_jobs import run_job
from tests.stored_jobs import open_job, stored_job
from tests.test_review_core import track_frames, video  # noqa: F401 (fixture)
from tests.videos import make_text_video

WORDS = ["GATE 14", "SECOND LINE", "THIRD WORD", "FOURTH ITEM"]


@pytest.fixture(scope="module")
def words(tmp_path_factory):
    """4 s at 10 fps: four lines of 1 s each."""
    return make_text_video(tmp_path_factory.mktemp("review") / "gate.mp4",
                           [(w, 10) for w in WORDS], fps=10)


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key as the user presses it: to the widget that has the keyboard focus."""
    focused = QApplication.focusWidget()
    assert focused is not None, "no widget has the keyboard focus"
    qtbot.keyClick(focused, key, modifier)


def segments(window) -> list[dict]:
    return window.review_edits.view.segments


def seg(window, seg_id: int) -> dict:
    return next(s for s in segments(window) if s["id"] == seg_id)


def wait_review(qtbot, window, check) -> None:
    qtbot.waitUntil(lambda: window.review_edits.view is not None and check(), timeout=10_000)


def open_review(qtbot, window, job, count: int = len(WORDS)) -> None:
    """Open `job` in the window, and wait for its review, of `count` segments."""
    open_job(qtbot, window, job)
    wait_review(qtbot, window, lambda: len(segments(window)) == count)
    window.viewer.view.setFocus()


def test_keys_review_a_real_job_and_undo_reaches_across_a_restart(qtbot, window, store,
                                                                  data_dir, words, tmp_path):
    job = run_job(store, data_dir, words)
    open_review(qtbot, window, job)
    viewer, panel, edits = window.viewer, window.panel, window.review_edits
    assert [s["text"] for s in segments(window)] == WORDS
    assert panel.review_bar.isVisible()
    assert panel.review_bar.text() == "0 of 4 verified, 0 rejected"

    # Enter: the line on screen is right; it is verified, and the next unreviewed one shows.
    press(qtbot, Qt.Key.Key_Return)
    wait_review(qtbot, window, lambda: seg(window, 1)["review_state"] == "verified")
    qtbot.waitUntil(lambda: viewer.shown_index == seg(window, 2)["first_frame"], timeout=5000)
    assert panel.current_segment() == 2
    assert window.model.data(window.model.index(0, 4)) == "1 of 4 verified, 0 rejected"

    # F2: the line's text opens for typing in its row; Return saves it for every frame.
    press(qtbot, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit) and editor.text() == "SECOND LINE"
    editor.selectAll()
    qtbot.keyClicks(editor, "SECOND LINE OK")
    press(qtbot, Qt.Key.Key_Return)
    wait_review(qtbot, window, lambda: seg(window, 2)["text"] == "SECOND LINE OK")
    assert seg(window, 2)["machine_text"] == "SECOND LINE"
    on_frame = viewer.view.result.ocr[0]
    assert (on_frame.text, on_frame.machine_text) == ("SECOND LINE OK", "SECOND LINE")
    row = panel.segments.topLevelItem(1)
    assert row.font(2).italic() and "The machine read “SECOND LINE”" in row.toolTip(2)
    viewer.view.setFocus()

    # An empty correction says why and changes nothing.
    assert panel.edit_segment(2)
    editor = QApplication.focusWidget()
    editor.clear()
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "is empty" in window.notice.text(), timeout=5000)
    assert seg(window, 2)["text"] == "SECOND LINE OK"
    viewer.view.setFocus()

    # Esc leaves the text as it was.
    assert panel.edit_segment(2)
    qtbot.keyClicks(QApplication.focusWidget(), "NOT THIS")
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.wait(300)
    assert seg(window, 2)["text"] == "SECOND LINE OK" and edits.stack.count() == 2
    viewer.view.setFocus()

    press(qtbot, Qt.Key.Key_Return)  # verify the corrected line; on to the third
    wait_review(qtbot, window, lambda: seg(window, 2)["review_state"] == "verified")
    qtbot.waitUntil(lambda: panel.current_segment() == 3, timeout=5000)

    # Delete: a false reading leaves the frame and the exports.
    press(qtbot, Qt.Key.Key_Delete)
    wait_review(qtbot, window, lambda: seg(window, 3)["review_state"] == "rejected")
    viewer.seek(seg(window, 3)["first_frame"] + 2)
    qtbot.waitUntil(lambda: viewer.shown_index == seg(window, 3)["first_frame"] + 2, timeout=5000)
    assert viewer.view.result.ocr == []
    assert panel.segments.topLevelItem(2).font(2).strikeOut()
    assert window.model.rowCount() == 1  # Delete beside the video never removes the job

    # S splits the fourth line at the frame on screen; M merges it back.
    fourth = seg(window, 4)
    viewer.seek(fourth["first_frame"] + 5)
    qtbot.waitUntil(lambda: viewer.shown_index == fourth["first_frame"] + 5, timeout=5000)
    panel.select_segment(4)
    viewer.view.setFocus()
    press(qtbot, Qt.Key.Key_S)
    wait_review(qtbot, window, lambda: len(segments(window)) == 5)
    assert (seg(window, 4)["last_frame"], seg(window, 5)["first_frame"]) == \
        (fourth["first_frame"] + 4, fourth["first_frame"] + 5)
    panel.select_segment(4)
    viewer.view.setFocus()
    press(qtbot, Qt.Key.Key_M)
    wait_review(qtbot, window, lambda: len([s for s in segments(window)
                                            if "merged_into" not in s]) == 4)
    assert seg(window, 4)["last_frame"] == fourth["last_frame"]

    # [ and ]: the segment starts and ends on the frame on screen.
    viewer.seek(fourth["first_frame"] + 2)
    qtbot.waitUntil(lambda: viewer.shown_index == fourth["first_frame"] + 2, timeout=5000)
    panel.select_segment(4)
    viewer.view.setFocus()
    press(qtbot, Qt.Key.Key_BracketLeft)
    wait_review(qtbot, window, lambda: seg(window, 4)["first_frame"] == fourth["first_frame"] + 2)
    viewer.seek(fourth["last_frame"] - 2)
    qtbot.waitUntil(lambda: viewer.shown_index == fourth["last_frame"] - 2, timeout=5000)
    viewer.view.setFocus()
    press(qtbot, Qt.Key.Key_BracketRight)
    wait_review(qtbot, window, lambda: seg(window, 4)["last_frame"] == fourth["last_frame"] - 2)

    # A: draw the box of a line the machine missed, type its text; ] sets its last frame.
    viewer.seek(5)
    qtbot.waitUntil(lambda: viewer.shown_index == 5, timeout=5000)
    viewer.view.setFocus()
    answering(lambda dialog: (dialog.setTextValue("MISSED SIGN"), dialog.accept()))
    press(qtbot, Qt.Key.Key_A)
    assert viewer.view.drawing_line
    port = viewer.view.viewport()
    start, end = viewer.view.mapFromScene(20, 20), viewer.view.mapFromScene(200, 60)
    qtbot.mousePress(port, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(port, pos=QPoint((start.x() + end.x()) // 2, (start.y() + end.y()) // 2))
    qtbot.mouseMove(port, pos=end)
    qtbot.mouseRelease(port, Qt.MouseButton.LeftButton, pos=end)
    wait_review(qtbot, window, lambda: any(s["review_state"] == "added"
                                           for s in segments(window)))
    added = next(s for s in segments(window) if s["review_state"] == "added")
    assert added["text"] == "MISSED SIGN" and added["first_frame"] == 5
    qtbot.waitUntil(lambda: panel.current_segment() == added["id"], timeout=5000)
    viewer.seek(8)
    qtbot.waitUntil(lambda: viewer.shown_index == 8, timeout=5000)
    window.activateWindow()  # the dialog took it
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    viewer.view.setFocus()
    press(qtbot, Qt.Key.Key_BracketRight)
    wait_review(qtbot, window, lambda: seg(window, added["id"])["last_frame"] == 8)
    drawn = [line for line in viewer.view.result.ocr if line.text == "MISSED SIGN"]
    assert drawn and drawn[0].machine_text == ""

    # The exports say the same.
    doc = build_results(store, store.get_job(job.job_id))
    assert [s["text"] for s in doc["text_segments"]] == \
        ["GATE 14", "MISSED SIGN", "SECOND LINE OK", "FOURTH ITEM"]

    # Ctrl+Z undoes the last actions (the end, then the added line); Ctrl+Shift+Z redoes one.
    done = edits.stack.count()
    press(qtbot, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    wait_review(qtbot, window, lambda: seg(window, added["id"])["last_frame"] == 5)
    press(qtbot, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    wait_review(qtbot, window, lambda: all(s["review_state"] != "added"
                                           for s in segments(window)))
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    press(qtbot, Qt.Key.Key_Z, ctrl_shift)
    wait_review(qtbot, window, lambda: any(s["review_state"] == "added"
                                           for s in segments(window)))
    assert edits.stack.index() == done - 1

    # A restart: the undo history is the log's. Undo goes on where it stopped.
    window.quit_resume_later()
    qtbot.waitUntil(lambda: window._closed, timeout=10_000)
    again = MainWindow(store, data_dir, QSettings(str(tmp_path / "again.ini"),
                                                  QSettings.Format.IniFormat))
    again.resize(1200, 800)
    again.show()
    qtbot.waitExposed(again)
    try:
        open_review(qtbot, again, store.get_job(job.job_id), count=len(WORDS) + 1)
        stack = again.review_edits.stack
        assert (stack.count(), stack.index()) == (done, done - 1)
        assert again.model.data(again.model.index(0, 4)) == "2 of 5 verified, 1 rejected"
        press(qtbot, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        wait_review(qtbot, again, lambda: all(s["review_state"] != "added"
                                              for s in segments(again)))
        press(qtbot, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the end set before
        wait_review(qtbot, again, lambda: seg(again, 4)["last_frame"] == fourth["last_frame"])
    finally:
        again.quit_resume_later()
        qtbot.waitUntil(lambda: again._closed, timeout=10_000)


def test_filters_n_and_shift_n_and_the_lowest_confidence_first(qtbot, window, store,
                                                               data_dir, words):
    job = run_job(store, data_dir, words)
    review.verify(store, job.job_id, 2)
    open_review(qtbot, window, job)
    viewer, panel = window.viewer, window.panel
    assert panel.current_segment() == 1  # on screen
    press(qtbot, Qt.Key.Key_N)  # 2 is verified: on to 3
    qtbot.waitUntil(lambda: panel.current_segment() == 3 and
                    viewer.shown_index == seg(window, 3)["first_frame"], timeout=5000)
    press(qtbot, Qt.Key.Key_N)
    qtbot.waitUntil(lambda: panel.current_segment() == 4, timeout=5000)
    press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: panel.current_segment() == 3, timeout=5000)
    press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: panel.current_segment() == 1 and viewer.shown_index == 0,
                    timeout=5000)

    panel.show_choice.setCurrentIndex(SHOW_UNREVIEWED)
    shown = [panel.segments.topLevelItem(n).data(0, SEGMENT_ROLE)
             for n in range(panel.segments.topLevelItemCount())
             if not panel.segments.topLevelItem(n).isHidden()]
    assert shown == [1, 3, 4]
    panel.show_choice.setCurrentIndex(LOWEST_CONFIDENCE)
    confidences = [next(s for s in segments(window) if s["id"] ==
                        panel.segments.topLevelItem(n).data(0, SEGMENT_ROLE))["confidence"]
                   for n in range(panel.segments.topLevelItemCount())]
    assert confidences == sorted(confidences)


def test_a_running_job_stays_view_only(qtbot, window, store, data_dir, words, monkeypatch):
    job = run_job(store, data_dir, words)
    open_review(qtbot, window, job)
    assert window.review_edits.act_verify.isEnabled()
    asked = []  # Delete in the job table still offers to remove the job
    monkeypatch.setattr(QMessageBox, "exec", lambda box: asked.append(box.text()))
    window.table.setFocus()
    press(qtbot, Qt.Key.Key_Delete)
    assert asked and asked[0].startswith("Remove “gate.mp4”")
    assert all(s["review_state"] == "unreviewed" for s in segments(window))
    running = stored_job(store, words, [], finish=False)  # a job still being read
    window.model.upsert([running])
    window.table.select_job(running.job_id)
    qtbot.waitUntil(lambda: window.viewer.job.job_id == running.job_id and
                    window.review_edits.view is None, timeout=5000)
    assert not window.review_edits.act_verify.isEnabled()
    assert not window.panel.review_bar.isVisible()


def test_retrying_a_reviewed_job_asks_first_and_keeps_the_old_edits(qtbot, window, store,
                                                                    data_dir, words,
                                                                    monkeypatch):
    job = run_job(store, data_dir, words)
    review.set_text(store, job.job_id, 1, "GATE 14 NOW")
    asked = []

    def answer(box):
        asked.append(box.text())
        next(b for b in box.buttons() if b.text() == "Cancel").click()
    monkeypatch.setattr(QMessageBox, "exec", answer)
    open_review(qtbot, window, job)
    window.job_actions.act_retry.trigger()
    qtbot.waitUntil(lambda: bool(asked), timeout=5000)
    assert "“gate.mp4” has review edits" in asked[0]
    assert store.get_job(job.job_id).status == "completed"  # not retried

    def retry(box):
        next(b for b in box.buttons() if b.text() == "Retry").click()
    monkeypatch.setattr(QMessageBox, "exec", retry)
    window.job_actions.act_retry.trigger()
    qtbot.waitUntil(lambda: store.get_job(job.job_id).status != "completed", timeout=5000)
    log = store._cursor().execute("SELECT count(*) FROM review_log WHERE job_id = ?",
                                  [job.job_id]).fetchone()[0]
    assert log == 1  # the earlier run's edit stays in the log


def test_suggested_fixes_are_shown_and_applied_only_when_accepted(qtbot, window, store,
                                                                  data_dir, words):
    job = run_job(store, data_dir, words)
    review.set_text(store, job.job_id, 3, "TH1RD W0RD")
    open_review(qtbot, window, job)

    def keep_none(dialog):
        assert dialog.list.count() == 1 and "“THIRD WORD”" in dialog.list.item(0).text()
        dialog.reject()
    answering(keep_none)
    window.review_edits.act_suggest.trigger()
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None, timeout=5000)
    assert seg(window, 3)["text"] == "TH1RD W0RD"

    answering(lambda dialog: dialog.accept_all.click())
    window.review_edits.act_suggest.trigger()
    wait_review(qtbot, window, lambda: seg(window, 3)["text"] == "THIRD WORD")

    def replace(dialog):
        dialog.find.setText("word")
        dialog.replace.setText("TERM")
        dialog.accept()
    answering(replace)
    window.review_edits.act_replace.trigger()
    wait_review(qtbot, window, lambda: seg(window, 3)["text"] == "THIRD TERM")


def test_keys_on_the_objects_tab_merge_relabel_split_verify_and_reject_tracks(
        qtbot, window, store, video):  # noqa: F811
    job = stored_job(store, video, track_frames(), pipeline="yolo_ocr")
    open_job(qtbot, window, job)
    edits, panel, viewer = window.review_edits, window.panel, window.viewer
    wait_review(qtbot, window, lambda: len(edits.view.tracks) == 2)
    panel.tabs.setCurrentIndex(1)
    tree = panel.tracks
    tree.setCurrentItem(tree.topLevelItem(0))
    tree.topLevelItem(1).setSelected(True)
    tree.setFocus()

    def tracks():
        return {t["id"]: t for t in edits.view.tracks}
    press(qtbot, Qt.Key.Key_M)  # the two selected are one car: the tracker switched ids
    wait_review(qtbot, window, lambda: list(tracks()) == [4])
    assert (tracks()[4]["first_frame"], tracks()[4]["last_frame"]) == (0, 20)

    def relabel(dialog):
        dialog.label.setText("van")
        dialog.text.setText("AB 1234")
        dialog.accept()
    tree.setCurrentItem(tree.topLevelItem(0))
    tree.setFocus()
    answering(relabel)
    press(qtbot, Qt.Key.Key_F2)
    wait_review(qtbot, window, lambda: (tracks()[4]["label"], tracks()[4].get("text")) ==
                ("van", "AB 1234"))
    assert tracks()[4]["machine_label"] == "car"
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)

    viewer.seek(15)
    qtbot.waitUntil(lambda: viewer.shown_index == 15, timeout=5000)
    assert [d.label for d in viewer.view.result.detections] == ["van"]  # drawn as corrected
    tree.setCurrentItem(tree.topLevelItem(0))
    tree.setFocus()
    press(qtbot, Qt.Key.Key_S)
    wait_review(qtbot, window, lambda: len(tracks()) == 2)
    new_id = max(tracks())
    assert (tracks()[4]["last_frame"], tracks()[new_id]["first_frame"]) == (14, 15)

    tree.setCurrentItem(next(tree.topLevelItem(n) for n in range(2)
                             if tree.topLevelItem(n).data(0, TRACK_ROLE) == 4))
    tree.setFocus()
    press(qtbot, Qt.Key.Key_Return)
    wait_review(qtbot, window, lambda: tracks()[4]["review_state"] == "verified")
    tree.setCurrentItem(next(tree.topLevelItem(n) for n in range(2)
                             if tree.topLevelItem(n).data(0, TRACK_ROLE) == new_id))
    tree.setFocus()
    press(qtbot, Qt.Key.Key_Delete)
    wait_review(qtbot, window, lambda: tracks()[new_id]["review_state"] == "rejected")
    assert panel.review_bar.text() == "1 of 4 verified, 1 rejected"  # its 2 segments too
    viewer.seek(17)
    qtbot.waitUntil(lambda: viewer.shown_index == 17, timeout=5000)
    assert viewer.view.result.detections == []  # the rejected part is not drawn


def test_bookmarks_and_notes_are_listed_marked_on_the_timeline_and_undone(
        qtbot, window, store, data_dir, words):
    job = run_job(store, data_dir, words)
    open_review(qtbot, window, job)
    edits, panel, viewer = window.review_edits, window.panel, window.viewer
    viewer.seek(12)
    qtbot.waitUntil(lambda: viewer.shown_index == 12, timeout=5000)
    answering(lambda dialog: (dialog.setTextValue("the gate changes here"), dialog.accept()))
    press(qtbot, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    wait_review(qtbot, window, lambda: len(edits.view.notes) == 1)
    note = edits.view.notes[0]
    assert (note["on"], note["frame"], note["text"]) == ("frame", 12, "the gate changes here")
    assert panel.tabs.tabText(2) == "Notes (1)"
    strip = viewer.scrubber
    qtbot.waitUntil(lambda: strip.notes == edits.view.notes, timeout=5000)
    x = strip._x(note["time_s"])
    assert "Note: the gate changes here" in strip.hover_text(x)
    image = strip.render_image()

    def bluish(px: int, py: int) -> bool:
        c = QColor(image.pixel(px, py))
        return c.blue() > 180 and c.red() < 140 and c.green() < 200
    assert any(bluish(round(x) + dx, dy) for dx in range(-1, 8) for dy in range(1, 6))
    assert not any(bluish(round(x) + 40 + dx, dy) for dx in range(8) for dy in range(1, 6))

    # A note on the segment on screen, then edited and removed on the Notes tab.
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    viewer.view.setFocus()
    answering(lambda dialog: (dialog.setTextValue("check the spelling"), dialog.accept()))
    press(qtbot, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier |
          Qt.KeyboardModifier.ShiftModifier)
    wait_review(qtbot, window, lambda: len(edits.view.notes) == 2)
    on_segment = next(n for n in edits.view.notes if n["on"] == "segment")
    assert on_segment["target"] == 2 and on_segment["text"] == "check the spelling"
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    panel.tabs.setCurrentIndex(2)
    tree = panel.notes
    tree.setCurrentItem(next(tree.topLevelItem(n) for n in range(2)
                             if tree.topLevelItem(n).data(0, NOTE_ROLE) == on_segment["id"]))
    tree.setFocus()
    press(qtbot, Qt.Key.Key_Delete)
    wait_review(qtbot, window, lambda: len(edits.view.notes) == 1)
    press(qtbot, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the removal, undone
    wait_review(qtbot, window, lambda: len(edits.view.notes) == 2)
    assert review.open_review(store, job.job_id).done  # in the edit log, like every action
