"""The scrubber under the viewer, drawn for real and read back as pixels, on a real video whose
results are in a real store: written with commit_batch (plumbing, for objects), or read by a
job run with real OCR. One strip holds the position and the text; a drag seeks; the hover text
stays while the pointer rests."""
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QHelpEvent, QMouseEvent
from PySide6.QtWidgets import QApplication, QSlider, QToolTip

from foresyte_desktop.core.model import Detection, FrameResult, OcrLine
from foresyte_desktop.core.video import probe
from foresyte_desktop.ui.frame_view import OCR_COLOR
from foresyte_desktop.ui.timeline_strip import BACKGROUND, TEXT_ROW, TOP
from tests.real_jobs import run_job
from tests.stored_jobs import open_job, stored_job
from tests.videos import make_text_video

BOX = [[30.0, 70.0], [160.0, 70.0], [160.0, 100.0], [30.0, 100.0]]


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    """40 frames at 10 fps: ALPHA on frames 0-9, nothing, then OMEGA on 30-39."""
    return make_text_video(tmp_path_factory.mktemp("timeline") / "strip.mp4",
                           [("ALPHA", 10), ("", 20), ("OMEGA", 10)], fps=10, size=(320, 180),
                           scale=1.0)


def timeline_job(store, video):
    info = probe(video)
    frames = []
    for i in range(info.frame_count):
        text = "ALPHA" if i < 10 else "OMEGA" if i >= 30 else None
        frames.append(FrameResult(
            i, i / 10, ocr=[OcrLine(text, 0.95, BOX)] if text else [],
            detections=[Detection("person", 0, 0.9, [10.0, 10.0, 60.0, 90.0])]
            if 15 <= i < 25 else []))
    return stored_job(store, video, frames, pipeline="yolo_ocr")


def near(pixel, color, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in
               zip((pixel.red(), pixel.green(), pixel.blue()),
                   (color.red(), color.green(), color.blue())))


def test_the_strip_shows_text_bars_and_object_density_and_seeks_on_click(qtbot, window, store,
                                                                         video):
    job = timeline_job(store, video)
    window.model.set_jobs(store.list_jobs())
    window.table.select_job(job.job_id)
    strip, viewer = window.timeline, window.viewer
    qtbot.waitUntil(lambda: strip.timeline is not None and len(strip.timeline.text_bars) == 2
                    and viewer.info is not None, timeout=10_000)
    assert list(strip.timeline.density) == ["person"]
    image = strip.render_image()
    ratio = image.width() / strip.width()  # device pixels per widget pixel
    text_y = round((TOP + TEXT_ROW / 2) * ratio)
    band_y = round((TOP + TEXT_ROW + 3 + 4) * ratio)

    def at(seconds, y):
        return image.pixelColor(round(strip._x(seconds) * ratio), y)

    assert near(at(0.5, text_y), OCR_COLOR) and near(at(3.5, text_y), OCR_COLOR)
    assert near(at(2.0, text_y), BACKGROUND)  # no text between the segments
    assert not near(at(2.0, band_y), BACKGROUND)  # the person, from 1.5 s to 2.5 s
    assert near(at(0.5, band_y), BACKGROUND)

    # A click at 3.2 s goes to frame 32; the position line follows.
    x = round(strip._x(3.2))
    qtbot.mouseClick(strip, Qt.MouseButton.LeftButton, pos=QPoint(x, strip.height() // 2))
    qtbot.waitUntil(lambda: viewer.shown_index == 32, timeout=10_000)
    assert strip.position_s == pytest.approx(3.2)
    line = strip.render_image().pixelColor(round(strip._x(3.2) * ratio), 1)
    assert line.red() > 200 and line.green() < 120

    # Hovering names the text under the cursor.
    assert strip.text_at(0.5) == ["ALPHA"] and strip.text_at(2.0) == []
    qtbot.mouseMove(strip, QPoint(round(strip._x(0.5)), strip.height() // 2))
    qtbot.waitUntil(lambda: "ALPHA" in QToolTip.text(), timeout=5000)


def test_one_scrubber_shows_the_position_and_the_text_and_a_drag_seeks(
        qtbot, window, store, data_dir, video):
    job = run_job(store, data_dir, video)
    open_job(qtbot, window, job)
    strip, viewer = window.timeline, window.viewer
    qtbot.waitUntil(lambda: strip.timeline is not None and len(strip.timeline.text_bars) == 2,
                    timeout=10_000)
    # One strip for both: no slider of its own beside it, so a moment has one x.
    assert strip is viewer.scrubber and viewer.findChildren(QSlider) == []
    assert viewer.isAncestorOf(strip)
    omega_start = strip.timeline.text_bars[1][0]
    viewer.seek(round(omega_start * 10))
    qtbot.waitUntil(lambda: viewer.shown_index == round(omega_start * 10), timeout=5000)
    image = strip.render_image()
    ratio = image.width() / strip.width()
    x = strip._x(omega_start)
    handle = image.pixelColor(round(x * ratio), 1)
    assert handle.red() > 200 and handle.green() < 120  # the position, at the bar's start
    assert near(image.pixelColor(round((x + 3) * ratio), round((TOP + 2) * ratio)), OCR_COLOR)
    assert near(image.pixelColor(round((x - 3) * ratio), round((TOP + 2) * ratio)), BACKGROUND)

    # Dragging the handle scrubs through the video.
    y = strip.height() // 2
    qtbot.mousePress(strip, Qt.MouseButton.LeftButton, pos=QPoint(round(strip._x(0.5)), y))
    qtbot.waitUntil(lambda: viewer.shown_index == 5, timeout=5000)
    for seconds in (1.0, 1.5, 2.2):
        move = QMouseEvent(QEvent.Type.MouseMove, QPointF(strip._x(seconds), y),
                           strip.mapToGlobal(QPointF(strip._x(seconds), y)),
                           Qt.MouseButton.NoButton, Qt.MouseButton.LeftButton,
                           Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(strip, move)
    qtbot.waitUntil(lambda: viewer.shown_index == 22, timeout=5000)
    qtbot.mouseRelease(strip, Qt.MouseButton.LeftButton, pos=QPoint(round(strip._x(2.2)), y))
    assert not strip._dragging


def test_the_hover_text_stays_while_the_pointer_rests(qtbot, window, store, data_dir, video):
    job = run_job(store, data_dir, video)
    open_job(qtbot, window, job)
    strip = window.timeline
    qtbot.waitUntil(lambda: strip.timeline is not None and len(strip.timeline.text_bars) == 2,
                    timeout=10_000)
    pos = QPoint(round(strip._x(3.5)), strip.height() // 2)
    qtbot.mouseMove(strip, pos)
    qtbot.waitUntil(lambda: "OMEGA" in QToolTip.text(), timeout=5000)
    # The pointer rests: Qt asks the strip for its tooltip, and the hover text is kept.
    rest = QHelpEvent(QEvent.Type.ToolTip, pos, strip.mapToGlobal(pos))
    QApplication.sendEvent(strip, rest)
    assert QToolTip.isVisible() and QToolTip.text().splitlines() == ["0:03.5", "OMEGA"]
