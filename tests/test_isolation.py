"""A native crash while analysing one file fails only that job; the next job runs."""
import os

import pytest

from foresyte_desktop.core.model import JobSpec
from foresyte_desktop.core.runner import JobRunner


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
        first = runner.run_next()
        second = runner.run_next()
    assert first.job_id == crash.job_id and first.status == "failed"
    assert "The decoder crashed on this file" in first.error_message
    assert "“two lines.mp4”" in first.error_message
    assert first.frames_done == 1  # what was read before the crash is kept
    assert second.job_id == good.job_id and second.status == "completed"
    assert os.getpid() > 0  # this process, the "app", is still here
