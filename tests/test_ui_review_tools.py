"""The viewer's review tools in the real window: following a tracked object (highlight, zoom, the
follow bar, its span on the timeline), drawing a text region for queued jobs, and exporting
the frame on screen as PNG and the job as an annotated MP4 with a progress bar.

Results are written straight into a real store (plumbing: no OCR or detector runs); frames
come from a real video, and what is drawn is read back as pixels.
"""
import cv2
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage
from PySide6.QtTest import QTest

from foresyte_desktop.core.model import Detection, FrameResult, JobSpec, OcrLine
from foresyte_desktop.ui.frame_view import FOLLOW_COLOR, OCR_COLOR, class_color
from tests.stored_jobs import open_job, stored_job
from tests.videos import make_text_video

PLATE = "ABC123"


def truck_box(i: int) -> list[float]:
    """The truck drives right, 4 pixels a frame."""
    return [40.0 + 4 * i, 90.0, 140.0 + 4 * i, 150.0]


def person_box(_i: int) -> list[float]:
    return [250.0, 20.0, 300.0, 120.0]


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    """30 frames of 320×180 at 10 fps."""
    return make_text_video(tmp_path_factory.mktemp("review") / "street.mp4", [(PLATE, 30)],
                           fps=10, size=(320, 180), scale=1.0)


def frames() -> list[FrameResult]:
    """A person (track 7) on frames 0-10; a truck (track 4) on frames 5-20 whose plate reads
    ABC123 (once A8C123); nothing after frame 20."""
    out = []
    for i in range(30):
        dets, ocr = [], []
        if i <= 10:
            dets.append(Detection("person", 0, 0.8, person_box(i), 7))
        if 5 <= i <= 20:
            x1, y1, x2, y2 = truck_box(i)
            dets.append(Detection("truck", 7, 0.9, [x1, y1, x2, y2], 4))
            ocr.append(OcrLine("A8C123" if i == 6 else PLATE, 0.9,
                               [[x1 + 20, y1 + 30], [x1 + 80, y1 + 30], [x1 + 80, y1 + 50],
                                [x1 + 20, y1 + 50]]))
        out.append(FrameResult(i, i / 10, ocr, dets))
    return out


def near(color: QColor, want: QColor, tolerance: int = 45) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(color.getRgb()[:3], want.getRgb()[:3]))


def shown(qtbot, viewer, index: int) -> None:
    qtbot.waitUntil(lambda: viewer.shown_index == index, timeout=10_000)


def test_following_a_tracked_object(qtbot, window, store, video):
    job = stored_job(store, video, frames(), pipeline="yolo_ocr")
    open_job(qtbot, window, job)
    viewer, panel, view = window.viewer, window.panel, window.viewer.view
    qtbot.waitUntil(lambda: panel.tracks.topLevelItemCount() == 2, timeout=10_000)
    assert panel.tabs.tabText(1) == "Objects (2)"
    rows = [[panel.tracks.topLevelItem(r).text(c) for c in range(4)] for r in range(2)]
    assert rows == [["person #7", "0:00.0", "0:01.0", ""],
                    ["truck #4", "0:00.5", "0:02.0", PLATE]]  # the plate agreed by vote
    assert not viewer.act_zoom.isEnabled() and viewer.follow_bar.isHidden()

    # A click on the truck's row follows it: the truck is not on frame 0, so to frame 5.
    panel.tabs.setCurrentIndex(1)
    truck_row = panel.tracks.topLevelItem(1)
    qtbot.mouseClick(panel.tracks.viewport(), Qt.MouseButton.LeftButton,
                     pos=panel.tracks.visualItemRect(truck_row).center())
    shown(qtbot, viewer, 5)
    assert viewer.followed == 4 and view.followed == 4 and truck_row.isSelected()
    bar = viewer.follow_bar.text()
    assert not viewer.follow_bar.isHidden()
    assert "truck #4" in bar and f"reads “{PLATE}” (15 of 16 readings)" in bar
    assert "not on this frame" not in bar

    # The truck in the follow colour, the person dimmed.
    image = view.render_frame()
    x1, y1, x2, _ = truck_box(5)
    assert near(image.pixelColor(round((x1 + x2) / 2), round(y1)), FOLLOW_COLOR)
    person_edge = image.pixelColor(275, 120)
    assert not near(person_edge, class_color(0), tolerance=20)

    # The timeline marks the truck's span from 0.5 s to 2.0 s.
    strip = window.timeline
    assert strip.followed["id"] == 4
    strip_image = strip.render_image()
    ratio = strip_image.width() / strip.width()
    bottom = strip_image.height() - 2

    def strip_at(seconds):
        return strip_image.pixelColor(round(strip._x(seconds) * ratio), bottom)
    assert near(strip_at(1.2), FOLLOW_COLOR) and not near(strip_at(2.8), FOLLOW_COLOR)

    # Z zooms to the truck and keeps it in view as it drives; Last Sighting goes to frame 20.
    scale = view.transform().m11()
    qtbot.keyClick(window.table, Qt.Key.Key_Z)
    assert viewer.act_zoom.isChecked() and view.focus is not None
    assert view.transform().m11() > 1.3 * scale
    viewer.act_last_sighting.trigger()
    shown(qtbot, viewer, 20)
    seen = view.mapToScene(view.viewport().rect()).boundingRect()
    x1, y1, x2, y2 = truck_box(20)
    assert seen.contains(QPointF(x1, y1)) and seen.contains(QPointF(x2, y2))
    assert seen.height() < 150  # zoomed in: not the whole 180-pixel-high frame

    # After its last frame it is off screen: said so, and the whole frame is shown again.
    viewer.seek(25)
    shown(qtbot, viewer, 25)
    assert "not on this frame" in viewer.follow_bar.text() and view.focus is None

    # Esc stops following; a click on the person in the frame follows the person.
    qtbot.keyClick(window.table, Qt.Key.Key_Escape)
    assert viewer.followed is None and viewer.follow_bar.isHidden() and strip.followed is None
    viewer.seek(8)
    shown(qtbot, viewer, 8)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.mapFromScene(QPointF(275, 60)))
    assert viewer.followed == 7 and "person #7" in viewer.follow_bar.text()


