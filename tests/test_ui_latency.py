"""The GUI thread never waits on inference or on the database: while a real OCR job runs (and
the viewer follows it live, decoding and drawing each new frame), a 10 ms QTimer on the GUI
thread never fires more than 100 ms late."""
import time

from PySide6.QtCore import QSettings, Qt, QTimer

from foresyte_desktop.ui.main_window import MainWindow
from tests.videos import make_text_video

TICK_MS = 10
MAX_LATE_MS = 100


def test_gui_timer_is_never_more_than_100_ms_late_while_a_real_ocr_job_runs(
        qtbot, store, data_dir, tmp_path, capsys):
    # A ticker over a moving background: every frame is read afresh.
    video = make_text_video(tmp_path / "latency.mp4",
                            [("GUI STAYS SMOOTH", 6), ("WHILE OCR RUNS", 6)], fps=10,
                            size=(480, 270), scale=1.1, x_speed=12, moving_background=True)
    window = MainWindow(store, data_dir, QSettings(str(tmp_path / "w.ini"),
                                                   QSettings.Format.IniFormat))
    window.show()
    ticks: list[float] = []
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(TICK_MS)
    running: list[float] = []
    window.queue.job_started.connect(lambda job: running.append(time.perf_counter()))
    window.queue.job_ended.connect(lambda job: running.append(time.perf_counter()))
    try:
        window.queue.start()
        with qtbot.waitSignal(window.queue.job_ended, timeout=180_000) as ended:
            window.job_actions.add_paths([str(video)])
        timer.stop()
        job = ended.args[0]
        assert job.status == "completed" and job.frames_done == 12, job.error_message
        assert window.viewer.job.job_id == job.job_id  # the viewer followed the job
        start, end = running
        during = [t for t in ticks if start <= t <= end]
        late_ms = sorted((b - a) * 1000 - TICK_MS for a, b in zip(during, during[1:]))
        worst, p99 = late_ms[-1], late_ms[int(len(late_ms) * 0.99)]
        with capsys.disabled():
            print(f"\nGUI timer while a {end - start:.1f} s OCR job ran: {len(late_ms)} ticks, "
                  f"worst {worst:.1f} ms late, p99 {p99:.1f} ms, "
                  f"median {late_ms[len(late_ms) // 2]:.1f} ms")
        assert len(during) > (end - start) * 1000 / TICK_MS / 4  # the loop really ticked
        assert worst <= MAX_LATE_MS
    finally:
        window.quit_resume_later()
        qtbot.waitUntil(lambda: window._closed, timeout=10_000)
