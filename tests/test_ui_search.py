"""The search panel on a real window: stored jobs (results written with commit_batch, as
plumbing) and jobs run with real OCR, on real videos: a fuzzy query, hits grouped by video with
thumbnails, two runs of one file told apart, every matching line on screen its own hit, a hit
opened on the frame it was read on with its line outlined, and the keys from the box to a hit."""
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication

from foresyte_desktop.core.model import FrameResult, OcrLine
from foresyte_desktop.core.video import probe
from tests.real_jobs import run_job
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


@pytest.fixture(scope="module")
def ticker_video(tmp_path_factory):
    """A station name that stays at the top ("NEWS SALE") over a ticker that runs across the
    middle ("SALE TODAY ONLY 42"): two lines with the same word on screen together, one of
    them read differently on every frame as it moves."""
    return make_text_video(tmp_path_factory.mktemp("ticker") / "ticker.mp4",
                           [("SALE TODAY ONLY 42", 40)], fps=10, size=(320, 180), scale=1.0,
                           x_speed=12, top_text="NEWS SALE")


def hits_of(panel):
    return [(panel.hits.topLevelItem(g), panel.hits.topLevelItem(g).child(i))
            for g in range(panel.hits.topLevelItemCount())
            for i in range(panel.hits.topLevelItem(g).childCount())]


def test_every_matching_line_is_a_hit_that_opens_where_it_was_read_with_the_line_outlined(
        qtbot, window, store, data_dir, ticker_video):
    every_frame = run_job(store, data_dir, ticker_video)
    every_4th = run_job(store, data_dir, ticker_video, stride=4)
    window.model.set_jobs(store.list_jobs())
    panel, viewer = window.search, window.viewer
    window.find.find_text()
    panel.box.setText("sale")
    qtbot.waitUntil(lambda: panel.hits.topLevelItemCount() == 2, timeout=10_000)

    # Two runs of one file: told apart by their settings and when they were added.
    groups = [panel.hits.topLevelItem(g) for g in range(2)]
    assert [g.text(0) for g in groups] == ["ticker.mp4", "ticker.mp4"]
    labels = {g.text(1) for g in groups}
    assert len(labels) == 2 and all(t.startswith("2 hits · Text") and "added" in t
                                    for t in labels)
    assert sum("every 4th frame" in t for t in labels) == 1

    # The station name and the ticker are on screen together: each is its own hit.
    hits = [item.data(0, Qt.ItemDataRole.UserRole) for _, item in hits_of(panel)]
    mine = [h for h in hits if h.job_id == every_frame.job_id]
    assert len(mine) == 2 and len({h.job_id for h in hits}) == 2
    station, ticker = sorted(mine, key=lambda h: h.box[0][1])
    assert station.text == "NEWS SALE" and "NEWS" not in ticker.text and \
        ticker.text.startswith("SALE") and ticker.score == 100  # the word whole, not "SAL"
    assert station.first_frame == 0 and ticker.first_frame > 0  # the ticker comes in later
    assert ticker.first_frame <= ticker.frame_index <= ticker.last_frame

    # Each hit opens the frame its reading comes from, with that line outlined.
    for hit in (ticker, station):
        item = next(i for _, i in hits_of(panel)
                    if i.data(0, Qt.ItemDataRole.UserRole) is hit)
        panel.hits.setCurrentItem(item)
        panel.hits.setFocus()
        qtbot.keyClick(panel.hits, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda h=hit: viewer.job.job_id == every_frame.job_id and
                        viewer.shown_index == h.frame_index and viewer.view.result is not None,
                        timeout=10_000)
        assert [(line.text, line.box) for line in viewer.view.result.ocr
                if line.text == hit.text] == [(hit.text, hit.box)]
        assert viewer.marked == (hit.frame_index, hit.box)
        # On screen (the outline is the viewer's, not part of an exported frame).
        screen = viewer.view.viewport().grab().toImage()
        left, top = hit.box[0]
        at = viewer.view.mapFromScene(QPointF(left + 8, top))
        edge = screen.pixelColor(at.x(), at.y())
        assert edge.red() > 200 and edge.green() < 90 and edge.blue() < 90
    viewer.seek(ticker.frame_index + 1)  # another frame: the outline is the hit's alone
    qtbot.waitUntil(lambda: viewer.shown_index == ticker.frame_index + 1, timeout=5000)
    assert not viewer._mark_item.isVisible()
    assert every_4th.job_id != every_frame.job_id


def test_down_goes_from_the_box_to_the_hits_and_return_opens_one(qtbot, window, store,
                                                                  data_dir, videos):
    job = run_job(store, data_dir, videos[1])
    window.model.set_jobs(store.list_jobs())
    panel, viewer = window.search, window.viewer
    window.activateWindow()
    qtbot.keyClick(window.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is panel.box, timeout=5000)
    qtbot.keyClicks(panel.box, "hello")
    qtbot.waitUntil(lambda: panel.hits.topLevelItemCount() == 1, timeout=10_000)
    qtbot.keyClick(panel.box, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is panel.hits
    first = panel.hits.topLevelItem(0).child(0)
    assert panel.hits.currentItem() is first
    hit = first.data(0, Qt.ItemDataRole.UserRole)
    qtbot.keyClick(panel.hits, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: viewer.job is not None and viewer.job.job_id == job.job_id and
                    viewer.shown_index == hit.frame_index, timeout=10_000)
    assert viewer.view.result.ocr[0].text == hit.text == "HELLO WORLD"
    # Esc from the box: the keys go back to the frames.
    panel.focus_box()
    qtbot.keyClick(panel.box, Qt.Key.Key_Escape)
    assert QApplication.focusWidget() is viewer.view
