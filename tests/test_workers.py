"""The window's workers: real store, real OCR in the runner's child process, real Qt signals."""
import time

import pytest
from PySide6.QtCore import QCoreApplication

from foresyte_desktop.core.model import FrameResult, JobSpec
from foresyte_desktop.core.runner import CancelToken, Progress
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


def test_emitter_coalesces_per_frame_progress_to_about_ten_emits_a_second(qapp):
    """Plumbing: 600 frames reported as fast as possible arrive in full, in order, in few emits."""
    signals = WorkerSignals()
    frames, counts = [], []
    signals.frames_ready.connect(lambda _id, batch: frames.extend(batch))
    signals.progress.connect(lambda _id, done, total: counts.append(done))
    emitter = ThrottledEmitter(signals, "job")
    start = time.monotonic()
    for n in range(600):
        emitter(Progress("job", n + 1, 600, FrameResult(n, n / 10)))
        time.sleep(0.0005)
    emitter.flush()
    elapsed = time.monotonic() - start
    QCoreApplication.processEvents()
    assert [f.frame_index for f in frames] == list(range(600))
    assert counts[-1] == 600
    assert len(counts) <= elapsed / 0.1 + 2, (len(counts), elapsed)


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


def test_cancel_takes_effect_within_a_second(qtbot, queue, long_video, store):
    job = store.add_job(JobSpec(str(long_video)))
    first_frame = []
    queue.frames_ready.connect(lambda i, batch: first_frame.append(time.monotonic()))
    queue.start()
    qtbot.waitUntil(lambda: bool(first_frame), timeout=JOB_TIMEOUT_MS)
    asked = time.monotonic()
    with qtbot.waitSignal(queue.job_ended, timeout=10_000) as ended:
        queue.cancel([job.job_id])
    took = time.monotonic() - asked
    assert ended.args[0].status == "cancelled"
    assert store.get_job(job.job_id).status == "cancelled"
    assert took <= 1.0, f"cancel took {took:.2f} s"


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


def test_shutdown_interrupts_the_running_job_resumably_and_drains_within_2_s(
        qtbot, store, data_dir, long_video):
    queue = JobQueue(store, data_dir)
    job = store.add_job(JobSpec(str(long_video)))
    got_frames = []
    queue.frames_ready.connect(lambda i, batch: got_frames.extend(batch))
    queue.start()
    qtbot.waitUntil(lambda: bool(got_frames), timeout=JOB_TIMEOUT_MS)
    asked = time.monotonic()
    with qtbot.waitSignal(queue.stopped, timeout=10_000):
        queue.shutdown("interrupt")
    took = time.monotonic() - asked
    left = store.get_job(job.job_id)
    assert left.status == "pending" and left.checkpoint_frame is not None
    assert left.frames_done == len(list(store.frame_results(job.job_id))) >= 1
    assert took <= 2.0, f"the pool took {took:.2f} s to drain"


def test_remove_works_after_other_threads_read_and_while_one_writes(store):
    """The window removes jobs on its lane while worker threads read jobs and commit batches."""
    import threading
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
    assert removed == [1] and store.get_job(gone.job_id) is None


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
    analysis = [p for p in me.children(recursive=True)
                if "resource_tracker" not in " ".join(p.cmdline())]
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
