"""Makes docs/screenshot-alerts.png: the real window, under Xvfb, after two real jobs from a
watched folder were read and checked against two watchlists: the notice naming what was read,
and the Alerts panel with an alert opened on its frame.

`make screenshot-alerts` runs it (xvfb-run, the xcb platform, offline), as `make screenshots`
runs docs/screenshots.py.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import ROOT, close, open_window, shoot, wait_for  # noqa: E402


def main(out: Path) -> int:
    os.environ["FORESYTE_OFFLINE"] = "1"
    work = Path(tempfile.mkdtemp(prefix="foresyte-alerts-"))
    try:
        return take(work, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def take(work: Path, out: Path) -> int:
    from tests.videos import make_text_video
    recordings = work / "recordings"
    recordings.mkdir()
    gate = make_text_video(work / "gate 2 entry.mp4",
                           [("", 10), ("CAR AB-123-CD", 30), ("", 10), ("VISITOR JANE DOE", 30)],
                           fps=10, size=(960, 540), scale=1.6)
    lobby = make_text_video(work / "lobby camera.mp4",
                            [("WELCOME", 20), ("JOHN SMITH  ROOM 12", 30)], fps=10,
                            size=(640, 360), moving_background=True)

    from foresyte_desktop.core.model import JobSpec
    from foresyte_desktop.core.watch_folders import add_watch
    from foresyte_desktop.core.watchlists import add_terms, make_term
    app, window, store = open_window(work / "data", (1600, 1000))
    add_terms(store, "Plates — case 2291", [make_term("AA-999-AA", plate=True, tolerance=1)])
    add_terms(store, "Names", [make_term("Jane Doe", tolerance=1), make_term("John Smith")])
    add_watch(store, recordings, JobSpec("", frame_stride=2))
    window.library.watching.watcher.settle_s = 0.5
    window.library.watching.watcher.reload()
    ended = []
    window.queue.job_ended.connect(ended.append)
    window.queue.start()
    for video in (gate, lobby):
        shutil.copy(video, recordings / video.name)
    wait_for(app, lambda: len(ended) == 2, 900, "the two recordings' jobs")
    panel = window.alerts.panel
    wait_for(app, lambda: panel.table.rowCount() >= 3, 60, "three alerts")
    row = next(r for r, a in enumerate(panel.alerts) if a.term == "AA-999-AA")
    panel.table.selectRow(row)
    panel.open_current()
    alert = panel.alerts[row]
    wait_for(app, lambda: window.viewer.shown_index == alert.frame_index
             and window.viewer.view.result is not None, 60, "the alert's frame")
    shoot(app, window, out)
    close(app, window, store)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else
                  ROOT / "docs" / "screenshot-alerts.png"))
