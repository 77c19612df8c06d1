"""Helpers for the chunk tests: a 25 s video with text that changes across its refresh
points, and one job run through a runner on an engine (or in one pass) to its results."""
import json

from foresyte_desktop.core.model import JobSpec
from foresyte_desktop.core.runner import CancelToken, JobRunner
from foresyte_desktop.core.store import JobStore
from tests.videos import make_text_video

CHUNK_S = 10.0  # a chunk per refresh period: three chunks in the 25 s video


def make_chunk_video(path):
    """25.3 s at 10 fps, a new line every 2.3 s over a moving background, so that lines are
    on screen across the refresh points at 10 s and 20 s."""
    script = [(f"LINE NUMBER {i}", 23) for i in range(11)] + [("", 10)]
    return make_text_video(path, script, fps=10, size=(480, 200), scale=1.0,
                           moving_background=True)


def run_job(data_dir, video, *, engine=None, pipeline="ocr_only", progress=None,
            token=None, stride=1):
    """Queue and run one job; returns the job as it ended."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with JobStore.open(data_dir) as store:
        spec = JobSpec(str(video), pipeline, frame_stride=stride,
                       model_path="yolo11n.yaml" if pipeline == "yolo_ocr" else None)
        job = store.add_job(spec)
        with JobRunner(store, data_dir, engine=engine, isolate=engine is not None) as runner:
            return runner.run_job(store.claim_next([job.job_id]), token or CancelToken(),
                                  progress)


def resume_job(data_dir, engine, progress=None):
    with JobStore.open(data_dir) as store, JobRunner(store, data_dir, engine=engine) as runner:
        return runner.run_next(CancelToken(), progress)


def comparable(job):
    """What must not change between a one-pass and a chunked run: every frame's time, text,
    boxes and reuse, the text segments, and each frame's detection boxes and labels."""
    assert job.status == "completed", job.error_message
    doc = json.loads(open(job.output_path, encoding="utf-8").read())
    frames = [(r["frame_index"], r["time_s"], r["ocr"], r.get("reused_from"),
               r.get("checked"), [(d["label"], d["box"]) for d in r["detections"]])
              for r in doc["results"]]
    return frames, doc["text_segments"]
