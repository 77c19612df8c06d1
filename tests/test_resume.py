"""Kill `foresyte run` with SIGKILL at several points, run it again: the job continues from its
checkpoint and ends with exactly the results of an uninterrupted run."""
import json
import os
import signal
import subprocess
import sys

import pytest

from foresyte_desktop.core.store import JobStore

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