def drag(qtbot, view, start: tuple[float, float], end: tuple[float, float]) -> None:
    """Press, move and release the left button over the frame, in frame pixels."""
    a, b = view.mapFromScene(QPointF(*start)), view.mapFromScene(QPointF(*end))
    port = view.viewport()
    QTest.mousePress(port, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    QTest.mouseMove(port, QPoint((a.x() + b.x()) // 2, (a.y() + b.y()) // 2))
    QTest.mouseMove(port, b)
    QTest.mouseRelease(port, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)


def test_a_region_drawn_on_the_frame_applies_to_the_selected_queued_jobs(qtbot, window, store,
                                                                         video):
    first, second, other = (store.add_job(JobSpec(str(video))) for _ in range(3))
    done = stored_job(store, video, frames())  # ended: a region cannot change what it read
    window.model.set_jobs(store.list_jobs())
    open_job(qtbot, window, first)
    tool, view = window.region_tool, window.viewer.view
    window.table.selectRow(window.model.row_of(second.job_id))
    window.table.selectionModel().select(
        window.model.index(window.model.row_of(first.job_id), 0),
        window.table.selectionModel().SelectionFlag.Select |
        window.table.selectionModel().SelectionFlag.Rows)
    qtbot.waitUntil(lambda: view.has_image(), timeout=10_000)
    assert {j.job_id for j in tool.targets()} == {first.job_id, second.job_id}
    assert tool.act_draw.isEnabled() and not tool.act_clear.isEnabled()

    tool.act_draw.trigger()
    assert view.drawing and "2 queued jobs" in window.statusBar().currentMessage()
    drag(qtbot, view, (100, 100), (102, 101))  # a click, not a rectangle: drag again
    assert view.drawing and "too small" in window.statusBar().currentMessage()
    drag(qtbot, view, (320, 180), (0, 135))    # the bottom quarter, dragged upwards
    assert not view.drawing
    qtbot.waitUntil(lambda: store.get_job(first.job_id).roi is not None, timeout=10_000)
    for job_id in (first.job_id, second.job_id):
        assert store.get_job(job_id).roi == pytest.approx((0.0, 0.75, 1.0, 1.0), abs=0.02)
    assert store.get_job(other.job_id).roi is None and store.get_job(done.job_id).roi is None
    qtbot.waitUntil(lambda: "set on 2 queued jobs" in window.statusBar().currentMessage(),
                    timeout=10_000)
    assert "0%–100% across, 75%–100% down" in window.statusBar().currentMessage()
    # The window shows it: the outline on the frame, the region in the job's details.
    qtbot.waitUntil(lambda: view.region is not None, timeout=10_000)
    assert "Text region" in window.panel.details.text()

    # Esc while drawing draws nothing; Clear gives the whole frame back.
    tool.act_draw.trigger()
    qtbot.keyClick(window.table, Qt.Key.Key_Escape)
    assert not view.drawing and "No text region" in window.statusBar().currentMessage()
    assert tool.act_clear.isEnabled()
    tool.act_clear.trigger()
    qtbot.waitUntil(lambda: store.get_job(first.job_id).roi is None and
                    store.get_job(second.job_id).roi is None, timeout=10_000)

    # An ended job cannot take one: the action says why in a sentence.
    window.table.select_job(done.job_id)
    qtbot.waitUntil(lambda: window.viewer.job.job_id == done.job_id, timeout=10_000)
    assert not tool.act_draw.isEnabled()
    tool.start()
    assert "only be set on queued jobs" in window.statusBar().currentMessage()


def test_the_frame_on_screen_exports_as_png_and_to_the_clipboard(qtbot, window, store, video,
                                                                 tmp_path):
    job = stored_job(store, video, frames(), pipeline="yolo_ocr")
    open_job(qtbot, window, job)
    viewer, exports = window.viewer, window.frame_exports
    viewer.seek(12)
    shown(qtbot, viewer, 12)
    assert exports.act_export_frame.isEnabled() and exports.act_copy_frame.isEnabled()
    exports.export_frame_to(tmp_path / "frame twelve")
    target = tmp_path / "frame twelve.png"
    qtbot.waitUntil(target.exists, timeout=10_000)
    qtbot.waitUntil(lambda: "Saved frame image" in window.statusBar().currentMessage(),
                    timeout=10_000)
    image = QImage(str(target))
    assert (image.width(), image.height()) == (320, 180)  # the video's size, not the widget's
    x1, y1, _, _ = truck_box(12)
    assert near(image.pixelColor(round(x1 + 50), round(y1 + 30)), OCR_COLOR)  # the plate's box
    exports.copy_frame()
    copied = QGuiApplication.clipboard().image()
    assert (copied.width(), copied.height()) == (320, 180)


def test_the_job_exports_as_an_annotated_mp4_with_a_progress_bar(qtbot, window, store, video,
                                                                 tmp_path):
    job = stored_job(store, video, frames(), pipeline="yolo_ocr")
    open_job(qtbot, window, job)
    exports = window.frame_exports
    assert exports.act_export_video.isEnabled()
    target = tmp_path / "street annotated.mp4"
    with qtbot.waitSignal(exports.video_exporter.finished, timeout=60_000):
        exports.export_video_to(job, target)
        assert exports.video_bar.isVisible() and not exports.act_export_video.isEnabled()
    assert exports.act_export_video.isEnabled() and not exports.video_bar.isVisible()
    assert f"Wrote {target}" in window.statusBar().currentMessage()
    cap = cv2.VideoCapture(str(target))
    count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    cap.release()
    assert (count, size) == (30, (320, 180))

    # Never over the video it is drawn from: a sentence, and the source untouched.
    before = video.read_bytes()
    with qtbot.waitSignal(exports.video_exporter.failed, timeout=60_000) as failed:
        exports.export_video_to(job, video)
    assert "choose another name" in failed.args[0] and video.read_bytes() == before
    assert "choose another name" in window.notice.text()


def test_new_jobs_can_take_a_band_or_the_region_last_drawn(qtbot, window, store, video,
                                                            tmp_path):
    options = window.options
    assert options.spec().roi is None and options.region_button.text() == "Region: whole frame"
    assert not options.act_last_drawn.isEnabled()
    queued = store.add_job(JobSpec(str(video)))
    window.model.set_jobs(store.list_jobs())
    open_job(qtbot, window, queued)
    window.region_tool.start()
    drag(qtbot, window.viewer.view, (0, 90), (320, 180))  # the bottom half
    qtbot.waitUntil(lambda: store.get_job(queued.job_id).roi is not None, timeout=10_000)
    assert options.act_last_drawn.isEnabled() and "50–100% down" in options.act_last_drawn.text()
    assert options.spec().roi is None  # offered, not imposed

    options.act_last_drawn.trigger()
    assert options.spec().roi == pytest.approx((0.0, 0.5, 1.0, 1.0), abs=0.02)
    assert options.region_button.text() == "Region: drawn"
    assert "0–100% across, 50–100% down" in options.region_button.toolTip()
    copy = tmp_path / "copy.mp4"
    copy.write_bytes(video.read_bytes())
    window.job_actions.add_paths([str(copy)])
    qtbot.waitUntil(lambda: any(j.input_path == str(copy) for j in store.list_jobs()),
                    timeout=10_000)
    added = next(j for j in store.list_jobs() if j.input_path == str(copy))
    assert added.roi == pytest.approx(options.spec().roi)

    # A preset band, remembered with the other choices for new jobs.
    next(a for a in options.region_menu.actions() if a.text().startswith("Bottom")).trigger()
    assert options.spec().roi == (0.0, 0.8, 1.0, 1.0)
    assert options.settings.value("jobs/roi") == "0.0000,0.8000,1.0000,1.0000"
