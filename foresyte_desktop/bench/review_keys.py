"""Review benchmark by keyboard: the keystrokes an analyst needs to review a 60-segment job in
the real window, and how long the window takes to show each edit.

Run with `python -m foresyte_desktop.bench.review_keys` (or `make bench-review-keys`), with
QT_QPA_PLATFORM=offscreen on a machine without a display. The job is synthetic: a real video
(one line of text a second, drawn with OpenCV) whose results are written through
JobStore.commit_batch as a run writes them; one line in five carries a look-alike misreading
(0 for O, 1 for I). The analyst's rule: a right line is verified with Enter (which moves on to
the next unreviewed one); a wrong one is opened with F2, retyped, saved with Return, then
verified with Enter. Every key is sent to the widget with the keyboard focus, as a user's
would be, and counted.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from foresyte_desktop.core.model import FrameResult, JobSpec, OcrLine
from foresyte_desktop.core.store import JobStore
from foresyte_desktop.core.video import probe

SEGMENTS = 60
FPS = 10
FRAMES_PER_LINE = 10
SIZE = (480, 270)
BOX = [[40.0, 200.0], [440.0, 200.0], [440.0, 240.0], [40.0, 240.0]]
WORDS = ("GATE", "BOARDING", "NOW", "FLIGHT", "DOOR", "OPEN", "TRAIN", "PLATFORM", "EXIT",
         "SOUTH", "NORTH", "INFO")


def truth(n: int) -> str:
    return f"{WORDS[n % len(WORDS)]} {WORDS[(n * 7 + 3) % len(WORDS)]} {10 + n}"


def misread(text: str) -> str:
    """A look-alike misreading of the line: O read as 0, I as 1."""
    return text.replace("O", "0", 1) if "O" in text else text.replace("I", "1", 1)


def make_video(path: Path) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), FPS, SIZE)
    for n in range(SEGMENTS):
        image = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
        cv2.putText(image, truth(n), (50, 232), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (255, 255, 255), 2)
        for _ in range(FRAMES_PER_LINE):
            writer.write(image)
    writer.release()
    return path


def make_job(store: JobStore, video: Path) -> str:
    job = store.add_job(JobSpec(str(video)))
    store.claim_next([job.job_id])
    info = probe(video)
    store.begin(job.job_id, info, info.frame_count)
    frames = []
    for n in range(SEGMENTS):
        text = misread(truth(n)) if n % 5 == 2 else truth(n)
        for k in range(FRAMES_PER_LINE):
            fi = n * FRAMES_PER_LINE + k
            frames.append(FrameResult(fi, fi / FPS, [OcrLine(text, 0.97 if text == truth(n)
                                                             else 0.71, BOX)]))
    store.commit_batch(job.job_id, frames, frames_done=len(frames),
                       checkpoint_frame=frames[-1].frame_index)
    store.finish(job.job_id, "completed")
    return job.job_id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m foresyte_desktop.bench.review_keys")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QLineEdit

    from foresyte_desktop.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        store = JobStore(tmp_path / "bench.duckdb")
        job_id = make_job(store, make_video(tmp_path / "review keys.mp4"))
        window = MainWindow(store, tmp_path / "data", QSettings(str(tmp_path / "w.ini"),
                                                                QSettings.Format.IniFormat))
        window.resize(1200, 800)
        window.show()
        edits = window.review_edits

        def wait(check, seconds: float = 20.0) -> None:
            end = time.monotonic() + seconds
            while not check():
                if time.monotonic() > end:
                    raise TimeoutError("the window did not get there in time")
                app.processEvents()
                time.sleep(0.002)

        keys, latencies = 0, []

        def press(key) -> None:
            nonlocal keys
            keys += 1
            QTest.keyClick(QApplication.focusWidget(), key)

        window.table.select_job(job_id)
        wait(lambda: edits.view is not None and len(edits.view.segments) == SEGMENTS)
        window.activateWindow()
        window.viewer.view.setFocus()
        wait(lambda: QApplication.focusWidget() is window.viewer.view)
        corrected = 0
        while edits.view.progress.unreviewed:
            seg_id = window.panel.current_segment()
            segment = next(s for s in edits.view.segments if s["id"] == seg_id)
            want = truth(seg_id - 1)
            if segment["text"] != want:
                press(Qt.Key.Key_F2)
                editor = QApplication.focusWidget()
                assert isinstance(editor, QLineEdit)
                for ch in want:  # the editor opens with the text selected: typing replaces it
                    keys += 1
                    QTest.keyClicks(editor, ch)
                before = time.perf_counter()
                press(Qt.Key.Key_Return)
                wait(lambda: next(s for s in edits.view.segments
                                  if s["id"] == seg_id)["text"] == want)
                latencies.append(time.perf_counter() - before)
                corrected += 1
            verified = edits.view.progress.verified
            before = time.perf_counter()
            press(Qt.Key.Key_Return)
            wait(lambda: edits.view.progress.verified == verified + 1 and
                 (edits.view.progress.unreviewed == 0 or
                  window.panel.current_segment() != seg_id))
            latencies.append(time.perf_counter() - before)
        wrong_keys = sum(len(truth(n)) + 3 for n in range(SEGMENTS) if n % 5 == 2)
        right = SEGMENTS - corrected
        figures = {"segments": SEGMENTS, "corrected": corrected, "keystrokes": keys,
                   "keystrokes_per_segment": round(keys / SEGMENTS, 2),
                   "keystrokes_per_right_segment": round((keys - wrong_keys) / right, 2),
                   "edit_to_screen_median_ms": round(statistics.median(latencies) * 1000, 1),
                   "edit_to_screen_worst_ms": round(max(latencies) * 1000, 1)}
        window.quit_resume_later()
        wait(lambda: window._closed)
        store.close()
    print(f"Reviewed {SEGMENTS} segments by keyboard ({corrected} corrected): "
          f"{keys} keystrokes, {figures['keystrokes_per_segment']} a segment; "
          f"{figures['keystrokes_per_right_segment']} a segment that was read right "
          "(goal: 1, Enter)")
    print(f"From a key to the edit on screen: median {figures['edit_to_screen_median_ms']} ms, "
          f"worst {figures['edit_to_screen_worst_ms']} ms")
    if args.json:
        print(json.dumps(figures, indent=1))
    return 0 if figures["keystrokes_per_right_segment"] <= 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
