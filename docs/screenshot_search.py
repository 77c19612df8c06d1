"""Makes docs/screenshot-search.png: the real window, under Xvfb, searching the text of two real
jobs, with a hit opened in the viewer and its timeline strip below.

`make screenshot-search` runs it (xvfb-run, the xcb platform, offline), as `make screenshot`
runs docs/screenshot.py.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshot import (  # noqa: E402
    ROOT, in_scratch_folder, open_window, save_and_close, wait_for,
)


def main(out: Path) -> int:
    return in_scratch_folder(shoot, out)


def shoot(work: Path, out: Path) -> int:
    from tests.videos import make_text_video
    videos = work / "Case 2291"
    videos.mkdir()
    lobby = make_text_video(videos / "lobby briefing.mp4",
                            [("QUARTERLY REVIEW 2026", 30), ("", 10), ("GATE 14 NOW BOARDING", 30),
                             ("", 10), ("GATE 12 CLOSED", 20)],
                            fps=10, size=(960, 540), scale=1.6)
    camera = make_text_video(videos / "camera 3.mp4",
                             [("EXIT B", 20), ("GATE 14 LEFT", 30), ("", 20)], fps=10,
                             size=(640, 360), moving_background=True)

    from foresyte_desktop.core.model import JobSpec
    app, window, store = open_window(work)
    ended = []
    window.queue.job_ended.connect(ended.append)
    window.queue.add_paths([str(lobby), str(camera)], JobSpec("", frame_stride=2))
    window.queue.start()
    wait_for(app, lambda: len(ended) == 2, 900)

    window.find.find_text()
    window.search.box.setText("gatee 14")  # a typo: fuzzy search still finds "GATE 14"
    hits = window.search.hits
    wait_for(app, lambda: hits.topLevelItemCount() == 2, 60)
    first = hits.topLevelItem(0)
    wait_for(app, lambda: all(not first.child(i).icon(0).isNull()
                              for i in range(first.childCount())), 60)
    hit = first.child(0)
    hits.setCurrentItem(hit)
    data = hit.data(0, 256)  # Qt.UserRole: the SearchHit
    window.review.show_frame(data.job_id, data.frame_index + 4)
    viewer = window.viewer
    wait_for(app, lambda: viewer.shown_index == data.frame_index + 4
             and viewer.view.result is not None and window.timeline.timeline is not None, 60)
    return save_and_close(app, window, store, out)


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else
                  ROOT / "docs" / "screenshot-search.png"))
