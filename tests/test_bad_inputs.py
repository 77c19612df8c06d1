"""Every kind of bad input either processes or fails only its own job with a clear sentence.

One `foresyte run` over the whole matrix: the command must not crash, and each file's job
ends as expected. Inputs are made here from a good video (OpenCV) and, for containers OpenCV
cannot write, with ffmpeg.
"""
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from foresyte_desktop.core.store import JobStore
from tests.videos import make_text_video

FFMPEG = shutil.which("ffmpeg")


def ffmpeg(*args):
    subprocess.run([FFMPEG, "-v", "error", "-y", *args], check=True)


def h264(path, seconds=4, size="320x240", extra=()):
    ffmpeg("-f", "lavfi", "-i", f"testsrc=size={size}:rate=10", "-t", str(seconds),
           "-c:v", "libx264", "-pix_fmt", "yuv420p", *extra, str(path))
    return path


@pytest.fixture(scope="module")
def matrix(tmp_path_factory, text_video):
    """{file name: (expected status, phrase its message must contain or None)}."""
    d = tmp_path_factory.mktemp("inputs")
    good = text_video.read_bytes()
    cases = {}

    (d / "zero.mp4").touch()
    cases["zero.mp4"] = ("failed", "is empty (0 bytes), not an MP4 file")
    (d / "notes.mp4").write_text("meeting notes, not a video")
    cases["notes.mp4"] = ("failed", "is not an MP4 file")
    (d / "truncated.mp4").write_bytes(good[: len(good) * 3 // 10])  # index at the end: lost
    cases["truncated.mp4"] = ("failed", "cannot be decoded: the file is damaged or incomplete")
    cases["missing.mp4"] = ("failed", "was not found")
    (d / "empty folder").mkdir()
    cases["empty folder"] = ("failed", "is a folder with no MP4 files in it")
    spaced = d / "clips with spaces" / "Überwachung 東京 #1.mp4"
    spaced.parent.mkdir()
    spaced.write_bytes(good)
    cases[spaced.name] = ("completed", None)
    make_text_video(d / "one frame.mp4", [("ONE FRAME", 1)])
    cases["one frame.mp4"] = ("completed", None)
    make_text_video(d / "4k.mp4", [("FOUR K TEXT", 2)], size=(3840, 2160), scale=8)
    cases["4k.mp4"] = ("completed", None)
    data = bytearray(make_text_video(d / "src.mp4", [("DAMAGED", 60)]).read_bytes())
    (d / "src.mp4").unlink()
    rnd = random.Random(1)
    for i in range(len(data) // 2, len(data) // 2 + 3000):
        data[i] = rnd.randrange(256)
    (d / "corrupt middle.mp4").write_bytes(bytes(data))
    cases["corrupt middle.mp4"] = ("completed",
                                   "frames of “corrupt middle.mp4” could not be decoded")
    if FFMPEG:
        ffmpeg("-f", "lavfi", "-i", "sine=f=440:d=1", "-c:a", "aac", str(d / "voice.mp4"))
        cases["voice.mp4"] = ("failed", "has no video stream")
        h264(d / "movie.mkv", extra=("-f", "matroska"))
        (d / "movie.mkv").rename(d / "renamed mkv.mp4")
        cases["renamed mkv.mp4"] = ("failed", "is not an MP4 file")
        h264(d / "quicktime.mov", extra=("-f", "mov"))
        assert b"ftypqt" in (d / "quicktime.mov").read_bytes()[:16]
        cases["quicktime.mov"] = ("completed", None)
        stream = h264(d / "fs.mp4", seconds=10,
                      extra=("-g", "10", "-movflags", "+faststart")).read_bytes()
        (d / "fs.mp4").unlink()
        (d / "truncated faststart.mp4").write_bytes(stream[: len(stream) * 3 // 10])
        cases["truncated faststart.mp4"] = ("completed", "could not be decoded")
    paths = [p for p in d.iterdir() if p.name != "clips with spaces"] + [spaced, d / "missing.mp4"]
    return d, paths, cases


def test_bad_input_matrix(matrix, tmp_path):
    d, paths, cases = matrix
    data = tmp_path / "data"
    r = subprocess.run([sys.executable, "-m", "foresyte_desktop", "run", *map(str, paths),
                        "--stride", "5", "--data-dir", str(data)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 1  # some failed, none crashed the command
    assert "Traceback" not in r.stdout + r.stderr
    with JobStore.open(data) as store:
        jobs = {Path(j.input_path).name: j for j in store.list_jobs()}
    assert set(jobs) == set(cases)
    for name, (status, phrase) in cases.items():
        job = jobs[name]
        assert job.status == status, (name, job.error_message)
        if phrase:
            assert phrase in job.error_message, (name, job.error_message)
            assert "Traceback" not in job.error_message
    assert jobs["corrupt middle.mp4"].unreadable_frames > 0
    assert jobs["one frame.mp4"].frames_done == 1


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_unreadable_file_fails_with_permission_denied(text_video, tmp_path):
    secret = tmp_path / "secret.mp4"
    secret.write_bytes(text_video.read_bytes())
    secret.chmod(0o000)
    command = [sys.executable, "-m", "foresyte_desktop", "run", str(secret),
               "--data-dir", str(tmp_path / "data")]
    if os.geteuid() == 0:  # root reads anything: drop the capabilities that let it
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv (util-linux)")
        drop = "-dac_override,-dac_read_search"
        command = ["setpriv", f"--inh-caps={drop}", f"--bounding-set={drop}", *command]
    r = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1, r.stderr
    assert "“secret.mp4” cannot be read: permission denied" in r.stderr
