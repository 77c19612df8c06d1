"""Makes the README's screenshots and a review set: the real window, under Xvfb, after real jobs.

`make screenshots` runs it (xvfb-run with a 1600×1000 screen, the xcb platform, offline). In a
throwaway folder it writes text videos, runs real jobs through the window (one of them yolo_ocr
with a damaged weights file, so it fails; one stopped part-way to resume later), then takes:

- docs/screenshot.png: the queue, and a finished job on a frame with text;
- docs/screenshot-search.png: the Find panel's hits for a misspelt query, one opened;
- docs/screenshot-review.png: a job half reviewed, with one corrected line on the frame;
- the review set, in OUT (build/screenshots/ by default), at 1600×1000, at 1280×720 and at 2×
  scaling (QT_SCALE_FACTOR=2, in a second Xvfb screen twice the size, on a copy of the data):
  two stacked lines, the Find panel open, and a failed yolo job beside the refusal to queue
  yolo_ocr without weights.

    python docs/screenshots.py [OUT]            the whole set (needs an X display)
    python docs/screenshots.py --review-only …  the review set on an existing data folder
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SIZES = ((1600, 1000), (1280, 720))
SCALED = (1280, 800)  # the 2× window, in logical pixels: a 2560×1600 screen
STACKED = ("DEFENCE COUNSEL ASKED", "WHERE WERE YOU AT NINE")
ANNOUNCEMENTS = ("PLATFORM 4 LONDON", "DEPARTS 09 15", "CALLING AT READING", "SWINDON AND BATH",
                 "BRISTOL TEMPLE MEADS", "MIND THE GAP")


def wait_for(app, condition, seconds: float, what: str) -> None:
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            raise SystemExit(f"screenshots: timed out waiting for {what}")
        app.processEvents()
        time.sleep(0.02)


def settle(app, rounds: int = 30) -> None:
    for _ in range(rounds):
        app.processEvents()
        time.sleep(0.01)


def make_videos(folder: Path) -> dict[str, Path]:
    from tests.videos import LATIN_FONT, make_subtitle_video, make_text_video
    folder.mkdir(parents=True)
    return {
        "lobby": make_text_video(folder / "lobby briefing.mp4",
                                 [("QUARTERLY REVIEW 2026", 40), ("GATE 14 NOW BOARDING", 40)],
                                 fps=10, size=(1280, 720), scale=2.0),
        "ticker": make_text_video(folder / "news ticker.mp4", [("MARKETS OPEN HIGHER", 40)],
                                  fps=10, size=(854, 480), scale=1.4, x_speed=6),
        "camera": make_text_video(folder / "camera 3.mp4",
                                  [("EXIT B", 20), ("GATE 14 LEFT", 30), ("", 10)], fps=10,
                                  size=(640, 360), moving_background=True),
        "hearing": make_subtitle_video(folder / "defence hearing day 2.mp4",
                                       [([(STACKED[0], 0.77), (STACKED[1], 0.86)], 30)],
                                       font=LATIN_FONT, font_px=34, fps=10, size=(854, 480)),
        "parking": make_text_video(folder / "parking level 2.mp4", [("LEVEL 2 EXIT", 10)],
                                   fps=10, size=(640, 360)),
        "platform": make_text_video(folder / "platform announcements.mp4",
                                    [(line, 15) for line in ANNOUNCEMENTS], fps=10,
                                    size=(854, 480), scale=1.3),
    }


def open_window(data: Path, size: tuple[int, int]):
    """The application and the real window on the data folder `data`, and its store."""
    from foresyte_desktop.core.data_folder import open_data_folder
    from foresyte_desktop.ui.app import create_application, window_settings
    data_dir, store = open_data_folder(data)
    app = create_application()
    from foresyte_desktop.ui.main_window import MainWindow
    window = MainWindow(store, data_dir, window_settings(data_dir))
    window.setGeometry(0, 0, *size)
    window.show()
    window.activateWindow()
    window.table.setFocus()
    if shutil.which("xdotool"):  # no window manager under Xvfb: give it the focus directly
        subprocess.run(["xdotool", "windowfocus", str(int(window.winId()))], check=False)
    settle(app)
    return app, window, store


def close(app, window, store) -> None:
    window.quit_resume_later()
    wait_for(app, lambda: window._closed, 60, "the window to close")
    store.close()


def shoot(app, window, out: Path) -> None:
    """The window as on screen (what covers it too: a menu, a notice), into `out`."""
    settle(app)
    shot = app.primaryScreen().grabWindow(0)
    ratio = shot.devicePixelRatio()
    geo = window.frameGeometry()
    shot.copy(round(geo.x() * ratio), round(geo.y() * ratio), round(geo.width() * ratio),
              round(geo.height() * ratio)).save(str(out))
    print(f"Wrote {out}")


def job_of(window, name: str):
    return next(window.model.job_at(r) for r in range(window.model.rowCount())
                if Path(window.model.job_at(r).input_path).name == name)


def show(app, window, name: str, frame: int) -> None:
    """Select the job of the file `name` and wait until `frame` is on screen with results."""
    window.table.select_job(job_of(window, name).job_id)
    viewer = window.viewer
    wait_for(app, lambda: viewer.info is not None, 60, f"{name} to open")
    viewer.seek(frame)
    wait_for(app, lambda: viewer.shown_index == frame and viewer.view.result is not None, 60,
             f"frame {frame} of {name}")


def run_jobs(app, window, videos: dict[str, Path], work: Path) -> None:
    """The jobs every picture draws on, run for real through the window's queue."""
    from foresyte_desktop.core.model import JobSpec
    queue = window.queue
    ended = []
    queue.job_ended.connect(ended.append)
    broken = work / "parking detector.onnx"
    broken.write_bytes(b"these are not YOLO weights")
    batches = [([videos["lobby"]], JobSpec("", frame_stride=4)),
               ([ROOT / "resources" / "sample.mp4"], JobSpec("", frame_stride=2)),
               ([videos["ticker"]], JobSpec("", "yolo_ocr", frame_stride=6,
                                            model_path="yolo11n.yaml")),
               ([videos["camera"]], JobSpec("", frame_stride=2)),
               ([videos["hearing"]], JobSpec("", frame_stride=3)),
               ([videos["platform"]], JobSpec("", frame_stride=3)),
               ([videos["parking"]], JobSpec("", "yolo_ocr", model_path=str(broken)))]
    for paths, spec in batches:
        queue.add_paths([str(p) for p in paths], spec)
    queue.start()
    wait_for(app, lambda: len(ended) == len(batches), 1200, "the jobs to end")
    # One more, stopped part-way to resume later, as the pause question's middle answer does.
    window.options.stride.setValue(5)
    window.job_actions.add_paths([str(videos["ticker"])])
    wait_for(app, lambda: window.model.rowCount() == len(batches) + 1, 60, "the last job")
    last = window.model.job_at(window.model.rowCount() - 1).job_id
    wait_for(app, lambda: window.model.job_at(window.model.row_of(last)).frames_done >= 1, 300,
             "the last job to start")
    queue.pause("interrupt")
    wait_for(app, lambda: len(ended) == len(batches) + 1, 60, "the last job to stop")
    window.options.stride.setValue(1)


