"""A native crash while analysing one file fails only that job; the next job runs. A job the
runner stops reading early leaves nothing in the pipe for the next one."""
import signal
import time

import psutil
import pytest

from foresyte_desktop.core.model import JobSpec
from foresyte_desktop.core.runner import JobRunner
from tests.videos import make_text_video


@pytest.fixture
def crashing_pipeline(monkeypatch):
    monkeypatch.setenv("FORESYTE_PIPELINES", "tests.crashing_pipelines:AbortingPipeline")
    import importlib

    import foresyte_desktop.core.pipelines as registry
    importlib.reload(registry)
    yield
    monkeypatch.delenv("FORESYTE_PIPELINES")
    registry.PIPELINES.pop("test_abort", None)


def test_abort_in_the_analysis_fails_one_job_and_the_next_runs(
        store, data_dir, text_video, crashing_pipeline):
    crash = store.add_job(JobSpec(str(text_video), pipeline_id="test_abort", frame_stride=10))
    good = store.add_job(JobSpec(str(text_video), frame_stride=20))
    with JobRunner(store, data_dir, batch_frames=1) as runner:
        runner._process._ensure_started()
        crashed_child = psutil.Process(runner._process._proc.pid)
        first = runner.run_next()
        second = runner.run_next()
        serving_child = runner._process._proc.pid
    assert first.job_id == crash.job_id and first.status == "failed"
    assert "The decoder crashed on this file" in first.error_message
    assert "“two lines.mp4”" in first.error_message
    assert f"(signal {int(signal.SIGABRT)})" in first.error_message  # the child aborted
    assert not crashed_child.is_running()  # it is gone, and a fresh one served the next job
    assert serving_child != crashed_child.pid
    assert first.frames_done == 1  # what was read before the crash is kept
    assert second.job_id == good.job_id and second.status == "completed"


def test_a_job_that_stops_reading_early_leaves_nothing_for_the_next_one(
        store, data_dir, text_video, tmp_path, monkeypatch):
    """The first job fails in the parent (recording its video) while the child still streams
    its frames: the next job on the same runner gets only its own frames."""
    other = make_text_video(tmp_path / "other.mp4", [("OTHER WORDS", 30)], fps=10)
    first = store.add_job(JobSpec(str(text_video), frame_stride=1))
    second = store.add_job(JobSpec(str(other), frame_stride=3))
    real_begin = store.begin
    failures = []

    def begin_fails_once(job_id, video, total):
        if not failures:
            failures.append(job_id)
            raise RuntimeError("the disk went away")
        real_begin(job_id, video, total)
    monkeypatch.setattr(store, "begin", begin_fails_once)
    with JobRunner(store, data_dir, batch_frames=1) as runner:
        ended_first = runner.run_next()
        ended_second = runner.run_next()
    assert ended_first.job_id == first.job_id and ended_first.status == "failed"
    assert "the disk went away" in ended_first.error_message
    assert ended_second.job_id == second.job_id and ended_second.status == "completed"
    frames = list(store.frame_results(second.job_id))
    assert [f.frame_index for f in frames] == list(range(0, 30, 3))
    assert store.video_info(second.job_id).path == str(other)
    assert {line.text for f in frames for line in f.ocr} == {"OTHER WORDS"}
    assert list(store.frame_results(first.job_id)) == []


def test_a_child_killed_between_jobs_is_replaced_and_the_job_runs(store, data_dir, text_video):
    """The child dies after the runner found it alive and before the job is sent (the kill
    lands in between): the job goes to a fresh child instead of failing on a broken pipe."""
    job = store.add_job(JobSpec(str(text_video), frame_stride=20))
    with JobRunner(store, data_dir) as runner:
        runner._process._ensure_started()
        dead = runner._process._proc
        psutil.Process(dead.pid).send_signal(signal.SIGKILL)
        deadline = time.monotonic() + 10
        while psutil.Process(dead.pid).status() != psutil.STATUS_ZOMBIE:
            assert time.monotonic() < deadline, "the killed child did not die"
            time.sleep(0.01)
        dead.is_alive = lambda: True  # plumbing: the check ran a moment before the kill
        ended = runner.run_next()
        serving_child = runner._process._proc.pid
    assert ended.job_id == job.job_id and ended.status == "completed", ended.error_message
    assert serving_child != dead.pid
