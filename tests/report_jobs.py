"""Completed jobs read by the real runner and RapidOCR, for the tests of notes, cases and reports:
a store made once per module and copied for each test, and fresh jobs on a video of the test's
own, for tests that change the file."""
import shutil
from pathlib import Path

from foresyte_desktop.core.paths import resolve_data_dir
from foresyte_desktop.core.store import JobStore
from tests.real_jobs import run_job
from tests.videos import make_text_video

LINES = ("HELLO WORLD", "SECOND LINE 42")


def two_line_video(path: Path) -> Path:
    """4 s at 10 fps: "HELLO WORLD" for 2 s, then "SECOND LINE 42" for 2 s."""
    return make_text_video(path, [(LINES[0], 20), (LINES[1], 20)], fps=10)


def template(folder: Path, videos: int = 2) -> tuple[Path, list[str]]:
    """A data folder holding `videos` completed jobs (stride 2), each on a video of its own."""
    data = resolve_data_dir(folder / "data")
    ids = []
    with JobStore.open(data) as store:
        for n in range(videos):
            video = two_line_video(folder / f"clip {n + 1}.mp4")
            ids.append(run_job(store, data, video, stride=2).job_id)
    return data, ids


def copy_of(data: Path, to: Path) -> Path:
    """A copy of a template's data folder, for one test to change."""
    shutil.copytree(data, to)
    return to
