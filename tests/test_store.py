"""The DuckDB job store, on a real database file: the queue, claiming, recovery, results."""
import threading

import duckdb
import pytest

from foresyte_desktop.core.errors import StoreError, StoreLockedError
from foresyte_desktop.core.model import Detection, FrameResult, JobSpec, OcrLine, VideoInfo
from foresyte_desktop.core.store import JobStore

BOX = [[1.0, 2.0], [3.0, 2.0], [3.0, 4.0], [1.0, 4.0]]


def test_jobs_are_fifo_and_fields_are_stored(store):
    a = store.add_job(JobSpec("/v/a.mp4", "ocr_only", 3, 10))
    b = store.add_job(JobSpec("/v/b.mp4", "yolo_ocr", 1, None, "/m/w.onnx"))
    assert a.status == "pending" and a.frame_stride == 3 and a.max_frames == 10
    assert b.model_path == "/m/w.onnx" and b.pipeline_id == "yolo_ocr"
    assert a.created_at.tzinfo is None  # naive UTC
    assert [j.job_id for j in store.list_jobs()] == [a.job_id, b.job_id]
    assert store.claim_next().job_id == a.job_id
    claimed = store.get_job(a.job_id)
    assert claimed.status == "running" and claimed.started_at is not None
    assert store.claim_next().job_id == b.job_id
    assert store.claim_next() is None


def test_updated_at_changes_on_every_update(store):
    job = store.add_job(JobSpec("/v/a.mp4"))
    seen = [job.updated_at]
    store.claim_next()
    for n in range(5):
        store.commit_batch(job.job_id, [], frames_done=n, checkpoint_frame=None)
        seen.append(store.get_job(job.job_id).updated_at)
    store.finish(job.job_id, "completed")
    seen.append(store.get_job(job.job_id).updated_at)
    assert all(later > earlier for earlier, later in zip(seen, seen[1:]))


def test_eight_threads_claim_200_jobs_each_exactly_once(store):
    ids = {store.add_job(JobSpec(f"/v/{n}.mp4")).job_id for n in range(200)}
    claimed: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def worker():
        start.wait()
        while (job := store.claim_next()) is not None:
            with lock:
                claimed.append(job.job_id)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(claimed) == 200 and set(claimed) == ids
    assert {j.status for j in store.list_jobs()} == {"running"}


def test_claim_can_be_limited_to_some_jobs(store):
    a = store.add_job(JobSpec("/v/a.mp4"))
    b = store.add_job(JobSpec("/v/b.mp4"))
    assert store.claim_next([b.job_id]).job_id == b.job_id
    assert store.claim_next([b.job_id]) is None
    assert store.claim_next([]) is None
    assert store.get_job(a.job_id).status == "pending"


def test_reopening_requeues_jobs_a_crash_left_running(data_dir):
    with JobStore.open(data_dir) as s:
        job = s.add_job(JobSpec("/v/a.mp4"))
        s.claim_next()
        s.commit_batch(job.job_id, [FrameResult(0, 0.0)], frames_done=1, checkpoint_frame=0)
    with JobStore.open(data_dir) as s:
        again = s.get_job(job.job_id)
        assert s.recovered == 1
        assert again.status == "pending" and again.resume_count == 1
        assert again.checkpoint_frame == 0 and again.frames_done == 1


def test_frame_results_round_trip_in_batches(store):
    job = store.add_job(JobSpec("/v/a.mp4"))
    store.claim_next()
    store.begin(job.job_id, VideoInfo("/v/a.mp4", 640, 360, 25.0, 100, 4.0), 50)
    frames = [FrameResult(i, i / 25, [OcrLine(f"t{i}", 0.9, BOX), OcrLine("é ü", 0.5, BOX)],
                          [Detection("person", 0, 0.7, [1, 2, 3, 4])] if i % 2 else [],
                          reused_from=i - 2 if i % 4 == 0 and i else None)
              for i in range(0, 100, 2)]
    store.commit_batch(job.job_id, frames[:25], frames_done=25, checkpoint_frame=48)
    store.commit_batch(job.job_id, frames[25:], frames_done=50, checkpoint_frame=98)
    assert list(store.frame_results(job.job_id)) == frames
    assert store.get_job(job.job_id).frames_total == 50
    assert store.video_info(job.job_id).width == 640
    with pytest.raises(duckdb.ConstraintException):  # (job_id, frame_index) is the key
        store._cursor().execute(
            "INSERT INTO frames (job_id, frame_index, time_s) VALUES (?, 0, 0.0)", [job.job_id])


def test_retry_clears_results_and_remove_deletes_rows(store):
    job = store.add_job(JobSpec("/v/a.mp4"))
    store.claim_next()
    store.commit_batch(job.job_id, [FrameResult(0, 0.0, [OcrLine("x", 1.0, BOX)])],
                       frames_done=1, checkpoint_frame=0)
    store.finish(job.job_id, "failed", error_message="boom")
    assert store.retry(job.job_id)
    again = store.get_job(job.job_id)
    assert again.status == "pending" and again.frames_done == 0 and again.error_message is None
    assert list(store.frame_results(job.job_id)) == []
    store.claim_next()
    store.commit_batch(job.job_id, [FrameResult(0, 0.0, [OcrLine("x", 1.0, BOX)])],
                       frames_done=1, checkpoint_frame=0)
    store.finish(job.job_id, "completed")
    assert store.remove([job.job_id]) == [job.job_id]
    assert store.get_job(job.job_id) is None
    cur = store._cursor()
    for table in ("frames", "ocr_lines", "detections", "videos"):
        assert cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0


def test_cancel_pending_only(store):
    job = store.add_job(JobSpec("/v/a.mp4"))
    assert store.cancel_pending(job.job_id)
    assert store.get_job(job.job_id).status == "cancelled"
    assert not store.cancel_pending(job.job_id)


def test_find_job_by_prefix(store):
    job = store.add_job(JobSpec("/v/a.mp4"))
    assert store.find_job(job.job_id[:8]).job_id == job.job_id
    assert store.find_job("zzz") is None
    assert store.find_job("'; DROP TABLE jobs; --") is None


def test_second_process_gets_a_clear_locked_error(data_dir):
    import subprocess
    import sys
    with JobStore.open(data_dir):
        code = ("import sys\nfrom foresyte_desktop.core.store import JobStore\n"
                "from foresyte_desktop.core.errors import StoreLockedError\n"
                f"try:\n    JobStore.open({str(data_dir)!r})\n"
                "except StoreLockedError as e:\n    print(e); sys.exit(3)\n")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 3, out.stderr
    assert "in use by another ForeSyte" in out.stdout


def test_a_file_that_is_not_a_database_is_left_untouched(data_dir):
    db = data_dir / "foresyte.duckdb"
    db.write_bytes(b"my holiday notes, not a database\n" * 100)
    before = db.read_bytes()
    with pytest.raises(StoreError) as err:
        JobStore.open(data_dir)
    assert str(db) in str(err.value) and not isinstance(err.value, StoreLockedError)
    assert db.read_bytes() == before


def test_data_folder_and_database_are_private(tmp_path):
    import os
    import stat

    from foresyte_desktop.core.paths import resolve_data_dir
    data = resolve_data_dir(tmp_path / "new" / "data")
    JobStore.open(data).close()
    assert stat.S_IMODE(os.stat(data).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(data / "foresyte.duckdb").st_mode) == 0o600
