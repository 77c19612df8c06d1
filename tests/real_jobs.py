"""Jobs read by the real runner and RapidOCR from videos the tests build: two stacked subtitle
lines, the top one leaving halfway, as burned-in dialogue is."""
from pathlib import Path

from foresyte_desktop.core.model import Job, JobSpec
from foresyte_desktop.core.runner import JobRunner
from tests.videos import LATIN_FONT, make_subtitle_video

TOP, BOTTOM = "Where were you", "I was at home"
TOP_AT, BOTTOM_AT = 0.74, 0.86  # the lines' heights as shares of the frame: stacked


def stacked_video(path: Path, *, size: tuple[int, int] = (640, 360)) -> Path:
    """4 s at 10 fps: both lines for 2 s, then the bottom one alone for 2 s."""
    return make_subtitle_video(path, [([(TOP, TOP_AT), (BOTTOM, BOTTOM_AT)], 20),
                                      ([(BOTTOM, BOTTOM_AT)], 20)],
                               font=LATIN_FONT, fps=10, size=size)


def read_job(store, data_dir: Path, video: Path, *, stride: int = 5) -> Job:
    """`video` analysed by the real runner (ocr_only) into `store`, in this process."""
    job = store.add_job(JobSpec(str(video), "ocr_only", stride))
    with JobRunner(store, data_dir, isolate=False) as runner:
        done = runner.run_next(job_ids=[job.job_id])
    assert done.status == "completed", done.error_message
    return done
