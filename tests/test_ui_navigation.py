"""Moving through a job in the real window, on jobs run with real OCR on real videos: the
next and previous change and text segment, each job reopened where it was left, a go-to-time
field, a playback speed, the segment list following the frame on screen, and where the keys go
(a click on the video takes them from a text field, Esc leaves one)."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.real_jobs import run_job
from tests.stored_jobs import open_job
from tests.videos import make_text_video

WORDS = ["APPLE", "BANANA", "CHERRY", "DAMSON", "ELDER", "FIG", "GRAPE", "LEMON", "MANGO",
         "PEACH"]
SHOWN = 4  # frames each word is on screen
BLANK = 3  # frames with no text after the fifth word


@pytest.fixture(scope="module")
def words_video(tmp_path_factory):
    """10 fps: each word for 4 frames, one after the other, with 3 blank frames after ELDER:
    text on nearly every frame, as with subtitles or a ticker."""
    script = [(w, SHOWN) for w in WORDS[:5]] + [("", BLANK)] + [(w, SHOWN) for w in WORDS[5:]]
    return make_text_video(tmp_path_factory.mktemp("nav") / "words.mp4", script, fps=10,
                           size=(320, 180), scale=1.0)


@pytest.fixture(scope="module")
def short_video(tmp_path_factory):
    return make_text_video(tmp_path_factory.mktemp("nav") / "short.mp4",
                           [("OTHER", 8)], fps=10, size=(320, 180), scale=1.0)


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key as the user presses it: to the widget that has the keyboard focus."""
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)


def open_real(qtbot, window, store, data_dir, video, **kw):
    job = run_job(store, data_dir, video, **kw)
    open_job(qtbot, window, job)
    qtbot.waitUntil(lambda: window.panel.segments.topLevelItemCount() > 0, timeout=10_000)
    return job


