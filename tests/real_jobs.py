"""Jobs run for real on a real video (the pipeline's own OCR, on this thread), for tests of what
the window does with real results."""
from foresyte_desktop.core.model import Job, JobSpec
from foresyte_desktop.core.runner import JobRunner
from foresyte_desktop.core.store import JobStore


def run_job(store: JobStore, data_dir, video, *, stride: int = 1,
            pipeline: str = "ocr_only") -> Job:
    """Queue `video` and run it to the end; the completed job."""
    job = store.add_job(JobSpec(str(video), pipeline, stride))
    with JobRunner(store, data_dir, isolate=False) as runner:
        assert runner.run_next().status == "completed"
    return store.get_job(job.job_id)
