"""The main window, offscreen: dropping files, running, cancelling and retrying jobs, removing
them, restoring the list on restart, remembered settings, and closing while a job runs.

Jobs run for real (RapidOCR in the runner's child process) on small videos written here.
The confirmation dialogs are answered by replacing the ask_* methods of the window and its job
actions (plumbing: a modal dialog cannot be clicked in an offscreen test).
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QObject, QPointF, QSettings, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent

from foresyte_desktop.core.model import JobSpec
from foresyte_desktop.core.store import JobStore
from foresyte_desktop.ui.job_table import JOB_ROLE, PERCENT_ROLE, PROGRESS, STATUS
from foresyte_desktop.ui.main_window import MainWindow
from tests.videos import make_text_video

JOB_TIMEOUT_MS = 180_000  # real OCR on a shared 2-core machine: generous, normally seconds


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    """Small text videos (one in a nested folder, one long), a text file named .mp4, a PDF."""
    root = tmp_path_factory.mktemp("drop")
    make_text_video(root / "clip one.mp4", [("FIRST CLIP", 4)], fps=10, size=(320, 180),
                    scale=1.0)
    nested = root / "folder" / "deeper"
    nested.mkdir(parents=True)
    make_text_video(nested / "clip two.mp4", [("SECOND CLIP", 4)], fps=10, size=(320, 180),
                    scale=1.0)
    # A ticker: text that moves in every frame is read afresh in every frame, so jobs on it
    # last long enough to be cancelled, paused or closed on.
    make_text_video(root / "long.mp4", [("KEEP READING", 40)], fps=10, size=(320, 180),
                    scale=1.0, x_speed=12)
    (root / "notes.mp4").write_text("not a video at all")
    (root / "report.pdf").write_bytes(b"%PDF-1.4 not a video")
    return root


@pytest.fixture
def settings_path(tmp_path):
    return tmp_path / "window.ini"


@pytest.fixture
def open_window(qtbot, store, data_dir, settings_path):
    """Opens main windows on the test's store; each is closed (and its workers drained) after."""
    windows = []

    def make(the_store=None):
        window = MainWindow(the_store or store, data_dir,
                            QSettings(str(settings_path), QSettings.Format.IniFormat))
        window.show()
        windows.append(window)
        return window
    yield make
    for window in windows:
        close_window(qtbot, window)


def close_window(qtbot, window: MainWindow) -> None:
    if not window._closed:
        window.quit_resume_later()
        qtbot.waitUntil(lambda: window._closed, timeout=10_000)


def drop(window: MainWindow, paths) -> None:
    """What a file manager does: drag-enter then drop a QMimeData with file URLs."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    pos = QPointF(window.table.geometry().center())
    enter = QDragEnterEvent(pos.toPoint(), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dragEnterEvent(enter)
    assert enter.isAccepted()
    event = QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    assert event.isAccepted()


class UrlCatcher(QObject):
    """Stands in for the desktop's file manager: records the URLs it is asked to open."""

    def __init__(self):
        super().__init__()
        self.urls = []

    @Slot(QUrl)
    def open(self, url):
        self.urls.append(url)


def names(window: MainWindow) -> list[str]:
    return [window.model.index(r, 0).data() for r in range(window.model.rowCount())]


def row_job(window: MainWindow, row: int):
    return window.model.index(row, 0).data(JOB_ROLE)


@pytest.mark.filterwarnings("ignore:Function.*QDragEnterEvent:DeprecationWarning")
def test_drop_queues_good_files_and_folders_and_reports_the_bad_ones(qtbot, open_window, videos,
                                                                      store):
    window = open_window()  # the queue stays paused: nothing runs
    assert window.model.rowCount() == 0
    with qtbot.waitSignal(window.queue.intake_done, timeout=30_000):
        drop(window, [videos / "clip one.mp4", videos / "notes.mp4", videos / "folder",
                      videos / "report.pdf"])
    assert names(window) == ["clip one.mp4", "clip two.mp4"]
    assert [j.status for j in store.list_jobs()] == ["pending", "pending"]
    notice = window.notice.text()
    assert window.notice.isVisible()
    assert "Skipped 2 files" in notice
    assert "“notes.mp4” is not an MP4 file" in notice
    assert "“report.pdf” is not an MP4 file" in notice
    status = window.statusBar().currentMessage()
    assert status.startswith("Queued 2 videos; skipped 2 (not an MP4 file).")
    # the first one is selected
    assert window.table.current_job().job_id == row_job(window, 0).job_id


