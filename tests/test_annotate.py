"""Overlays drawn on frames, and the annotated MP4: its frame count, codec, size, audio, file
mode and time range, its progress, and a sentence when the decoder crashes."""
import os

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
from tests.videos import crashing_ffmpeg, with_audio

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


def streams(path):
    import json
    import subprocess
    out = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_streams",
                          str(path)], capture_output=True, check=True).stdout
    return {s["codec_type"]: s for s in json.loads(out)["streams"]}


def test_the_annotated_mp4_is_h264_near_its_sources_size_with_its_audio_under_the_umask(
        text_video, tmp_path):
    source = with_audio(text_video, tmp_path / "with sound.mp4")
    old = os.umask(0o022)
    try:
        out = write_annotated_video(source, results([0, 10, 20, 30]), tmp_path / "a.mp4",
                                    stride=10)
    finally:
        os.umask(old)
    got = streams(out)
    assert got["video"]["codec_name"] == "h264" and got["audio"]["codec_name"] == "aac"
    assert oct(out.stat().st_mode & 0o777) == oct(0o644)  # as any file the user writes
    assert out.stat().st_size < 2 * source.stat().st_size  # the overlays cost some bits
    assert probe(out) == (40, (640, 360))


def test_a_time_range_writes_that_part_only(text_video, tmp_path):
    out = write_annotated_video(text_video, results([0, 10, 20, 30]), tmp_path / "part.mp4",
                                stride=10, start_s=1.5, end_s=2.5)
    assert probe(out) == (10, (640, 360))  # frames 15 to 24
    cap = cv2.VideoCapture(str(out))
    ok, first = cap.read()
    cap.release()
    amber = (first[:, :, 2] > 180) & (first[:, :, 1] > 130) & (first[:, :, 0] < 90)
    assert ok and amber[130:200, 30:340].sum() > 200  # frame 10's overlays stand for 15
    with pytest.raises(ForesyteError, match="no frames between the times"):
        write_annotated_video(text_video, results([0]), tmp_path / "none.mp4", stride=10,
                              start_s=3.0, end_s=2.0)


def test_a_decoder_crash_fails_the_export_with_a_sentence_and_leaves_nothing(
        text_video, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", f"{crashing_ffmpeg(tmp_path / 'bin')}:{os.environ['PATH']}")
    folder = tmp_path / "out"
    with pytest.raises(ForesyteError) as failed:
        write_annotated_video(text_video, results([0]), folder / "a.mp4", stride=10)
    assert str(failed.value) == ("“two lines.mp4” could not be decoded past frame 0: FFmpeg "
                                 "crashed on it (signal 11). The annotated video was not "
                                 "written.")
    assert list(folder.iterdir()) == []


def test_a_file_that_is_no_video_is_refused_in_a_sentence(tmp_path):
    fake = tmp_path / "holiday.mp4"
    fake.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    with pytest.raises(ForesyteError, match="^“holiday.mp4” cannot be read as a video: "):
        write_annotated_video(fake, results([0]), tmp_path / "a.mp4")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["holiday.mp4"]