def readme_shots(app, window) -> None:
    show(app, window, "lobby briefing.mp4", 44)
    shoot(app, window, ROOT / "docs" / "screenshot.png")
    find(app, window)
    shoot(app, window, ROOT / "docs" / "screenshot-search.png")
    window.find.dock.hide()
    half_reviewed(app, window)
    shoot(app, window, ROOT / "docs" / "screenshot-review.png")
    window.cases.choice.setCurrentIndex(0)  # every job again, for the review set


def half_reviewed(app, window) -> None:
    """The announcements job reviewed by its keys' actions up to half way: three lines
    verified, the fourth corrected on screen, a bookmark on the fifth; the job in a case, and
    that case chosen over the job list."""
    from foresyte_desktop.core import cases, notes, review
    show(app, window, "platform announcements.mp4", 0)
    edits = window.review_edits
    wait_for(app, lambda: edits.view is not None, 60, "the review")
    for n in range(3):
        verified = edits.view.progress.verified
        edits.act_verify.trigger()
        wait_for(app, lambda: edits.view.progress.verified == verified + 1, 60, "a verdict")
    fourth = edits.view.segments[3]
    edits.run(review.set_text, fourth["id"], "SWINDON AND BATH SPA", text="Correct")
    wait_for(app, lambda: edits.view.segments[3]["text"] == "SWINDON AND BATH SPA", 60,
             "the correction")
    edits.run(notes.add_bookmark, edits.view.segments[4]["first_frame"], "the platform changes",
              text="Bookmark")
    wait_for(app, lambda: edits.view.notes, 60, "the bookmark")
    job_id = window.viewer.job.job_id
    window.library.call(lambda store: (cases.new_case(store, "Case 2291"),
                                       cases.set_case(store, [job_id], "Case 2291")),
                        on_done=lambda _: window.cases.reload(then_choose="Case 2291"),
                        on_error=print)
    wait_for(app, lambda: window.cases.current() == "Case 2291", 60, "the case")
    window.viewer.seek(fourth["first_frame"] + 3)
    window.panel.select_segment(fourth["id"])
    wait_for(app, lambda: window.viewer.shown_index == fourth["first_frame"] + 3, 60,
             "the corrected line's frame")