def test_shift_arrows_go_to_the_next_change_and_ctrl_arrows_to_the_next_segment(
        qtbot, window, store, data_dir, words_video):
    job = open_real(qtbot, window, store, data_dir, words_video)
    viewer = window.viewer
    window.table.setFocus()
    # Where the OCR last read ELDER, the last word before the blank frames.
    elder_gone = 1 + max(f.frame_index for f in store.frame_results(job.job_id)
                         if any(line.text == "ELDER" for line in f.ocr))
    assert 5 * SHOWN - 2 <= elder_gone < 5 * SHOWN + BLANK

    def shown(index):
        qtbot.waitUntil(lambda: viewer.shown_index == index, timeout=5000)

    # Text on every frame: Shift+→ goes where the word changes, not to the next frame.
    press(qtbot, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    shown(4)
    starts = [n * SHOWN for n in range(5)] + [5 * SHOWN + BLANK + n * SHOWN for n in range(5)]
    assert viewer.changes.starts == starts  # one segment per word, as the OCR read them
    press(qtbot, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    shown(8)
    viewer.seek(elder_gone - 2)
    shown(elder_gone - 2)
    press(qtbot, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    shown(elder_gone)  # ELDER goes: a change with no segment starting
    press(qtbot, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    shown(23)  # FIG comes
    press(qtbot, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    shown(elder_gone)
    # Ctrl+→ / Ctrl+←: the segments' starts only.
    viewer.seek(17)
    shown(17)
    press(qtbot, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    shown(23)
    press(qtbot, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    shown(27)
    viewer.seek(29)
    shown(29)
    press(qtbot, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    shown(27)  # the start of the segment on screen
    press(qtbot, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    shown(23)
    assert viewer.view.result.ocr[0].text == "FIG"
    press(qtbot, Qt.Key.Key_End)
    shown(viewer.frame_count - 1)
    press(qtbot, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)  # PEACH lasts to the end
    assert viewer.index == viewer.frame_count - 1


def test_each_job_opens_again_where_it_was_left(qtbot, window, store, data_dir, words_video,
                                                short_video):
    words = open_real(qtbot, window, store, data_dir, words_video)
    viewer = window.viewer
    viewer.seek(29)
    qtbot.waitUntil(lambda: viewer.shown_index == 29, timeout=5000)
    other = run_job(store, data_dir, short_video)
    open_job(qtbot, window, other)  # a job never opened starts at its first frame
    viewer.seek(5)
    qtbot.waitUntil(lambda: viewer.shown_index == 5, timeout=5000)
    window.table.select_job(words.job_id)
    qtbot.waitUntil(lambda: viewer.job.job_id == words.job_id and viewer.shown_index == 29,
                    timeout=10_000)
    assert viewer.index == 29 and viewer.scrubber.position_s == pytest.approx(2.9)
    assert viewer.time_label.text().startswith("0:02.9")
    window.table.select_job(other.job_id)
    qtbot.waitUntil(lambda: viewer.job.job_id == other.job_id and viewer.shown_index == 5,
                    timeout=10_000)


def test_go_to_a_typed_time_or_frame_and_play_at_another_speed(qtbot, window, store, data_dir,
                                                               words_video):
    open_real(qtbot, window, store, data_dir, words_video)
    viewer = window.viewer
    window.table.setFocus()
    press(qtbot, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is viewer.goto
    qtbot.keyClicks(viewer.goto, "0:02.8")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: viewer.shown_index == 28, timeout=5000)
    assert viewer.view.result.ocr[0].text == "GRAPE"
    assert QApplication.focusWidget() is viewer.view  # the arrows work on the frames again
    press(qtbot, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: viewer.shown_index == 29, timeout=5000)
    viewer.goto.setText("#3")  # frame numbers as the window shows them, from 1
    viewer.goto.returnPressed.emit()
    qtbot.waitUntil(lambda: viewer.shown_index == 2, timeout=5000)
    viewer.goto.setText("ten past")
    viewer.goto.returnPressed.emit()
    assert viewer.index == 2 and "is not a time" in viewer.goto.toolTip()

    viewer.speed_box.setCurrentIndex(viewer.speed_box.findText("2×"))
    assert viewer.speed == 2.0
    press(qtbot, Qt.Key.Key_Space)
    assert viewer.playing and viewer.play_timer.interval() == 50  # 10 fps, twice as fast
    qtbot.waitUntil(lambda: not viewer.playing, timeout=10_000)
    assert viewer.shown_index == viewer.frame_count - 1


def test_the_segment_list_selects_and_scrolls_to_the_text_on_screen(qtbot, window, store,
                                                                    data_dir, words_video):
    open_real(qtbot, window, store, data_dir, words_video)
    viewer, panel = window.viewer, window.panel
    panel.setSizes([500, 90, 300])  # room for two or three rows: the list has to scroll
    tree = panel.segments

    def selected():
        return [item.text(2) for item in tree.selectedItems()]

    def visible(text):
        item = tree.findItems(text, Qt.MatchFlag.MatchExactly, 2)[0]
        return tree.viewport().rect().intersects(tree.visualItemRect(item))

    qtbot.waitUntil(lambda: selected() == ["APPLE"], timeout=5000)
    viewer.seek(38)
    qtbot.waitUntil(lambda: selected() == ["MANGO"], timeout=5000)
    assert visible("MANGO") and not visible("APPLE")
    viewer.seek(21)  # between ELDER and FIG: no text on screen
    qtbot.waitUntil(lambda: viewer.shown_index == 21, timeout=5000)
    assert selected() == []
    viewer.seek(1)
    qtbot.waitUntil(lambda: selected() == ["APPLE"], timeout=5000)
    assert visible("APPLE")


def test_a_click_on_the_video_takes_the_keys_from_the_filter_and_esc_leaves_it(
        qtbot, window, store, data_dir, words_video):
    open_real(qtbot, window, store, data_dir, words_video)
    viewer, panel = window.viewer, window.panel
    window.activateWindow()
    qtbot.mouseClick(panel.filter, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is panel.filter, timeout=5000)
    qtbot.keyClicks(panel.filter, "an")
    assert [panel.segments.topLevelItem(n).isHidden()
            for n in range(3)] == [True, False, True]  # BANANA stays
    press(qtbot, Qt.Key.Key_Right)  # in the box, the arrow moves its cursor
    assert viewer.shown_index == 0 and panel.filter.cursorPosition() == 2

    qtbot.mouseClick(viewer.view.viewport(), Qt.MouseButton.LeftButton,
                     pos=viewer.view.viewport().rect().center())
    press(qtbot, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: viewer.shown_index == 1, timeout=5000)
    press(qtbot, Qt.Key.Key_Space)
    assert viewer.playing
    press(qtbot, Qt.Key.Key_Space)
    assert not viewer.playing and panel.filter.text() == "an"

    # Esc leaves a text field for the frames.
    qtbot.mouseClick(panel.filter, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is panel.filter, timeout=5000)
    press(qtbot, Qt.Key.Key_Escape)
    assert QApplication.focusWidget() is viewer.view
    index = viewer.index
    press(qtbot, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: viewer.shown_index == index + 1, timeout=5000)
    assert panel.filter.text() == "an"
