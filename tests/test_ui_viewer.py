"""The frame view's overlays, drawn for real and read back as pixels, and the viewer's navigation,
segments (merged again only when the frames change) and live updates, on a real video whose
results are stored in a real job database."""
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage

from foresyte_desktop.core.model import Detection, FrameResult, JobSpec, OcrLine
from foresyte_desktop.ui.frame_view import (
    OCR_COLOR, REGION_COLOR, FrameView, class_color, detection_name,
)
from foresyte_desktop.ui.review_panel import ReviewPanel
from tests.stored_jobs import open_job, stored_job
from tests.videos import make_text_video

OCR_BOX = [[20.0, 40.0], [150.0, 40.0], [150.0, 70.0], [20.0, 70.0]]
PERSON = [180.0, 60.0, 300.0, 170.0]
CAR = [20.0, 100.0, 140.0, 170.0]


def pixel(image: QImage, x: int, y: int) -> tuple[int, int, int]:
    c = image.pixelColor(x, y)
    return c.red(), c.green(), c.blue()


def near(a, b: QColor, tolerance=40) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, (b.red(), b.green(), b.blue())))


def frame_result(index=0) -> FrameResult:
    return FrameResult(index, index / 10, ocr=[OcrLine("HELLO WORLD", 0.97, OCR_BOX)],
                       detections=[Detection("person", 0, 0.91, PERSON),
                                   Detection("car", 2, 0.66, CAR)])


@pytest.fixture
def view(qtbot):
    v = FrameView()
    qtbot.addWidget(v)
    v.resize(640, 360)
    v.show()
    v.set_image(np.full((180, 320, 3), 90, np.uint8))
    return v


def test_overlays_are_drawn_in_the_boxes_in_each_class_colour_and_can_be_hidden(view):
    plain = view.render_frame()
    assert (plain.width(), plain.height()) == (320, 180)
    view.set_results(frame_result())
    drawn = view.render_frame()
    # Edges in their class colours, interiors tinted, outside left alone.
    assert near(pixel(drawn, 20, 55), OCR_COLOR)
    assert near(pixel(drawn, 240, 169), class_color(0)) and near(pixel(drawn, 80, 169),
                                                                 class_color(2))
    assert class_color(0) != class_color(2) != OCR_COLOR
    for x, y in ((85, 55), (240, 120), (80, 140)):  # inside each box
        assert pixel(drawn, x, y) != pixel(plain, x, y)
    assert pixel(drawn, 310, 10) == pixel(plain, 310, 10)
    # The labels: the text above the OCR box and the "person 91%" tag above the box.
    label_area = [pixel(drawn, x, 32) for x in range(22, 60)]
    assert any(p != pixel(plain, 30, 32) for p in label_area)

    view.set_layers(ocr=False, detections=True)
    no_text = view.render_frame()
    assert pixel(no_text, 85, 55) == pixel(plain, 85, 55)
    assert pixel(no_text, 240, 120) == pixel(drawn, 240, 120)
    view.set_layers(ocr=True, detections=False)
    no_objects = view.render_frame()
    assert pixel(no_objects, 240, 120) == pixel(plain, 240, 120)
    assert pixel(no_objects, 85, 55) == pixel(drawn, 85, 55)


def test_the_jobs_text_region_is_outlined_and_tracked_objects_show_their_id(view, qtbot):
    plain = view.render_frame()
    view.set_region((0.0, 0.5, 1.0, 1.0))  # the bottom half
    outlined = view.render_frame()
    edge = [pixel(outlined, x, 90) for x in range(0, 320)]
    assert any(near(p, REGION_COLOR) for p in edge)
    assert pixel(outlined, 160, 40) == pixel(plain, 160, 40)
    tracked = Detection("person", 0, 0.91, PERSON, track_id=3)
    assert detection_name(tracked) == "person #3"
    panel = ReviewPanel()
    qtbot.addWidget(panel)
    panel.show_frame(0, FrameResult(0, 0.0, detections=[tracked]))
    assert panel.frame_items.topLevelItem(1).child(0).text(0) == "person #3"


def test_the_view_scales_with_the_widget(view):
    view.set_results(frame_result())
    view.resize(1280, 720)
    small = view.transform().m11()
    view.resize(320 * 3, 180 * 3)
    assert view.transform().m11() == pytest.approx(3.0, abs=0.05) and small != 3.0


@pytest.fixture(scope="module")
def review_video(tmp_path_factory):
    """20 frames at 10 fps; the stored results (below) say where text was read."""
    path = tmp_path_factory.mktemp("viewer") / "review.mp4"
    return make_text_video(path, [("ALPHA", 10), ("", 4), ("OMEGA", 6)], fps=10,
                           size=(320, 180), scale=1.0)


def store_results(store, video, *, finish=True):
    """A stride-2 job on `video` with text on frames 4 and 6 ("ALPHA") and 14 ("OMEGA")."""
    box = [[30.0, 70.0], [160.0, 70.0], [160.0, 100.0], [30.0, 100.0]]
    frames = [FrameResult(i, i / 10, ocr=[OcrLine("ALPHA" if i < 10 else "OMEGA", 0.95, box)]
                          if i in (4, 6, 14) else [])
              for i in range(0, 20, 2)]
    return stored_job(store, video, frames, stride=2, finish=finish)


