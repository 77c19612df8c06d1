"""The window's workers: real store, real OCR in the runner's child process, real Qt signals."""
import threading
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QCoreApplication

from foresyte_desktop.core.model import FrameResult, JobSpec
from foresyte_desktop.core.runner import CancelToken, Progress
from foresyte_desktop.workers import job_worker
from foresyte_desktop.workers.job_queue import JobQueue
from foresyte_desktop.workers.job_worker import RunningJobs, ThrottledEmitter, WorkerSignals
from foresyte_desktop.workers.tasks import TaskLane
from tests.videos import make_text_video

JOB_TIMEOUT_MS = 180_000  # real OCR on a shared 2-core machine: generous, normally seconds


@pytest.fixture(scope="module")
def short_video(tmp_path_factory):
    """Six small frames: "HELLO" then "WORLD 42"."""
    path = tmp_path_factory.mktemp("workers") / "short.mp4"
    return make_text_video(path, [("HELLO", 3), ("WORLD 42", 3)], fps=10, size=(320, 180),
                           scale=1.0)


@pytest.fixture(scope="module")
def long_video(tmp_path_factory):
    """A ticker (read afresh in every frame): a job on it is still running when cancelled."""
    path = tmp_path_factory.mktemp("workers") / "long.mp4"
    return make_text_video(path, [("CANCEL ME", 60)], fps=10, size=(320, 180), scale=1.0,
                           x_speed=12)


@pytest.fixture
def queue(qapp, store, data_dir):
    q = JobQueue(store, data_dir)
    yield q
    q.shutdown("cancel")
    assert q.wait(10_000)


def test_emitter_coalesces_per_frame_progress_to_about_ten_emits_a_second(qapp, monkeypatch):
    """Plumbing: 600 frames reported as fast as possible arrive in full, in order, in few emits."""
    signals = WorkerSignals()
    frames, counts = [], []
    signals.frames_ready.connect(lambda _id, batch: frames.extend(batch))
    signals.progress.connect(lambda _id, done, total: counts.append(done))
    clock = iter(n * 0.001 for n in range(10_000))  # a frame every millisecond: 0.6 s
    monkeypatch.setattr(job_worker, "time", SimpleNamespace(monotonic=lambda: next(clock)))
    emitter = ThrottledEmitter(signals, "job")
    for n in range(600):
        emitter(Progress("job", n + 1, 600, FrameResult(n, n / 10)))
    emitter.flush()
    QCoreApplication.processEvents()
    assert [f.frame_index for f in frames] == list(range(600))
    assert counts[-1] == 600
    assert 6 <= len(counts) <= 8, len(counts)  # one emit per 0.1 s of the clock, and the last


def test_running_jobs_cancels_a_job_claimed_before_it_registered():
    """Plumbing: a cancel that lands between a worker's claim and its registration still counts."""
    running = RunningJobs()
    assert not running.stop("a", remember=True)
    token = CancelToken()
    running.register("a", token)
    assert token.is_set and not token.requeue
    running.halt("interrupt")
    late = CancelToken()
    running.register("b", late)
    assert late.is_set and late.requeue and running.halted


