"""Alerts and watch folders on a real window: the Alerts panel lists what a watchlist found in
stored jobs (results written with commit_batch, as plumbing) on real videos, opens an alert on
its frame, acknowledges and dismisses; a job that completes raises a notice, and the tray's
message while the window is minimised; a watched folder's new recording is queued."""
import shutil

import pytest
from PySide6.QtWidgets import QSystemTrayIcon

from foresyte_desktop.core import alerts
from foresyte_desktop.core.model import FrameResult, OcrLine
from foresyte_desktop.core.video import probe
from foresyte_desktop.core.watchlists import add_terms, make_term
from tests.stored_jobs import stored_job
from tests.videos import make_text_video

BOX = [[30.0, 70.0], [200.0, 70.0], [200.0, 100.0], [30.0, 100.0]]


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("alerts")
    return [make_text_video(folder / f"{name}.mp4", [("AB-123-CD", 12)], fps=10,
                            size=(320, 180), scale=1.0) for name in ("gate", "road")]


def text_job(store, video, texts: dict[int, str]):
    info = probe(video)
    return stored_job(store, video, [
        FrameResult(i, i / info.fps, ocr=[OcrLine(texts[i], 0.95, BOX)] if i in texts else [])
        for i in range(info.frame_count)])


def rows(panel):
    return [panel.table.item(r, 1).text() for r in range(panel.table.rowCount())]


def test_the_alerts_panel_opens_acknowledges_and_dismisses(qtbot, window, store, videos):
    gate = text_job(store, videos[0], {2: "AB-123-CD", 3: "AB-I23-CD"})
    road = text_job(store, videos[1], {7: "JANE DOE", 8: "JANE DOE"})
    window.model.set_jobs(store.list_jobs())
    add_terms(store, "Case 2291", [make_term("AB-123-CD", tolerance=1),
                                   make_term("jane doe")])
    panel = window.alerts.panel
    window.alerts.act_alerts.trigger()
    assert window.alerts.dock.isVisible()
    qtbot.waitUntil(lambda: panel.table.rowCount() == 2, timeout=10_000)
    assert sorted(rows(panel)) == ["AB-123-CD", "JANE DOE"]
    assert panel.summary.text().startswith("2 alerts, 2 new.")
    row = rows(panel).index("JANE DOE")
    assert panel.table.item(row, 3).text() == "road.mp4"
    assert panel.table.item(row, 0).text() == "0:00.7" and panel.table.item(row, 1).font().bold()

    # Opening an alert shows its job on its frame.
    panel.table.selectRow(row)
    panel.open_button.click()
    qtbot.waitUntil(lambda: window.viewer.job is not None and window.viewer.job.job_id ==
                    road.job_id and window.viewer.shown_index == 7, timeout=10_000)

    # Acknowledged: still listed, no longer bold; stored so.
    panel.ack_button.click()
    qtbot.waitUntil(lambda: panel.summary.text().startswith("2 alerts, 1 new."),
                    timeout=10_000)
    row = rows(panel).index("JANE DOE")
    assert not panel.table.item(row, 1).font().bold()
    assert {a.text: a.state for a in alerts.list_alerts(store)} == {
        "JANE DOE": "acknowledged", "AB-123-CD": "new"}

    # Dismissed: gone from the panel, kept in the store so it is not raised again.
    panel.table.selectRow(rows(panel).index("AB-123-CD"))
    panel.dismiss_button.click()
    qtbot.waitUntil(lambda: rows(panel) == ["JANE DOE"], timeout=10_000)
    assert [a.job_id for a in alerts.list_alerts(store, states=("dismissed",))] == [gate.job_id]


def test_a_completed_job_raises_a_notice_and_the_tray_message_when_minimised(
        qtbot, window, store, videos, monkeypatch):
    add_terms(store, "Plates", [make_term("AA-999-AA", plate=True, tolerance=1)])
    shown = []
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    monkeypatch.setattr(window.alerts.tray, "showMessage",
                        lambda title, text, *_: shown.append((title, text)))
    window.showMinimized()
    qtbot.waitUntil(window.isMinimized, timeout=5000)
    window.options.stride.setValue(4)
    window.queue.start()
    with qtbot.waitSignal(window.library.watching.alerts_raised, timeout=120_000):
        window.job_actions.add_paths([str(videos[0])])
    qtbot.waitUntil(lambda: "1 new alert" in window.notice.text(), timeout=10_000)
    assert "in gate.mp4 (Plates: AA-999-AA" in window.notice.text()
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    assert shown[0][0] == "ForeSyte: 1 new alert" and "gate.mp4" in shown[0][1]
    qtbot.waitUntil(lambda: window.alerts.panel.table.rowCount() == 1, timeout=10_000)


def test_a_watched_folder_queues_new_recordings_and_reports_bad_ones(qtbot, window, store,
                                                                     videos, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    window.library.watching.watcher.settle_s = 0.3  # the default 5 s, shortened
    controls = window.watch_folders
    controls.add_folder(str(inbox))
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == f"Watching {inbox}.",
                    timeout=10_000)
    controls.show_dialog()
    qtbot.waitUntil(lambda: controls.dialog.list.count() == 1 and
                    str(inbox) in controls.dialog.list.item(0).text(), timeout=10_000)
    controls.add_folder(str(inbox))
    qtbot.waitUntil(lambda: "already watched" in controls.dialog.message.text(),
                    timeout=10_000)
    shutil.copy(videos[1], inbox / "road.mp4")
    (inbox / "broken.mp4").write_text("not a video")
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=30_000)
    qtbot.waitUntil(lambda: "Skipped 1 file" in window.notice.text(), timeout=10_000)
    assert "“broken.mp4” is not an MP4 file." in window.notice.text()
    assert window.table.current_job().input_path == str(inbox / "road.mp4")
    # Both are remembered, so the next start queues neither again.
    qtbot.waitUntil(lambda: sorted(r[0] for r in store.query(
        "SELECT path FROM watch_files")) == [str(inbox / n) for n in ("broken.mp4", "road.mp4")],
        timeout=10_000)
    controls.dialog.list.setCurrentRow(0)
    controls.remove_selected()
    qtbot.waitUntil(lambda: controls.dialog.list.count() == 1 and
                    "No folders" in controls.dialog.list.item(0).text(), timeout=10_000)
    controls.dialog.close()