def test_keys_step_jump_and_play_and_segments_seek(qtbot, window, store, review_video):
    job = store_results(store, review_video)
    open_job(qtbot, window, job)
    viewer, panel = window.viewer, window.panel
    qtbot.waitUntil(lambda: panel.segments.topLevelItemCount() == 2, timeout=10_000)
    assert [panel.segments.topLevelItem(i).text(2) for i in (0, 1)] == ["ALPHA", "OMEGA"]
    assert viewer.frame_count == 20
    window.table.setFocus()

    def shown(index):
        qtbot.waitUntil(lambda: viewer.shown_index == index, timeout=5000)

    qtbot.keyClick(window.table, Qt.Key.Key_Right)
    shown(1)
    qtbot.keyClick(window.table, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    shown(4)
    assert viewer.view.result.frame_index == 4 and panel.frame_title.text().startswith("1 text")
    qtbot.keyClick(window.table, Qt.Key.Key_Right)
    shown(5)  # between analysed frames: the results of frame 4 stand for it
    assert viewer.view.result.frame_index == 4 and "from analysed frame 5" in \
        panel.frame_title.text()
    qtbot.keyClick(window.table, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    shown(8)  # ALPHA, last read on frame 6, is gone
    qtbot.keyClick(window.table, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    shown(14)
    qtbot.keyClick(window.table, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    shown(8)
    assert viewer.time_label.text().startswith("0:00.8 / 0:02.0")

    # A click on a segment seeks to its first frame.
    omega = panel.segments.topLevelItem(1)
    qtbot.mouseClick(panel.segments.viewport(), Qt.MouseButton.LeftButton,
                     pos=panel.segments.visualItemRect(omega).center())
    shown(14)

    # Space plays at the video's rate and pauses; playback stops at the last frame.
    qtbot.keyClick(window.table, Qt.Key.Key_Space)
    assert viewer.playing and viewer.play_timer.interval() == 100
    qtbot.waitUntil(lambda: viewer.shown_index == 19 and not viewer.playing, timeout=10_000)
    qtbot.keyClick(window.table, Qt.Key.Key_Home)
    shown(0)


def test_a_running_job_shows_new_results_as_they_arrive(qtbot, window, store, review_video):
    job = store_results(store, review_video, finish=False)
    open_job(qtbot, window, job)
    viewer = window.viewer
    assert viewer.follow and viewer.act_follow.isChecked()
    assert viewer.view.result is None
    live = FrameResult(0, 0.0, ocr=[OcrLine("ALPHA", 0.9, OCR_BOX)])
    viewer.add_live_frames(job.job_id, [live])  # what the worker's frames_ready delivers
    qtbot.waitUntil(lambda: viewer.view.result is live, timeout=5000)
    assert window.panel.frame_items.topLevelItem(0).child(0).text(0) == "ALPHA"
    viewer.add_live_frames(job.job_id, [FrameResult(2, 0.2)])  # following: the newest frame
    qtbot.waitUntil(lambda: viewer.shown_index == 2, timeout=5000)
    viewer.step(-1)  # looking around stops following
    assert not viewer.follow
    viewer.add_live_frames(job.job_id, [FrameResult(4, 0.4)])
    qtbot.waitUntil(lambda: viewer.shown_index == 1, timeout=5000)
    assert viewer.index == 1
    # Not following, a result for the frame on screen is still drawn at once.
    viewer.seek(8)
    qtbot.waitUntil(lambda: viewer.shown_index == 8, timeout=5000)
    assert viewer.view.result is None
    late = FrameResult(8, 0.8, ocr=[OcrLine("OMEGA", 0.9, OCR_BOX)])
    viewer.add_live_frames(job.job_id, [late])
    assert viewer.view.result is late and viewer.shown_index == 8


def test_segments_are_merged_again_only_when_the_frames_changed(qtbot, window, store,
                                                                review_video):
    line = [[30.0, 70.0], [160.0, 70.0], [160.0, 100.0], [30.0, 100.0]]
    job = stored_job(store, review_video, [], stride=2, finish=False)  # running: frames come live
    store.commit_batch(job.job_id, [FrameResult(i, i / 10, ocr=[OcrLine("ALPHA", 0.95, line)])
                                    for i in (0, 2)], frames_done=2, checkpoint_frame=2)
    job = store.get_job(job.job_id)
    window.model.upsert([job])
    window.table.select_job(job.job_id)
    viewer, merged = window.viewer, []
    qtbot.waitUntil(lambda: window.panel.segments.topLevelItemCount() == 1, timeout=10_000)
    viewer.segments_changed.connect(merged.append)
    viewer.update_job(job)  # the job's row changed, its frames did not
    qtbot.waitUntil(lambda: not viewer._loading, timeout=5000)
    assert merged == []
    viewer.add_live_frames(job.job_id, [FrameResult(8, 0.8, ocr=[OcrLine("OMEGA", 0.9, line)])])
    qtbot.waitUntil(lambda: bool(merged), timeout=5000)
    assert [s["text"] for s in merged[-1]] == ["ALPHA", "OMEGA"]


def test_another_job_on_the_same_video_opens_it_afresh(qtbot, window, store, review_video):
    """Queued twice (say, with and without a region): each job shows the video and its time."""
    first = store_results(store, review_video)
    second = store.add_job(JobSpec(str(review_video)))
    open_job(qtbot, window, first)
    viewer = window.viewer
    viewer.seek(7)
    qtbot.waitUntil(lambda: viewer.shown_index == 7, timeout=10_000)
    open_job(qtbot, window, second)
    assert viewer.frame_count == 20 and viewer.index == 0 and viewer.scrubber.position_s == 0
    assert viewer.time_label.text().startswith("0:00.0 / 0:02.0")
    assert viewer.act_step_forward.isEnabled()
