"""The job runner end to end: real video, real OCR, real store; progress, cancel, output."""
import json
import os

import pytest

from foresyte_desktop.core.model import JobSpec
from foresyte_desktop.core.results import SCHEMA_VERSION
from foresyte_desktop.core.runner import CancelToken, JobRunner


@pytest.fixture
def runner(store, data_dir):
    with JobRunner(store, data_dir) as r:
        yield r


def check_schema(doc: dict) -> None:
    assert doc["schema_version"] == SCHEMA_VERSION
    assert set(doc["job"]) >= {"job_id", "pipeline_id", "frame_stride", "max_frames", "status",
                               "created_at", "finished_at"}
    assert set(doc["video"]) == {"path", "width", "height", "fps", "frame_count", "duration_s"}
    for rec in doc["results"]:
        assert set(rec) >= {"frame_index", "time_s", "ocr", "detections"}
        for o in rec["ocr"]:
            assert set(o) - {"segment"} == {"text", "confidence", "box"}
            assert len(o["box"]) == 4 and all(len(p) == 2 for p in o["box"])
        for d in rec["detections"]:
            assert set(d) >= {"label", "class_id", "confidence", "box"} and len(d["box"]) == 4
    for seg in doc["text_segments"]:
        assert set(seg) == {"id", "text", "start_s", "end_s", "first_frame", "last_frame",
                            "confidence", "box", "review_state"}
        assert seg["start_s"] <= seg["end_s"] and seg["first_frame"] <= seg["last_frame"]


def test_job_runs_to_completion_with_progress_and_json(store, data_dir, runner, text_video):
    job = store.add_job(JobSpec(str(text_video), frame_stride=5))
    seen = []
    done = runner.run_next(progress=seen.append)
    assert done.job_id == job.job_id and done.status == "completed", done.error_message
    assert done.frames_done == done.frames_total == 8
    assert [p.frames_done for p in seen] == list(range(0, 9))
    assert done.output_path == str(data_dir / "output" / f"{job.job_id}.json")
    doc = json.loads(open(done.output_path, encoding="utf-8").read())
    check_schema(doc)
    assert doc["job"]["status"] == "completed" and doc["job"]["finished_at"].endswith("Z")
    assert [r["frame_index"] for r in doc["results"]] == [0, 5, 10, 15, 20, 25, 30, 35]
    segs = [(s["text"].replace(" ", ""), s["first_frame"], s["last_frame"])
            for s in doc["text_segments"]]
    assert segs == [("HELLOWORLD", 0, 15), ("SECONDLINE42", 20, 35)]
    assert doc["text_segments"][0]["start_s"] == 0.0 and doc["text_segments"][1]["end_s"] == 3.5


def test_cancel_stops_the_job_promptly(store, runner, text_video):
    """The analysis process stops after the frame in flight (or is killed after 0.5 s); only
    results already on their way through the pipe still arrive. Timing is measured in
    tests/test_workers.py and the benchmarks."""
    store.add_job(JobSpec(str(text_video), frame_stride=1))
    token = CancelToken()
    after_cancel = []

    def progress(p):
        if token.is_set:
            after_cancel.append(p.frames_done)
        elif p.frames_done == 2:
            token.cancel()
    job = runner.run_next(token, progress)
    assert job.status == "cancelled" and job.finished_at is not None
    assert len(after_cancel) <= 8 and job.frames_done < 20


def test_interrupt_leaves_the_job_resumable_and_resume_completes_it(store, data_dir, text_video):
    store.add_job(JobSpec(str(text_video), frame_stride=4))
    token = CancelToken()
    runner = JobRunner(store, data_dir, batch_frames=2, isolate=False)  # in-process path too

    def progress(p):
        if p.frames_done == 5:
            token.interrupt()
    job = runner.run_next(token, progress)
    assert job.status == "pending" and job.frames_done == 5 and job.checkpoint_frame == 16
    assert job.resume_count == 1
    resumed = []
    job = runner.run_next(progress=resumed.append)
    assert job.status == "completed" and job.frames_done == 10
    assert resumed[0].frames_done == 5  # continued from the checkpoint, not from frame 0
    doc = json.load(open(job.output_path, encoding="utf-8"))
    assert [r["frame_index"] for r in doc["results"]] == list(range(0, 40, 4))


def test_a_bad_file_fails_its_own_job_and_the_next_one_runs(store, runner, tmp_path, text_video):
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(text_video.read_bytes()[:64])
    store.add_job(JobSpec(str(bad)))
    store.add_job(JobSpec(str(text_video), frame_stride=20))
    first, second = runner.run_next(), runner.run_next()
    assert first.status == "failed" and "“bad.mp4”" in first.error_message
    assert "Traceback" not in first.error_message
    assert second.status == "completed"


def test_a_file_replaced_after_queueing_fails_with_a_clear_sentence(store, runner, tmp_path,
                                                                    text_video):
    path = tmp_path / "clip.mp4"
    path.write_bytes(text_video.read_bytes())
    store.add_job(JobSpec(str(path)))
    path.write_bytes(text_video.read_bytes() + b"\0")
    job = runner.run_next()
    assert job.status == "failed" and "changed, moved or deleted after it was queued" in \
        job.error_message


def test_max_frames_caps_the_work(store, runner, text_video):
    store.add_job(JobSpec(str(text_video), frame_stride=2, max_frames=3))
    job = runner.run_next()
    assert job.status == "completed" and job.frames_done == job.frames_total == 3


def test_removing_a_job_deletes_its_rows_and_output_file_and_checkpoints(
        store, runner, data_dir, text_video):
    job = store.add_job(JobSpec(str(text_video), frame_stride=10))
    job = runner.run_next()
    output = job.output_path
    assert open(output, encoding="utf-8").read().count("HELLO WORLD") > 0
    store.remove([job.job_id])
    assert not os.path.exists(output)
    cur = store._cursor()
    for table in ("jobs", "frames", "ocr_lines", "detections", "videos"):
        assert cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0
    assert not (data_dir / "foresyte.duckdb.wal").exists() or \
        (data_dir / "foresyte.duckdb.wal").stat().st_size == 0