def test_a_job_runs_to_completion_and_its_progress_bar_reaches_100(qtbot, open_window, videos,
                                                                   tmp_path):
    window = open_window()
    window.options.stride.setValue(2)
    window.queue.start()
    with qtbot.waitSignal(window.queue.drained, timeout=JOB_TIMEOUT_MS):
        window.job_actions.add_paths([str(videos / "clip one.mp4")])
    job = row_job(window, 0)
    assert job.status == "completed", job.error_message
    progress = window.model.index(0, PROGRESS)
    assert progress.data(PERCENT_ROLE) == 100
    assert progress.data().startswith("2/2 frames · 100%")
    assert window.model.index(0, STATUS).data() == "Completed"
    # The viewer shows the finished job, its segments and the frame's text.
    qtbot.waitUntil(lambda: window.panel.segments.topLevelItemCount() == 1, timeout=10_000)
    assert window.panel.segments.topLevelItem(0).text(2).replace(" ", "") == "FIRSTCLIP"
    qtbot.waitUntil(lambda: window.viewer.view.has_image(), timeout=10_000)
    assert window.job_actions.act_reveal.isEnabled() and window.exports.act_export.isEnabled()
    if sys.platform.startswith("linux"):  # elsewhere the platform's file manager is run
        opened = UrlCatcher()
        QDesktopServices.setUrlHandler("file", opened, "open")
        try:
            window.job_actions.act_reveal.trigger()
        finally:
            QDesktopServices.unsetUrlHandler("file")
        assert [u.toLocalFile() for u in opened.urls] == [str(Path(job.output_path).parent)]
    out = tmp_path / "clip.srt"
    with qtbot.waitSignal(window.statusBar().messageChanged, timeout=10_000,
                          check_params_cb=lambda m: m.startswith("Exported")):
        window.exports.export_to(job.job_id, "srt", out)
    assert "FIRST" in out.read_text(encoding="utf-8")


@pytest.fixture
def slow_pipeline(monkeypatch):
    """Jobs that last long enough to cancel or pause while they run (tests/crashing_pipelines)."""
    import importlib

    import foresyte_desktop.core.pipelines as registry
    monkeypatch.setenv("FORESYTE_PIPELINES", "tests.crashing_pipelines:SlowPipeline")
    importlib.reload(registry)
    yield "test_slow"
    monkeypatch.delenv("FORESYTE_PIPELINES")
    registry.PIPELINES.pop("test_slow", None)


def test_cancel_a_running_job_then_retry_it(qtbot, open_window, videos, store, slow_pipeline):
    window = open_window()
    job = store.add_job(JobSpec(str(videos / "long.mp4"), slow_pipeline, max_frames=4))
    window.model.upsert([job])
    window.table.select_job(job.job_id)
    window.queue.start()
    qtbot.waitUntil(lambda: row_job(window, 0).frames_done >= 1, timeout=JOB_TIMEOUT_MS)
    jobs = window.job_actions
    assert jobs.act_cancel.isEnabled() and not jobs.act_retry.isEnabled()
    with qtbot.waitSignal(window.queue.job_ended, timeout=10_000):
        window.job_actions.act_cancel.trigger()
        assert window.model.index(0, STATUS).data() == "Cancelling…"
    assert row_job(window, 0).status == "cancelled"
    assert row_job(window, 0).frames_done < 4  # stopped before its last frame
    assert jobs.act_retry.isEnabled() and not jobs.act_cancel.isEnabled()
    with qtbot.waitSignal(window.queue.job_ended, timeout=JOB_TIMEOUT_MS,
                          check_params_cb=lambda j: j.status != "cancelled"):
        window.job_actions.act_retry.trigger()
    retried = row_job(window, 0)
    assert retried.status == "completed" and retried.frames_done == 4
    assert store.get_job(job.job_id).frames_done == 4


