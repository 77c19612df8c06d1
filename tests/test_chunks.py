"""Chunks: a job cut at refresh points, analysed by several local processes and stitched back
into exactly the one-pass results; tracks joined across boundaries; resume by chunk."""
import numpy as np
import pytest
import torch
from ultralytics.engine.results import Boxes

from foresyte_desktop.core.chunked_run import stitch_tracks
from foresyte_desktop.core.chunks import TRACK_SPAN, Chunk, plan_chunks
from foresyte_desktop.core.engines import make_engine
from foresyte_desktop.core.model import Detection, FrameResult, JobSpec
from foresyte_desktop.core.pipelines.reuse import refresh_frames
from foresyte_desktop.core.pipelines.yolo import ObjectTracker
from foresyte_desktop.core.runner import CancelToken
from foresyte_desktop.core.store import JobStore
from foresyte_desktop.core.tracks import build_tracks
from tests.chunk_jobs import CHUNK_S, comparable, make_chunk_video, resume_job, run_job


@pytest.fixture(scope="module")
def chunk_video(tmp_path_factory):
    return make_chunk_video(tmp_path_factory.mktemp("chunks") / "long lines.mp4")


@pytest.fixture(scope="module")
def one_pass(chunk_video, tmp_path_factory):
    return comparable(run_job(tmp_path_factory.mktemp("one-pass"), chunk_video))


@pytest.fixture
def engine():
    engine = make_engine("local", workers=2, chunk_s=CHUNK_S)
    yield engine
    engine.close()


def test_chunks_start_at_refresh_points_and_cover_the_job():
    period = refresh_frames(10, 2)
    chunks = plan_chunks(253, 10, 2, None, workers=2, chunk_s=10)
    assert [c.start for c in chunks] == [0, 2 * period, 4 * period]
    assert [c.end for c in chunks] == [2 * period, 4 * period, None]
    assert sum(c.frames for c in chunks) == 127
    limited = plan_chunks(253, 10, 1, 150, workers=2, chunk_s=10)
    assert [(c.start, c.end, c.frames, c.max_frames) for c in limited] == \
        [(0, 100, 100, None), (100, None, 50, 50)]
    # Long chunks for few workers, shorter ones so that many workers all get one.
    assert len(plan_chunks(18000, 30, 1, None, workers=2)) == 10
    assert len(plan_chunks(18000, 30, 1, None, workers=32)) == 30


def test_ocr_only_stitched_from_chunks_equals_one_pass(chunk_video, one_pass, engine, tmp_path):
    job = run_job(tmp_path, chunk_video, engine=engine)
    with JobStore.open(tmp_path) as store:
        rows = store.chunk_plan(job.job_id, [])
    assert [(r[1], r[5]) for r in rows] == [(0, True), (100, True), (200, True)]
    frames, segments = comparable(job)
    assert frames == one_pass[0]  # frame for frame
    assert segments == one_pass[1]  # segment for segment
    # Lines on screen across a boundary are one segment, as in one pass.
    assert any(s["first_frame"] < 100 <= s["last_frame"] for s in segments)


def test_a_resumed_job_runs_only_its_unfinished_chunks(chunk_video, one_pass, engine, tmp_path):
    token = CancelToken()

    def stop_after_a_chunk(progress):
        # The last chunk starts once a worker is done with one of the first two (whose end
        # the driver read before this frame): stop there, that chunk done, another not.
        if progress.frame is not None and progress.frame.frame_index >= 200:
            token.interrupt()
    stopped = run_job(tmp_path, chunk_video, engine=engine, progress=stop_after_a_chunk,
                      token=token)
    assert stopped.status == "pending"
    with JobStore.open(tmp_path) as store:
        rows = store.chunk_plan(stopped.job_id, [])
        done = {r[0] for r in rows if r[5]}
        stored = store.stored_frames(stopped.job_id)
    assert 0 < len(done) < 3
    assert stored > sum(r[3] for r in rows if r[5])  # and part of an unfinished chunk
    submitted = []
    real_submit = engine.submit
    engine.submit = lambda task: (submitted.append(task.chunk.index), real_submit(task))
    job = resume_job(tmp_path, engine)
    assert sorted(submitted) == sorted({0, 1, 2} - done)
    assert job.resume_count == 1
    assert comparable(job) == one_pass


