"""The licence of the default YOLO weights is told once per data folder after they arrive:
in the window's notice bar while a job runs, and by the CLI after a job."""
from PySide6.QtCore import QObject, Signal

from foresyte_desktop.core.paths import models_dir
from foresyte_desktop.ui.notice_bar import NoticeBar
from foresyte_desktop.ui.weights_licence import WeightsLicenceNote
from tests.test_cli import foresyte


class Queue(QObject):
    progress = Signal(str, int, int)


def put_default_weights(data_dir):
    models_dir(data_dir).mkdir(parents=True, exist_ok=True)
    (models_dir(data_dir) / "yolo11n.pt").write_bytes(b"weights")


def test_the_window_tells_once_when_the_weights_arrive(qtbot, data_dir):
    queue, bar = Queue(), NoticeBar()
    qtbot.addWidget(bar)
    WeightsLicenceNote(queue.progress, bar, data_dir, queue)
    queue.progress.emit("job", 1, 10)
    assert bar.isHidden()  # no weights downloaded yet

    put_default_weights(data_dir)
    queue.progress.emit("job", 2, 10)
    assert not bar.isHidden() and "AGPL-3.0" in bar.text()
    bar.hide()
    queue.progress.emit("job", 3, 10)
    WeightsLicenceNote(queue.progress, bar, data_dir, queue)  # the next start of the window
    assert bar.isHidden()


def test_the_cli_tells_once_after_a_job(tmp_path, text_video):
    data = tmp_path / "data"
    put_default_weights(data)
    first = foresyte("run", text_video, "--max-frames", "1", "--data-dir", data)
    assert first.returncode == 0 and "Note: The default YOLO weights" in first.stderr
    again = foresyte("run", text_video, "--max-frames", "1", "--data-dir", data)
    assert again.returncode == 0 and "YOLO weights" not in again.stderr
