"""Test-wide settings: offline, offscreen, and every file the app writes kept in tmp dirs."""
import os

# Before anything imports Qt, ultralytics or onnxruntime.
os.environ["FORESYTE_OFFLINE"] = "1"
os.environ["YOLO_OFFLINE"] = "true"
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from tests.videos import make_text_video  # noqa: E402


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A fresh data dir; FORESYTE_DATA_DIR points at it for code that reads the environment."""
    d = tmp_path / "data"
    monkeypatch.setenv("FORESYTE_DATA_DIR", str(d))
    from foresyte_desktop.core.paths import confine_third_party_files, resolve_data_dir
    resolved = resolve_data_dir(d)
    confine_third_party_files(resolved)
    return resolved


@pytest.fixture
def store(data_dir):
    from foresyte_desktop.core.store import JobStore
    s = JobStore.open(data_dir)
    yield s
    s.close()


@pytest.fixture(scope="session")
def text_video(tmp_path_factory):
    """A 4 s, 10 fps video: "HELLO WORLD" for 2 s, then "SECOND LINE 42" for 2 s."""
    path = tmp_path_factory.mktemp("videos") / "two lines.mp4"
    return make_text_video(path, [("HELLO WORLD", 20), ("SECOND LINE 42", 20)], fps=10)


@pytest.fixture
def window(qtbot, store, data_dir, tmp_path):
    """The main window on the test's store, closed (its workers drained) after the test."""
    from PySide6.QtCore import QSettings

    from foresyte_desktop.ui.main_window import MainWindow
    w = MainWindow(store, data_dir, QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    w.resize(1200, 800)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.quit_resume_later()
    qtbot.waitUntil(lambda: w._closed, timeout=10_000)
