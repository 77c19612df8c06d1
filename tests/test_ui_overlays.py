"""Overlay labels on a job read by the real runner from a video with two stacked lines: no
label covers the other line's box on screen (large, small, at a device pixel ratio of 2), in
the exported PNG or in the annotated MP4, which all come from one renderer; Labels off draws
the boxes only."""
import json
import os
import subprocess
import sys

import cv2
import numpy as np
import pytest

from foresyte_desktop.core.annotate import grab_frame
from foresyte_desktop.core.overlay_draw import OverlayOptions, draw_overlays
from foresyte_desktop.core.results import build_results
from tests.overlay_checks import array, label_pixels_in_boxes, line_boxes, on_screen
from tests.real_jobs import run_job, stacked_video
from tests.stored_jobs import open_job

BOTH = 5  # an analysed frame with both lines on screen


@pytest.fixture(scope="module")
def stacked(tmp_path_factory):
    return stacked_video(tmp_path_factory.mktemp("stacked") / "stacked.mp4")


def show_both_lines(qtbot, window, store, data_dir, video):
    job = run_job(store, data_dir, video, stride=5)
    open_job(qtbot, window, job)
    viewer = window.viewer
    viewer.seek(BOTH)
    qtbot.waitUntil(lambda: viewer.shown_index == BOTH and viewer.view.result is not None
                    and len(viewer.view.result.ocr) == 2, timeout=10_000)
    return job, viewer.view.result


def test_labels_cover_no_other_line_on_screen_in_the_png_and_in_the_mp4(
        qtbot, window, store, data_dir, stacked, tmp_path):
    job, result = show_both_lines(qtbot, window, store, data_dir, stacked)
    viewer, view = window.viewer, window.viewer.view
    widths = [10_000]
    for size in ((1600, 1000), (1000, 600)):  # the video large, then shrunk
        window.resize(*size)
        qtbot.waitUntil(lambda: view.viewport().width() < min(size[0], widths[-1]),
                        timeout=5_000)
        widths.append(view.viewport().width())
        changed, inside = on_screen(view, result)
        assert changed > 100 and inside == 0, (size, changed, inside)

    # Labels off: the boxes only, from the window's own toggle.
    viewer.act_show_labels.setChecked(True)
    labelled = array(view.render_frame())
    viewer.act_show_labels.setChecked(False)
    assert not view.show_labels
    boxes_only = array(view.render_frame())
    changed, inside = label_pixels_in_boxes(labelled, boxes_only, line_boxes(result))
    assert changed > 100 and inside == 0
    viewer.act_show_labels.setChecked(True)

    # The PNG is the renderer's frame, pixel for pixel.
    exports = window.frame_exports
    exports.export_frame_to(tmp_path / "frame")
    png = tmp_path / "frame.png"
    qtbot.waitUntil(png.exists, timeout=10_000)
    drawn = draw_overlays(grab_frame(stacked, BOTH), result, OverlayOptions())
    saved = cv2.imread(str(png))
    assert saved.shape == drawn.shape and np.array_equal(saved, drawn)

    # The MP4's frame is the same picture, up to H.264's loss.
    target = tmp_path / "stacked annotated.mp4"
    with qtbot.waitSignal(exports.video_exporter.finished, timeout=120_000):
        exports.export_video_to(job, target)
    cap = cv2.VideoCapture(str(target))
    cap.set(cv2.CAP_PROP_POS_FRAMES, BOTH)
    ok, frame = cap.read()
    cap.release()
    # Every 8 × 8 block of the same colour on average (H.264 blurs the colour of thin
    # outlines, not the average): each label where the PNG has it, none missing or added.
    def blocks(image):
        h, w = (n - n % 8 for n in image.shape[:2])
        return image[:h, :w].astype(float).reshape(h // 8, 8, w // 8, 8, 3).mean(axis=(1, 3))
    boxes_only = draw_overlays(grab_frame(stacked, BOTH), result, OverlayOptions(labels=False))
    assert ok and np.abs(blocks(frame) - blocks(drawn)).max() < 40
    assert np.abs(blocks(drawn) - blocks(boxes_only)).max() > 100  # what a label changes
    changed, inside = label_pixels_in_boxes(drawn, boxes_only, line_boxes(result))
    assert changed > 100 and inside == 0


def test_labels_cover_no_other_line_at_a_device_pixel_ratio_of_2(
        qtbot, window, store, data_dir, stacked, tmp_path):
    job, _ = show_both_lines(qtbot, window, store, data_dir, stacked)
    results = tmp_path / "results.json"
    results.write_text(json.dumps(build_results(store, job)["results"]), encoding="utf-8")
    env = dict(os.environ, QT_SCALE_FACTOR="2", QT_QPA_PLATFORM="offscreen")
    run = subprocess.run([sys.executable, "-m", "tests.overlay_checks", str(results),
                          str(stacked), str(BOTH), "480", "270"], capture_output=True,
                         text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["ratio"] == 2.0 and seen["layer_scale"] >= 2  # drawn at the screen's pixels
    assert seen["changed"] > 100 and seen["inside"] == 0, seen
