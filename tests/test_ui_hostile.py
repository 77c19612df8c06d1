"""A file that crashes the decoder as it is opened (a stand-in for FFmpeg meeting a hostile
file: tests/crashing_decoder.py), dropped into the window: the window lives on, the file is
refused with a sentence, and a job on it fails with one; the viewer says why it shows nothing."""
import shutil
from pathlib import Path

import pytest

from foresyte_desktop.core import decode_process
from foresyte_desktop.core.analysis_process import AnalysisProcess
from foresyte_desktop.core.decode_process import DecodeProcess
from foresyte_desktop.core.model import JobSpec
from tests import crashing_decoder
from tests.test_ui_window import JOB_TIMEOUT_MS, drop, open_window, settings_path  # noqa: F401


@pytest.fixture
def aborting_decoder(monkeypatch):
    monkeypatch.setattr(DecodeProcess, "child_main", staticmethod(crashing_decoder.decode_child))
    monkeypatch.setattr(AnalysisProcess, "child_main",
                        staticmethod(crashing_decoder.analysis_child))
    monkeypatch.setattr(decode_process, "_shared", None)  # a shared child with the stand-in


@pytest.mark.filterwarnings("ignore:Function.*QDragEnterEvent:DeprecationWarning")
def test_a_file_that_crashes_the_decoder_on_open_never_takes_the_window_down(
        qtbot, open_window, store, text_video, tmp_path, aborting_decoder):  # noqa: F811
    hostile = tmp_path / "hostile clip.mp4"
    good = tmp_path / "good clip.mp4"
    shutil.copy(text_video, hostile)
    shutil.copy(text_video, good)
    window = open_window()
    with qtbot.waitSignal(window.queue.intake_done, timeout=60_000) as intake:
        drop(window, [hostile, good])
    result = intake.args[0]
    assert [Path(j.input_path).name for j in result.queued] == ["good clip.mp4"]
    [refusal] = result.refused
    assert refusal.message.startswith("“hostile clip.mp4” crashed the video decoder (signal 6)")
    assert "crashed the video decoder" in window.notice.text()
    assert window.isVisible()

    # A job on the file queued before it turned hostile: the viewer and the job fail alone.
    job = store.add_job(JobSpec(str(hostile), frame_stride=10))
    window.model.upsert([job])
    window.table.select_job(job.job_id)
    qtbot.waitUntil(lambda: "crashed the video decoder" in window.viewer.view.message,
                    timeout=60_000)
    with qtbot.waitSignal(window.queue.drained, timeout=JOB_TIMEOUT_MS):
        window.queue.start()
    failed = store.get_job(job.job_id)
    assert failed.status == "failed"
    assert failed.error_message.startswith("The decoder crashed on this file: “hostile clip.mp4”")
    assert store.get_job(result.queued[0].job_id).status == "completed"
    assert window.isVisible() and window.queue.is_started
