"""The search panel on a real window: two stored jobs (results written with commit_batch, as
plumbing: no OCR runs) on real videos, a fuzzy query, hits grouped by video with thumbnails,
and a double-click that opens the hit's job on its frame."""
import pytest
from PySide6.QtCore import Qt

from foresyte_desktop.core.model import FrameResult, OcrLine
from foresyte_desktop.core.video import probe
from tests.stored_jobs import stored_job
from tests.videos import make_text_video

BOX = [[30.0, 70.0], [200.0, 70.0], [200.0, 100.0], [30.0, 100.0]]


def text_job(store, video, texts: dict[int, str]):
    """A finished stride-1 job whose frames `texts` holds show that text."""
    info = probe(video)
    return stored_job(store, video, [
        FrameResult(i, i / info.fps, ocr=[OcrLine(texts[i], 0.95, BOX)] if i in texts else [])
        for i in range(info.frame_count)])


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("search")
    return [make_text_video(folder / f"{name}.mp4", [("HELLO WORLD", 12)], fps=10,
                            size=(320, 180), scale=1.0) for name in ("first", "second")]


def test_a_fuzzy_search_groups_hits_by_video_and_opens_a_hit_on_its_frame(
        qtbot, window, store, videos):
    first = text_job(store, videos[0], {2: "HELLO WORLD", 3: "HELLO WORLD", 9: "GOODBYE"})
    second = text_job(store, videos[1], {7: "HELLO W0RLD", 8: "HELLO W0RLD"})
    window.model.set_jobs(store.list_jobs())
    panel = window.search
    window.find.find_text()  # Ctrl+F
    assert window.find.dock.isVisible()
    panel.box.setText("helo wrld")
    qtbot.waitUntil(lambda: panel.hits.topLevelItemCount() == 2, timeout=10_000)
    groups = {panel.hits.topLevelItem(i).text(0): panel.hits.topLevelItem(i)
              for i in range(2)}
    assert set(groups) == {"first.mp4", "second.mp4"}
    hit_texts = {name: [(g.child(i).text(0), g.child(i).text(1))
                        for i in range(g.childCount())] for name, g in groups.items()}
    # Lines seen on neighbouring frames are one hit; GOODBYE is not found.
    assert hit_texts == {"first.mp4": [("0:00.2", "HELLO WORLD")],
                         "second.mp4": [("0:00.7", "HELLO W0RLD")]}
    hit = groups["second.mp4"].child(0)
    qtbot.waitUntil(lambda: not hit.icon(0).isNull(), timeout=10_000)  # the thumbnail

    tree = panel.hits
    tree.scrollToItem(hit)
    rect = tree.visualItemRect(hit)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: window.table.current_job() is not None and
                    window.table.current_job().job_id == second.job_id, timeout=5000)
    qtbot.waitUntil(lambda: window.viewer.shown_index == 7, timeout=10_000)
    assert window.viewer.view.result.ocr[0].text == "HELLO W0RLD"
    assert first.job_id != second.job_id

    panel.box.setText("")
    qtbot.waitUntil(lambda: panel.hits.topLevelItemCount() == 0, timeout=5000)