def test_pause_lets_the_running_job_finish_or_cancels_it(qtbot, open_window, videos, store,
                                                         slow_pipeline):
    window = open_window()
    first = store.add_job(JobSpec(str(videos / "long.mp4"), slow_pipeline, max_frames=3))
    second = store.add_job(JobSpec(str(videos / "long.mp4"), slow_pipeline, max_frames=8))
    window.model.upsert([first, second])
    window.queue.start()
    qtbot.waitUntil(lambda: row_job(window, 0).frames_done >= 1, timeout=JOB_TIMEOUT_MS)
    window.job_actions.ask_pause = lambda running: "finish"
    with qtbot.waitSignal(window.queue.job_ended, timeout=JOB_TIMEOUT_MS) as ended:
        window.job_actions.act_start.trigger()
        assert not window.queue.is_started and window.job_actions.act_start.text() == "Start"
    assert ended.args[0].job_id == first.job_id and ended.args[0].status == "completed"
    qtbot.wait(500)
    assert row_job(window, 1).status == "pending"  # paused: the next job did not start
    assert window.job_actions.summary.text().startswith("Queue paused")

    window.job_actions.act_start.trigger()
    qtbot.waitUntil(lambda: row_job(window, 1).frames_done >= 1, timeout=JOB_TIMEOUT_MS)
    window.job_actions.ask_pause = lambda running: "cancel"
    with qtbot.waitSignal(window.queue.job_ended, timeout=10_000) as ended:
        window.job_actions.act_start.trigger()
    assert ended.args[0].job_id == second.job_id and ended.args[0].status == "cancelled"


def test_cancel_a_pending_job_and_remove_jobs_after_confirming(qtbot, open_window, videos, store,
                                                               data_dir):
    window = open_window()
    jobs = [store.add_job(JobSpec(str(videos / "clip one.mp4"))) for _ in range(2)]
    window.model.upsert(jobs)
    window.table.select_job(jobs[0].job_id)
    with qtbot.waitSignal(window.queue.jobs_changed, timeout=5000):
        window.job_actions.act_cancel.trigger()
    assert row_job(window, 0).status == "cancelled"
    asked = []
    # the user says no
    window.job_actions.confirm_remove = lambda js: asked.append(len(js)) or False
    window.job_actions.act_remove.trigger()
    assert asked == [1] and window.model.rowCount() == 2
    window.job_actions.confirm_remove = lambda js: True
    window.table.selectAll()
    with qtbot.waitSignal(window.queue.jobs_removed, timeout=5000):
        window.job_actions.act_remove.trigger()
    assert window.model.rowCount() == 0 and store.list_jobs() == []
    assert window.viewer.job is None


def test_restart_restores_the_list_and_requeues_the_interrupted_job(qtbot, open_window, videos,
                                                                    data_dir, store):
    done = store.add_job(JobSpec(str(videos / "clip one.mp4"), frame_stride=2))
    crashed = store.add_job(JobSpec(str(videos / "folder" / "deeper" / "clip two.mp4")))
    store.claim_next()  # `done` is now running...
    store.finish(done.job_id, "failed", error_message="“clip one.mp4” failed: a long reason "
                                                      "that the tooltip shows in full.")
    store.claim_next()  # ...and `crashed` is left running, as if the app had died
    store.close()

    reopened = JobStore.open(data_dir)  # what the next start does
    try:
        window = open_window(reopened)
        assert names(window) == ["clip one.mp4", "clip two.mp4"]
        assert [row_job(window, r).status for r in (0, 1)] == ["failed", "pending"]
        assert window.model.index(0, STATUS).data(Qt.ItemDataRole.ToolTipRole) == \
            "“clip one.mp4” failed: a long reason that the tooltip shows in full."
        window.table.select_job(done.job_id)
        assert "a long reason that the tooltip shows in full." in window.panel.details.text()
        with qtbot.waitSignal(window.queue.job_ended, timeout=JOB_TIMEOUT_MS) as ended:
            window.queue.start()
        assert ended.args[0].job_id == crashed.job_id and ended.args[0].status == "completed"
        close_window(qtbot, window)
    finally:
        reopened.close()