def test_yolo_ocr_chunks_keep_the_boxes_and_join_tracks(chunk_video, engine, tmp_path):
    reference = run_job(tmp_path / "one", chunk_video, pipeline="yolo_ocr", stride=5)
    chunked = run_job(tmp_path / "chunked", chunk_video, pipeline="yolo_ocr", stride=5,
                      engine=engine)
    assert comparable(chunked) == comparable(reference)  # boxes, labels and text


def test_a_track_crossing_a_boundary_stays_one_track(store):
    """Real ByteTrack, restarted at the boundary as a chunk's tracker is: the boxes of a
    moving truck and a parked car, tracked in two chunks, stitched in the store."""
    image = np.zeros((360, 640, 3), np.uint8)
    job = store.add_job(JobSpec("/v/street.mp4", "yolo_ocr"))
    chunks = [Chunk(0, 0, 6, 6), Chunk(1, 6, None, 6)]
    for chunk in chunks:
        tracker = ObjectTracker(chunk.first_track_id)
        frames = []
        for f in range(chunk.start, chunk.start + chunk.frames):
            x = 50 + 20 * f
            rows = [[x, 100, x + 80, 160, 0.9, 7], [400, 200, 470, 300, 0.8, 2]]
            boxes = Boxes(torch.tensor(rows, dtype=torch.float32), image.shape[:2])
            ids = tracker.update(boxes, image)
            frames.append(FrameResult(f, f / 10, [], [
                Detection("truck" if row[5] == 7 else "car", int(row[5]), row[4],
                          [float(v) for v in row[:4]], t) for row, t in zip(rows, ids)]))
        store.commit_chunk(job.job_id, chunk, frames, frames_done=0, done=True)
    before = {d.track_id for f in store.frame_results(job.job_id) for d in f.detections}
    assert TRACK_SPAN + 1 in before  # the second chunk numbered its own
    stitch_tracks(store, job.job_id, chunks, 1)
    tracks = build_tracks(list(store.frame_results(job.job_id)))
    assert [(t["id"], t["label"], t["first_frame"], t["last_frame"]) for t in tracks] == \
        [(1, "truck", 0, 11), (2, "car", 0, 11)]
    stitch_tracks(store, job.job_id, chunks, 1)  # again, as after a crash: nothing changes
    assert build_tracks(list(store.frame_results(job.job_id))) == tracks


@pytest.fixture
def crashing_pipeline(monkeypatch):
    monkeypatch.setenv("FORESYTE_PIPELINES", "tests.crashing_pipelines:AbortingPipeline")
    import importlib

    import foresyte_desktop.core.pipelines as registry
    importlib.reload(registry)
    yield
    monkeypatch.delenv("FORESYTE_PIPELINES")
    registry.PIPELINES.pop("test_abort", None)


def test_a_chunk_that_crashes_on_two_workers_fails_the_job_with_its_sentence(
        chunk_video, engine, tmp_path, crashing_pipeline):
    tried = []
    real_submit = engine.submit
    engine.submit = lambda task: (tried.append((task.chunk.index, task.avoid)),
                                  real_submit(task))
    job = run_job(tmp_path, chunk_video, engine=engine, pipeline="test_abort")
    assert job.status == "failed"
    assert job.error_message.startswith("The decoder crashed on this file: “long lines.mp4”")
    retried = [chunk for chunk, avoid in tried if avoid is not None]
    assert retried  # tried again elsewhere before the job failed
    # It failed only after the same crash on two workers: their names differ.
    assert all(avoid.startswith("local-") for _, avoid in tried if avoid)


def test_the_window_shows_the_engine_and_its_workers(qtbot, window):
    button = window.engine_setting.button
    # "Engine: local, connecting…" until the engine is made in the task lane, then its workers
    qtbot.waitUntil(lambda: button.text().startswith("Engine: local, ")
                    and button.text().endswith(("worker", "workers")), timeout=30_000)
