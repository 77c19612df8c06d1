"""Makes docs/screenshot.png: the real window, under Xvfb, after real jobs ran.

`make screenshot` runs it (xvfb-run, the xcb platform, offline). It writes a few text videos,
queues them with different settings (one with a model file that does not exist, so one job
fails), runs them, selects a finished job on a frame with text, and grabs the screen.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def wait_for(app, condition, seconds: float) -> None:
    import time
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            raise SystemExit("screenshot: timed out waiting for the window")
        app.processEvents()
        time.sleep(0.02)


def in_scratch_folder(shoot, out: Path) -> int:
    """Run `shoot(work, out)` offline in a throwaway folder, removed afterwards."""
    os.environ["FORESYTE_OFFLINE"] = "1"
    work = Path(tempfile.mkdtemp(prefix="foresyte-screenshot-"))
    try:
        return shoot(work, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def open_window(work: Path):
    """The application, the real window, 1600×1000, on a fresh data folder in `work`, and
    its store (closed by save_and_close)."""
    from foresyte_desktop.core.data_folder import open_data_folder
    from foresyte_desktop.ui.app import create_application, window_settings
    data_dir, store = open_data_folder(work / "data")
    app = create_application()
    from foresyte_desktop.ui.main_window import MainWindow
    window = MainWindow(store, data_dir, window_settings(data_dir))
    window.setGeometry(0, 0, 1600, 1000)
    window.show()
    return app, window, store


def save_and_close(app, window, store, out: Path) -> int:
    """Grab the screen into `out` once the window has settled, then quit like the user."""
    for _ in range(20):
        app.processEvents()
    shot = app.primaryScreen().grabWindow(0)
    shot.copy(0, 0, 1600, 1000).save(str(out))
    window.quit_resume_later()
    wait_for(app, lambda: window._closed, 30)
    store.close()
    print(f"Wrote {out}")
    return 0


def main(out: Path) -> int:
    return in_scratch_folder(shoot, out)


def shoot(work: Path, out: Path) -> int:
    from tests.videos import make_text_video
    videos = work / "Case 2291"
    videos.mkdir()
    review = make_text_video(videos / "lobby briefing.mp4",
                             [("QUARTERLY REVIEW 2026", 40), ("GATE 14 NOW BOARDING", 40)],
                             fps=10, size=(1280, 720), scale=2.0)
    ticker = make_text_video(videos / "news ticker.mp4", [("MARKETS OPEN HIGHER", 30)],
                             fps=10, size=(854, 480), scale=1.4, x_speed=6)
    camera = make_text_video(videos / "camera 3.mp4", [("EXIT B", 20)], fps=10,
                             size=(640, 360), moving_background=True)
    sample = ROOT / "resources" / "sample.mp4"

    from foresyte_desktop.core.model import JobSpec
    app, window, store = open_window(work)
    queue = window.queue
    ended = []
    queue.job_ended.connect(ended.append)
    batches = [([review], JobSpec("", frame_stride=4)),
               ([sample], JobSpec("", frame_stride=2)),
               ([ticker], JobSpec("", "yolo_ocr", frame_stride=6, model_path="yolo11n.yaml")),
               ([camera], JobSpec("", "yolo_ocr", model_path=str(work / "weights.pt")))]
    for paths, spec in batches:
        queue.add_paths([str(p) for p in paths], spec)
    window.queue.start()
    wait_for(app, lambda: len(ended) == len(batches), 900)
    window.job_actions.toggle_queue()  # paused: the last one waits, as a queued job does
    window.options.stride.setValue(5)
    window.job_actions.add_paths([str(ticker)])
    wait_for(app, lambda: window.model.rowCount() == len(batches) + 1, 60)

    window.table.select_job(next(j.job_id for j in ended if j.input_path == str(review.resolve())))
    viewer = window.viewer
    wait_for(app, lambda: viewer.info is not None and window.panel.segments.topLevelItemCount(), 60)
    viewer.seek(44)
    wait_for(app, lambda: viewer.shown_index == 44 and viewer.view.result is not None, 30)
    return save_and_close(app, window, store, out)


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshot.png"))