def test_choices_and_geometry_are_remembered(qtbot, open_window, settings_path):
    first = open_window()
    first.options.pipeline.setCurrentIndex(first.options.pipeline.findData("yolo_ocr"))
    first.options.stride.setValue(5)
    first.options.max_frames.setValue(100)
    first.options.set_model("/models/weights.onnx")
    first.window_settings.parallel.setValue(2)
    first.window_settings.when_done.setCurrentIndex(first.window_settings.when_done.findData("quit"))
    first.viewer.act_show_detections.setChecked(False)
    assert not first.find.dock.isVisible()  # the Find panel waits for Ctrl+F
    first.find.find_text()
    first.resize(790, 610)  # within the offscreen screen (800×800), which restoring respects
    size = (first.width(), first.height())
    close_window(qtbot, first)

    second = open_window()
    assert second.options.spec() == JobSpec(input_path="", pipeline_id="yolo_ocr", frame_stride=5,
                                            max_frames=100, model_path="/models/weights.onnx")
    assert second.window_settings.parallel.value() == 2 and second.queue.max_parallel == 2
    assert second.window_settings.when_done.currentData() == "quit"
    assert not second.viewer.act_show_detections.isChecked()
    assert second.find.dock.isVisible()  # open when the window closed: open again
    assert (second.width(), second.height()) == size != (1500, 950)


def test_closing_while_a_job_runs_asks_and_cancels_it(qtbot, open_window, videos, store):
    window = open_window()
    job = store.add_job(JobSpec(str(videos / "long.mp4")))
    window.model.upsert([job])
    window.queue.start()
    qtbot.waitUntil(lambda: row_job(window, 0).frames_done >= 1, timeout=JOB_TIMEOUT_MS)
    answers = iter([None, "cancel"])
    asked = []
    window.ask_on_close = lambda n: asked.append(n) or next(answers)
    window.close()  # "Don't Quit"
    assert window.isVisible() and not window._closing
    window.close()  # "Cancel Job and Quit"
    qtbot.waitUntil(lambda: window._closed, timeout=10_000)
    assert asked == [1, 1]
    ended = store.get_job(job.job_id)
    assert ended.status == "cancelled" and ended.frames_done < 40  # stopped before its end


def test_help_opens_the_sample_video(qtbot, open_window):
    window = open_window()
    with qtbot.waitSignal(window.queue.intake_done, timeout=30_000) as intake:
        window.job_actions.act_sample.trigger()
    assert not intake.args[0].refused
    assert names(window) == ["sample.mp4"]


def run_foresyte(args, timeout=240, env=None):
    return subprocess.run([sys.executable, "-m", "foresyte_desktop", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, env=env)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland sessions")
def test_without_a_display_the_window_says_so_and_exits(data_dir):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = run_foresyte(["--data-dir", data_dir], timeout=60, env=env)
    assert result.returncode == 2
    assert "the window needs a graphical session" in result.stderr
    assert "foresyte run FILE" in result.stderr and "Traceback" not in result.stderr


def test_a_second_instance_says_the_database_is_in_use_and_exits(store, data_dir):
    """`store` holds the database open, as a first window would."""
    result = run_foresyte(["--data-dir", data_dir])
    assert result.returncode == 3
    assert "is in use by another ForeSyte window or command" in result.stderr
    assert "Traceback" not in result.stderr


def test_foresyte_file_queues_it_and_quits_with_0_when_the_queue_is_done(data_dir, videos):
    ini = QSettings(str(data_dir / "config" / "window.ini"), QSettings.Format.IniFormat)
    ini.setValue("queue/when_done", "quit")
    ini.setValue("jobs/stride", 2)
    ini.sync()
    result = run_foresyte([videos / "clip one.mp4", "--data-dir", data_dir])
    assert result.returncode == 0, result.stderr
    with JobStore.open(data_dir) as store:
        jobs = store.list_jobs()
    assert [(j.status, j.frames_done, j.frame_stride) for j in jobs] == [("completed", 2, 2)]
