"""A native crash while analysing one file, run from the window: that job fails with the
reason, the next job completes, and the window carries on."""
from foresyte_desktop.core.model import JobSpec
from foresyte_desktop.ui.job_table import JOB_ROLE
from tests.test_isolation import crashing_pipeline  # noqa: F401  (fixture)
from tests.test_ui_window import JOB_TIMEOUT_MS, open_window, settings_path  # noqa: F401


def test_a_crashing_job_fails_alone_and_the_window_carries_on(
        qtbot, open_window, store, text_video, crashing_pipeline):  # noqa: F811
    crash = store.add_job(JobSpec(str(text_video), pipeline_id="test_abort", frame_stride=10))
    good = store.add_job(JobSpec(str(text_video), frame_stride=20))
    window = open_window()
    with qtbot.waitSignal(window.queue.drained, timeout=JOB_TIMEOUT_MS):
        window.queue.start()

    rows = {window.model.index(r, 0).data(JOB_ROLE).job_id: window.model.index(r, 0).data(JOB_ROLE)
            for r in range(window.model.rowCount())}
    assert rows[crash.job_id].status == "failed"
    assert "The decoder crashed on this file" in rows[crash.job_id].error_message
    assert rows[good.job_id].status == "completed"
    assert store.get_job(good.job_id).status == "completed"

    assert window.isVisible() and window.queue.is_started  # not paused by the crash
    window.table.select_job(crash.job_id)
    assert "The decoder crashed on this file" in window.panel.details.text()
    assert window.job_actions.act_retry.isEnabled()
    window.job_actions.confirm_remove = lambda jobs: True  # answered (plumbing: a modal dialog)
    with qtbot.waitSignal(window.queue.jobs_removed, timeout=10_000):
        window.job_actions.act_remove.trigger()  # the window still acts on the queue
    assert [window.model.index(0, 0).data(JOB_ROLE).job_id] == [good.job_id]
