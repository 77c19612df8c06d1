"""Kill `foresyte run` with SIGKILL at several points, run it again: the job continues from its
checkpoint and ends with exactly the results of an uninterrupted run; a yolo_ocr job keeps its
tracks."""
import json
import os
import signal
import subprocess
import sys

import pytest

from foresyte_desktop.core.model import JobSpec
from foresyte_desktop.core.runner import CancelToken, JobRunner
from foresyte_desktop.core.store import JobStore
from tests.videos import make_square_video

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def start(data, video, hold_at=0):
    return subprocess.Popen(
        [sys.executable, "-m", "tests.kill_harness", str(hold_at), "run", str(video),
         "--stride", "4", "--data-dir", str(data)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def wait_for(proc, marker, count=1):
    seen = 0
    for line in proc.stdout:
        if line.strip() == marker:
            seen += 1
            if seen == count:
                return
    raise AssertionError(f"process ended before {marker} x{count}")


def kill(proc):
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def comparable(doc):
    frames = [(r["frame_index"], r["time_s"], [(o["text"], o["box"]) for o in r["ocr"]])
              for r in doc["results"]]
    return frames, doc["text_segments"]


def final_doc(data):
    with JobStore.open(data) as store:
        [job] = store.list_jobs()
        assert job.status == "completed", job.error_message
        doc = json.loads(open(job.output_path, encoding="utf-8").read())
        rows = store._cursor().execute(
            "SELECT count(*), count(DISTINCT frame_index) FROM frames").fetchone()
        return job, doc, rows


@pytest.fixture(scope="module")
def reference(text_video, tmp_path_factory):
    data = tmp_path_factory.mktemp("reference")
    proc = start(data, text_video)
    proc.communicate(timeout=300)
    assert proc.returncode == 0
    job, doc, _ = final_doc(data)
    return comparable(doc)


KILL_POINTS = {
    "while the models load": lambda p: wait_for(p, "CLAIMED"),
    "after the first batch": lambda p: wait_for(p, "COMMITTED", 1),
    "mid-job, between batches": lambda p: wait_for(p, "COMMITTED", 4),
}


@pytest.mark.parametrize("point", [*KILL_POINTS, "during a batch commit"])
def test_killed_job_resumes_from_its_checkpoint(point, text_video, tmp_path, reference):
    data = tmp_path / "data"
    if point == "during a batch commit":
        proc = start(data, text_video, hold_at=3)
        wait_for(proc, "IN_COMMIT")
    else:
        proc = start(data, text_video)
        KILL_POINTS[point](proc)
    kill(proc)
    with JobStore.open(data) as store:  # what a restart finds
        [job] = store.list_jobs()
        assert job.status == "pending"
        checkpoint = job.frames_done
    again = start(data, text_video)
    first_progress = again.stdout.readline()  # noqa: F841 (drains the pipe while it runs)
    again.communicate(timeout=300)
    assert again.returncode == 0
    job, doc, (rows, distinct) = final_doc(data)
    assert job.resume_count == 1
    assert rows == distinct == 10  # every analysed frame once: no duplicates, no gaps
    assert comparable(doc) == reference
    if point == "during a batch commit":
        assert checkpoint == 2  # the held 3rd batch was rolled back, the first 2 kept
    if point == "mid-job, between batches":
        assert checkpoint >= 4


@pytest.fixture
def square_pipeline(monkeypatch):
    monkeypatch.setenv("FORESYTE_PIPELINES", "tests.crashing_pipelines:SquareTrackingPipeline")
    import importlib

    import foresyte_desktop.core.pipelines as registry
    importlib.reload(registry)
    yield
    monkeypatch.delenv("FORESYTE_PIPELINES")
    registry.PIPELINES.pop("test_squares", None)


def test_a_yolo_ocr_job_stopped_and_resumed_keeps_its_tracks(store, data_dir, tmp_path,
                                                             square_pipeline):
    """The real yolo_ocr pipeline and ByteTrack, in the analysis child, with a detector that
    finds two white squares: stopped at its 23rd frame and resumed, the job has the tracks,
    the frames and the JSON of an uninterrupted run."""
    video = make_square_video(tmp_path / "squares.mp4")
    whole = store.add_job(JobSpec(str(video), "test_squares"))
    stopped = store.add_job(JobSpec(str(video), "test_squares"))
    token = CancelToken()
    with JobRunner(store, data_dir, batch_frames=5) as runner:
        assert runner.run_next(job_ids=[whole.job_id]).status == "completed"
        first = runner.run_next(token, lambda p: token.interrupt() if p.frames_done >= 23
                                else None, job_ids=[stopped.job_id])
        assert first.status == "pending" and 20 <= first.checkpoint_frame < 59
        again = runner.run_next(job_ids=[stopped.job_id])
    assert again.status == "completed" and again.resume_count == 1
    ref = json.loads(open(store.get_job(whole.job_id).output_path, encoding="utf-8").read())
    doc = json.loads(open(again.output_path, encoding="utf-8").read())
    assert [(t["id"], t["first_frame"], t["last_frame"]) for t in ref["tracks"]] == \
        [(1, 0, 59), (2, 0, 59)]
    assert doc["tracks"] == ref["tracks"]
    assert doc["results"] == ref["results"]
    carried = [r for r in doc["results"] if "objects_from" in r]
    assert carried and all(r["objects_from"] == r["frame_index"] - 1 for r in carried)