def find(app, window) -> None:
    """The Find panel with the hits of a misspelt query, the first one opened."""
    window.find.find_text()
    window.search.box.setText("gatee 14")  # a typo: fuzzy search still finds "GATE 14"
    hits = window.search.hits
    wait_for(app, lambda: hits.topLevelItemCount() >= 2, 60, "the hits")
    first = hits.topLevelItem(0)
    wait_for(app, lambda: all(not first.child(i).icon(0).isNull()
                              for i in range(first.childCount())), 60, "the thumbnails")
    hit = first.child(0)
    hits.setCurrentItem(hit)
    data = hit.data(0, 256)  # Qt.UserRole: the SearchHit
    window.review.show_frame(data.job_id, data.frame_index + 4)
    viewer = window.viewer
    wait_for(app, lambda: viewer.shown_index == data.frame_index + 4
             and viewer.view.result is not None, 60, "the hit's frame")


def review_shots(app, window, out: Path, tag: str) -> None:
    """Two stacked lines, the Find panel open, a failed yolo job: at the window's size."""
    show(app, window, "defence hearing day 2.mp4", 15)
    shoot(app, window, out / f"{tag}-stacked-lines.png")
    find(app, window)
    shoot(app, window, out / f"{tag}-find.png")
    window.find.dock.hide()
    window.table.select_job(job_of(window, "parking level 2.mp4").job_id)
    options = window.options
    options.pipeline.setCurrentIndex(options.pipeline.findData("yolo_ocr"))
    options.set_model(None)  # the default, not on this computer, offline: refused when queued
    window.job_actions.add_paths([str(job_of(window, "parking level 2.mp4").input_path)])
    wait_for(app, window.notice.isVisible, 30, "the notice")
    shoot(app, window, out / f"{tag}-failed-yolo.png")
    window.notice.hide()
    options.pipeline.setCurrentIndex(options.pipeline.findData("ocr_only"))


def whole_set(out: Path) -> int:
    os.environ["FORESYTE_OFFLINE"] = "1"
    work = Path(tempfile.mkdtemp(prefix="foresyte-screenshots-"))
    try:
        videos = make_videos(work / "Case 2291")
        app, window, store = open_window(work / "data", SIZES[0])
        run_jobs(app, window, videos, work)
        readme_shots(app, window)
        for size in SIZES:
            window.setGeometry(0, 0, *size)
            settle(app)
            review_shots(app, window, out, f"{size[0]}x{size[1]}")
        close(app, window, store)
        return scaled_set(work, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def scaled_set(work: Path, out: Path) -> int:
    """The review set again at 2× scaling, in an Xvfb screen of its own, on a copy of the
    data folder (the jobs are not run again)."""
    if not shutil.which("xvfb-run"):
        print("screenshots: xvfb-run is missing, so the 2× set was skipped", file=sys.stderr)
        return 1
    data = work / "data-2x"
    shutil.copytree(work / "data", data)
    (data / "config" / "window.ini").unlink(missing_ok=True)  # a first start at 2×
    w, h = SCALED
    env = dict(os.environ, QT_SCALE_FACTOR="2", QT_QPA_PLATFORM="xcb")
    return subprocess.run(["xvfb-run", "-a", "-s", f"-screen 0 {2 * w}x{2 * h}x24",
                           sys.executable, __file__, "--review-only", str(data), str(out),
                           "--tag", "2x"], env=env, check=False).returncode


def review_only(data: Path, out: Path, tag: str) -> int:
    os.environ["FORESYTE_OFFLINE"] = "1"
    app, window, store = open_window(data, SCALED)
    review_shots(app, window, out, tag)
    close(app, window, store)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--review-only", type=Path, metavar="DATA_DIR")
    parser.add_argument("--tag", default="review")
    parser.add_argument("out", type=Path, nargs="?", default=ROOT / "build" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.review_only:
        return review_only(args.review_only, args.out, args.tag)
    return whole_set(args.out)


if __name__ == "__main__":
    sys.exit(main())
