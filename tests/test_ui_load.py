"""A queue of 500 jobs: the window opens in under 2 s, and a progress tick repaints one row."""
import time

from PySide6.QtCore import QCoreApplication

from foresyte_desktop.core.model import JobSpec
from foresyte_desktop.ui.job_table import PROGRESS
from tests.test_ui_window import open_window, settings_path  # noqa: F401  (fixtures)

JOBS = 500


def test_500_queued_jobs_open_in_under_2_s_and_a_tick_changes_one_row(
        qtbot, open_window, store, text_video):  # noqa: F811
    jobs = [store.add_job(JobSpec(str(text_video), frame_stride=1 + n % 7)) for n in range(JOBS)]

    began = time.perf_counter()
    window = open_window()
    QCoreApplication.processEvents()  # the first layout and paint
    qtbot.waitUntil(lambda: window.model.rowCount() == JOBS, timeout=2000)
    took = time.perf_counter() - began
    print(f"window with {JOBS} queued jobs shown in {took:.3f} s")
    assert took < 2.0, f"opening took {took:.2f} s"

    changes, resets = [], []
    window.model.dataChanged.connect(lambda a, b, *_: changes.append((a.row(), b.row(),
                                                                      a.column(), b.column())))
    for signal in (window.model.modelReset, window.model.layoutChanged,
                   window.model.rowsInserted, window.model.rowsRemoved):
        signal.connect(lambda *args: resets.append(args))
    row = window.model.row_of(jobs[250].job_id)
    window.queue.progress.emit(jobs[250].job_id, 3, 40)
    assert changes == [(row, row, PROGRESS, PROGRESS)] and resets == []

    began = time.perf_counter()
    for job in jobs:  # a tick for every job: each stays one row's repaint
        window.queue.progress.emit(job.job_id, 4, 40)
    QCoreApplication.processEvents()
    ticks = time.perf_counter() - began
    print(f"{JOBS} progress ticks handled in {ticks * 1000:.1f} ms")
    assert len(changes) == 1 + JOBS and all(c[0] == c[1] for c in changes) and resets == []
    assert ticks < 1.0, f"{JOBS} ticks took {ticks:.2f} s"
