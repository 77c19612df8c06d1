"""Jobs read by the real runner and RapidOCR (in this process) from real videos, for tests of
what the window and the exports do with real results; and the video of two stacked subtitle
lines, the top one leaving halfway, as burned-in dialogue is."""
from pathlib import Path

from foresyte_desktop.core.model import Job, JobSpec
from foresyte_desktop.core.runner import JobRunner
from foresyte_desktop.core.store import JobStore
from tests.videos import LATIN_FONT, make_subtitle_video

TOP, BOTTOM = "Where were you", "I was at home"
TOP_AT, BOTTOM_AT = 0.74, 0.86  # the lines' heights as shares of the frame: stacked


def stacked_video(path: Path, *, size: tuple[int, int] = (640, 360)) -> Path:
    """4 s at 10 fps: both lines for 2 s, then the bottom one alone for 2 s."""
    return make_subtitle_video(path, [([(TOP, TOP_AT), (BOTTOM, BOTTOM_AT)], 20),
                                      ([(BOTTOM, BOTTOM_AT)], 20)],
                               font=LATIN_FONT, fps=10, size=size)


def run_job(store: JobStore, data_dir, video, *, stride: int = 1,
            pipeline: str = "ocr_only") -> Job:
    """Queue `video` and run it to the end; the completed job."""
    job = store.add_job(JobSpec(str(video), pipeline, stride))
    with JobRunner(store, data_dir, isolate=False) as runner:
        done = runner.run_next(job_ids=[job.job_id])
    assert done.status == "completed", done.error_message
    return done
