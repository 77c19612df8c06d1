"""Overlays drawn on frames, and the annotated MP4: its frame count, size and progress."""
import cv2
import numpy as np
import pytest

from foresyte_desktop import cli
from foresyte_desktop.core.annotate import write_annotated_video
from foresyte_desktop.core.errors import ForesyteError
from foresyte_desktop.core.model import Detection, FrameResult, JobSpec, OcrLine
from foresyte_desktop.core.overlay_draw import (
    OCR_COLOR, REGION_COLOR, OverlayOptions, draw_overlays,
)
from foresyte_desktop.core.store import JobStore

HELLO = [[40.0, 140.0], [330.0, 140.0], [330.0, 190.0], [40.0, 190.0]]


def results(indices):
    return [FrameResult(i, i / 10, [OcrLine("HELLO WORLD", 0.95, HELLO)],
                        [Detection("sign", 3, 0.7, [20.0, 120.0, 360.0, 210.0], 1)])
            for i in indices]


def probe(path):
    cap = cv2.VideoCapture(str(path))
    count, size = 0, None
    while True:
        ok, image = cap.read()
        if not ok:
            break
        count, size = count + 1, image.shape[1::-1]
    cap.release()
    return count, size


def test_overlays_are_drawn_on_a_copy():
    image = np.zeros((360, 640, 3), np.uint8)
    out = draw_overlays(image, results([0])[0], OverlayOptions(region=(0.0, 0.5, 1.0, 1.0)))
    assert not image.any() and out.shape == image.shape
    bgr = lambda rgb: rgb[::-1]  # noqa: E731
    near = lambda pixels, color: np.abs(pixels.astype(int) - bgr(color)).max(axis=-1) < 40  # noqa: E731
    assert near(out[139:142, 100:300], OCR_COLOR).any(axis=0).all()  # the line's top edge
    assert near(out[185:, 0:2], REGION_COLOR).any() and not out[:175, 0:2].any()  # region only
    assert (draw_overlays(image, None) == 0).all()


def test_annotated_video_has_the_source_frames_and_size(text_video, tmp_path):
    calls = []
    out = write_annotated_video(text_video, results([0, 10, 20, 30]), tmp_path / "a.mp4",
                                stride=10, progress=lambda d, t: calls.append((d, t)))
    assert out == tmp_path / "a.mp4"
    assert probe(out) == (40, (640, 360))  # the source: 40 frames of 640×360
    assert calls[-1] == (40, 40) and [d for d, _ in calls] == list(range(1, 41))
    cap = cv2.VideoCapture(str(out))
    cap.set(cv2.CAP_PROP_POS_FRAMES, 15)  # shows analysed frame 10's overlay
    ok, image = cap.read()
    cap.release()
    amber = (image[:, :, 2] > 180) & (image[:, :, 1] > 150) & (image[:, :, 0] < 90)
    assert ok and amber[130:200, 30:340].sum() > 200
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.mp4"]  # no temporary file left


def test_the_video_covers_the_analysed_span_and_cancel_leaves_nothing(text_video, tmp_path):
    short = write_annotated_video(text_video, results([0, 5]), tmp_path / "s.mp4", stride=5)
    assert probe(short) == (10, (640, 360))
    assert write_annotated_video(text_video, results([0]), tmp_path / "c.mp4",
                                 cancel=lambda: True) is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.mp4"]


def test_cli_exports_the_annotated_mp4(data_dir, text_video, tmp_path, capsys):
    with JobStore.open(data_dir) as store:
        job = store.add_job(JobSpec(str(text_video), "yolo_ocr", 10))
        store.commit_batch(job.job_id, results([0, 10]), frames_done=2, checkpoint_frame=10)
    args = ["export", job.job_id[:8], "--format", "mp4", "--data-dir", str(data_dir)]
    assert cli.main(args) == 2 and "-o PATH" in capsys.readouterr().err
    target = tmp_path / "annotated.mp4"
    assert cli.main(args + ["-o", str(target)]) == 0
    assert probe(target) == (20, (640, 360))
    err = capsys.readouterr().err
    assert "20/20 frames (100%)" in err and f"Wrote {target}" in err
    assert cli.main(args + ["-o", str(target)]) == 1  # exists, and no --force


def test_the_annotated_copy_never_replaces_its_source(text_video):
    before = text_video.read_bytes()
    with pytest.raises(ForesyteError, match="choose another name"):
        write_annotated_video(text_video, results([0]), text_video.parent / "." /
                              text_video.name)
    assert text_video.read_bytes() == before