def test_task_lane_runs_in_order_off_the_gui_thread_and_reports_errors(qtbot):
    import threading

    from foresyte_desktop.core.errors import ForesyteError
    lane = TaskLane()
    got, errors = [], []

    def work(n):
        return n, threading.current_thread() is threading.main_thread()

    def fail():
        raise ForesyteError("“x.mp4” is not an MP4 file.")
    for n in range(5):
        lane.submit(work, n, on_done=got.append)
    lane.submit(fail, on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert got == [(n, False) for n in range(5)]
    assert errors == ["“x.mp4” is not an MP4 file."]


def test_queue_runs_a_job_with_progress_live_frames_and_drains(qtbot, queue, short_video, store):
    started, progress, frames, ended = [], [], [], []
    queue.job_started.connect(started.append)
    queue.progress.connect(lambda i, d, t: progress.append((d, t)))
    queue.frames_ready.connect(lambda i, batch: frames.extend(batch))
    queue.job_ended.connect(ended.append)
    with qtbot.waitSignal(queue.intake_done, timeout=30_000) as intake:
        queue.add_paths([str(short_video)], JobSpec("", frame_stride=2))
    assert len(intake.args[0].queued) == 1 and not intake.args[0].refused
    with qtbot.waitSignal(queue.drained, timeout=JOB_TIMEOUT_MS):
        queue.start()
    job = ended[0]
    assert job.status == "completed", job.error_message
    assert started[0].job_id == job.job_id and started[0].status == "running"
    assert progress[-1] == (3, 3)
    assert [f.frame_index for f in frames] == [0, 2, 4]  # every result reached the GUI once
    stored = list(store.frame_results(job.job_id))
    assert [f.ocr for f in frames] == [f.ocr for f in stored]
    assert "HELLO" in frames[0].ocr[0].text.replace(" ", "")


def test_cancel_stops_the_running_job_before_its_end(qtbot, queue, long_video, store):
    job = store.add_job(JobSpec(str(long_video)))
    first_frame = []
    queue.frames_ready.connect(lambda i, batch: first_frame.append(batch))
    queue.start()
    qtbot.waitUntil(lambda: bool(first_frame), timeout=JOB_TIMEOUT_MS)
    with qtbot.waitSignal(queue.job_ended, timeout=10_000) as ended:
        queue.cancel([job.job_id])
    assert ended.args[0].status == "cancelled"
    stored = store.get_job(job.job_id)
    assert stored.status == "cancelled"
    assert stored.frames_done == len(list(store.frame_results(job.job_id))) < 60


def test_cancel_pending_retry_and_remove_go_through_the_store(qtbot, queue, short_video, store,
                                                               data_dir):
    job = store.add_job(JobSpec(str(short_video)))  # the queue is not started: it stays pending
    with qtbot.waitSignal(queue.jobs_changed, timeout=5000) as changed:
        queue.cancel([job.job_id])
    assert [j.status for j in changed.args[0]] == ["cancelled"]
    with qtbot.waitSignal(queue.jobs_changed, timeout=5000) as changed:
        queue.retry([job.job_id])
    assert [j.status for j in changed.args[0]] == ["pending"]
    with qtbot.waitSignal(queue.jobs_removed, timeout=5000) as removed:
        queue.remove([job.job_id])
    assert removed.args[0] == [job.job_id] and store.get_job(job.job_id) is None


def test_shutdown_interrupts_the_running_job_resumably_and_drains(
        qtbot, store, data_dir, long_video):
    queue = JobQueue(store, data_dir)
    job = store.add_job(JobSpec(str(long_video)))
    got_frames = []
    queue.frames_ready.connect(lambda i, batch: got_frames.extend(batch))
    queue.start()
    qtbot.waitUntil(lambda: bool(got_frames), timeout=JOB_TIMEOUT_MS)
    with qtbot.waitSignal(queue.stopped, timeout=10_000):
        queue.shutdown("interrupt")
    assert queue.running_job_ids() == []  # every worker has returned
    left = store.get_job(job.job_id)
    assert left.status == "pending" and left.checkpoint_frame is not None
    assert 1 <= left.frames_done == len(list(store.frame_results(job.job_id))) < 60


def test_removing_a_job_a_worker_claimed_meanwhile_cancels_it_then_removes_it(
        qtbot, queue, long_video, store):
    """The remove is decided on the GUI thread while the job is pending, and reaches the store
    after a worker claimed it: the job is cancelled, then removed, with nothing left behind."""
    job = store.add_job(JobSpec(str(long_video)))
    hold = threading.Event()
    queue.lane.submit(hold.wait)  # the lane is busy: the removal waits behind this
    queue.remove([job.job_id])
    errors, frames = [], []
    queue.error.connect(errors.append)
    queue.frames_ready.connect(lambda i, batch: frames.extend(batch))
    queue.start()
    qtbot.waitUntil(lambda: bool(frames), timeout=JOB_TIMEOUT_MS)  # claimed and running
    with qtbot.waitSignal(queue.jobs_removed, timeout=30_000) as removed:
        hold.set()
    assert removed.args[0] == [job.job_id]
    qtbot.waitUntil(lambda: queue._active == 0, timeout=JOB_TIMEOUT_MS)  # the worker returned
    queue.lane.wait(10_000)
    QCoreApplication.processEvents()
    assert store.get_job(job.job_id) is None
    cur = store._cursor()
    for table in ("frames", "ocr_lines", "detections", "videos"):
        assert cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
    assert errors == [] and queue.is_started


def test_the_store_never_removes_a_running_job(store):
    job = store.add_job(JobSpec("/v/a.mp4"))
    store.claim_next()
    store.commit_batch(job.job_id, [FrameResult(0, 0.0)], frames_done=1, checkpoint_frame=0)
    assert store.remove([job.job_id]) == []
    assert store.get_job(job.job_id).status == "running"
    assert len(list(store.frame_results(job.job_id))) == 1


def test_remove_works_after_other_threads_read_and_while_one_writes(store):
    """The window removes jobs on its lane while worker threads read jobs and commit batches."""
    keep = store.add_job(JobSpec("/v/keep.mp4"))
    gone = store.add_job(JobSpec("/v/gone.mp4"))
    store.get_job(keep.job_id)  # this thread's last read, as a worker's would be
    stop = threading.Event()

    def commit_batches():
        while not stop.is_set():
            store.commit_batch(keep.job_id, [], frames_done=0, checkpoint_frame=None)

    writer = threading.Thread(target=commit_batches)
    writer.start()
    removed = []
    try:
        def cancel_retry_remove():  # the lane's sequence when a user changes their mind
            store.cancel_pending(gone.job_id)
            store.retry(gone.job_id)
            store.get_job(gone.job_id)
            removed.append(store.remove([gone.job_id]))
        remover = threading.Thread(target=cancel_retry_remove)
        remover.start()
        remover.join(30)
    finally:
        stop.set()
        writer.join()
    assert removed == [[gone.job_id]] and store.get_job(gone.job_id) is None


def test_analysis_runs_at_a_lower_cpu_priority_than_the_window(qtbot, queue, long_video, store):
    """The GUI thread must win the CPU over inference: the analysis child is niced."""
    import os

    import psutil
    if not hasattr(os, "nice"):
        pytest.skip("no nice values on this platform")
    store.add_job(JobSpec(str(long_video), max_frames=3))
    frames = []
    queue.frames_ready.connect(lambda i, batch: frames.extend(batch))
    queue.start()
    qtbot.waitUntil(lambda: bool(frames), timeout=JOB_TIMEOUT_MS)
    me = psutil.Process()
    analysis = [psutil.Process(runner._process._proc.pid) for runner in queue._runners._all]
    assert analysis and all(p.nice() >= me.nice() + 10 for p in analysis)


def test_max_parallel_runs_two_jobs_at_once(qtbot, queue, long_video, store):
    jobs = {store.add_job(JobSpec(str(long_video), max_frames=20)).job_id for _ in range(2)}
    started = []
    queue.job_started.connect(started.append)
    queue.set_max_parallel(2)
    queue.start()
    qtbot.waitUntil(lambda: len(started) == 2, timeout=30_000)
    assert set(queue.running_job_ids()) == jobs
    assert {j.status for j in store.list_jobs()} == {"running"}


def test_open_cursors_stay_flat_over_500_lane_tasks_and_worker_runs(qtbot, qapp, store,
                                                                     data_dir):
    """Qt's pool threads can come back to Python with a fresh thread state; each unit of work
    has its own cursor, closed when it ends, so the count does not grow with the work done."""
    job = store.add_job(JobSpec("/v/a.mp4"))
    lane = TaskLane(session=store.session)
    queue = JobQueue(store, data_dir)  # its workers find nothing to claim: a store read each
    done = []
    for _ in range(5):
        lane.submit(store.get_job, job.job_id, on_done=done.append)
    qtbot.waitUntil(lambda: len(done) == 5, timeout=30_000)
    before = store.open_cursors
    for _ in range(500):
        lane.submit(store.get_job, job.job_id, on_done=done.append)
    qtbot.waitUntil(lambda: len(done) == 505, timeout=60_000)
    store.cancel_pending(job.job_id)
    idle = []
    queue._signals.idle.connect(idle.append)
    for _ in range(50):
        queue.start()
        qtbot.waitUntil(lambda: len(idle) >= 1, timeout=30_000)
        idle.clear()
        queue.pause()
    assert lane.wait(10_000) and queue.wait(10_000)
    assert store.open_cursors <= before
