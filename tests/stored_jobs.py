"""Jobs whose results are written straight into a real store (plumbing: no OCR or detector
runs), for tests of what the window shows and exports."""
from foresyte_desktop.core.model import FrameResult, Job, JobSpec
from foresyte_desktop.core.store import JobStore
from foresyte_desktop.core.video import probe


def stored_job(store: JobStore, video, frames: list[FrameResult], *, pipeline: str = "ocr_only",
               stride: int = 1, finish: bool = True) -> Job:
    """A job on `video` that analysed `frames`: completed, or left running (finish=False)."""
    job = store.add_job(JobSpec(str(video), pipeline, stride))
    store.claim_next([job.job_id])
    info = probe(video)
    store.begin(job.job_id, info, -(-info.frame_count // stride))
    if finish:
        store.commit_batch(job.job_id, frames, frames_done=len(frames),
                           checkpoint_frame=frames[-1].frame_index if frames else None)
        store.finish(job.job_id, "completed")
    return store.get_job(job.job_id)


def open_job(qtbot, window, job: Job) -> None:
    """Select `job` in the window and wait until the viewer shows its first frame."""
    window.model.upsert([job])
    window.table.select_job(job.job_id)
    qtbot.waitUntil(lambda: window.viewer.shown_index == 0 and window.viewer.info is not None,
                    timeout=10_000)
