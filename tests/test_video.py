"""Video intake and the frame iterator, on real files written by the tests."""
import shutil
import subprocess
import tracemalloc

import pytest

from foresyte_desktop.core.video import VideoReader, VideoRefused, probe
from tests.videos import make_text_video, with_audio

needs_ffmpeg = pytest.mark.skipif(not shutil.which("ffmpeg"), reason="ffmpeg not installed")


def refusal(path) -> VideoRefused:
    with pytest.raises(VideoRefused) as err:
        probe(path)
    assert err.value.path == str(path)
    return err.value


def test_good_video_is_accepted_with_its_properties(text_video):
    info = probe(text_video)
    assert (info.width, info.height, info.fps, info.frame_count) == (640, 360, 10.0, 40)
    assert info.duration_s == 4.0


def test_missing_file(tmp_path):
    err = refusal(tmp_path / "gone.mp4")
    assert err.reason == "file not found" and "“gone.mp4”" in str(err)


def test_text_file_named_mp4(tmp_path):
    p = tmp_path / "notes.mp4"
    p.write_text("hello, I am not a video")
    err = refusal(p)
    assert err.reason == "not an MP4 file" and "“notes.mp4” is not an MP4 file" in str(err)


def test_empty_file(tmp_path):
    p = tmp_path / "empty.mp4"
    p.touch()
    assert "not an MP4 file" in str(refusal(p))


def test_mp4_header_with_garbage_cannot_be_decoded(tmp_path, text_video):
    p = tmp_path / "broken.mp4"
    data = text_video.read_bytes()
    p.write_bytes(data[:40] + bytes(len(data) - 40))  # ftyp kept, everything after zeroed
    err = refusal(p)
    assert err.reason == "cannot decode" and "cannot be decoded" in str(err)


@needs_ffmpeg
def test_audio_only_mp4_has_no_video_stream(tmp_path):
    p = tmp_path / "voice.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=f=440:d=1",
                    "-c:a", "aac", str(p)], check=True)
    err = refusal(p)
    assert err.reason == "no video stream" and "has no video stream" in str(err)


def test_folder(tmp_path):
    assert refusal(tmp_path).reason == "is a folder"


def test_frames_honour_stride_and_max_frames_with_decoder_times(text_video):
    with VideoReader(text_video) as r:
        frames = list(r.frames(stride=3, max_frames=5))
        assert [f.index for f in frames] == [0, 3, 6, 9, 12]
        assert [f.time_s for f in frames] == [0.0, 0.3, 0.6, 0.9, 1.2]
        assert r.planned_frames(3, 5) == 5 and r.planned_frames(3) == 14
    with VideoReader(text_video) as r:
        assert [f.index for f in r.frames(stride=7, start=14)] == [14, 21, 28, 35]


@needs_ffmpeg
def test_more_decoder_threads_decode_the_same_frames(tmp_path, text_video):
    """H.264 with B-frames (FFmpeg's frame threads reorder them): every frame, bit for bit."""
    h264 = with_audio(text_video, tmp_path / "h264.mp4")

    def decoded(threads):
        with VideoReader(h264, decoder_threads=threads) as reader:
            return [(f.index, f.time_s, f.image.tobytes()) for f in reader.frames(stride=3)]
    default = decoded(None)
    assert len(default) == 14
    assert decoded(4) == default


def test_memory_stays_flat_however_long_the_video(tmp_path):
    long = make_text_video(tmp_path / "long.mp4", [("LONG", 400)], fps=25, size=(320, 240))
    frame_bytes = 320 * 240 * 3
    with VideoReader(long) as r:
        tracemalloc.start()
        count = sum(1 for _ in r.frames())
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert count == 400
    assert peak < 4 * frame_bytes, peak
