"""The queue as an analyst uses it: yolo_ocr without weights, the layout of a small window and
of an open Find panel, scrolling to new and started jobs, sorting, Clear Finished, the Stopped
state, the pause question, toggle buttons, the sample, Reveal without a file manager, files
queued twice, the stride's words and the Region menu.

Jobs run for real (RapidOCR, and ultralytics' model built from its yaml) on small videos written
here. Modal questions are answered by replacing QMessageBox.exec or the ask_* methods
(plumbing: a modal dialog cannot be clicked in an offscreen test).
"""
# ruff: noqa: F811  (the fixtures imported from test_ui_window are the tests' arguments)
import ast
import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox, QToolButton

import foresyte_desktop
from foresyte_desktop.core.model import JobSpec
from foresyte_desktop.ui.job_table import ADDED, FILE, STATUS
from tests.test_ui_window import (  # noqa: F401  (fixtures)
    JOB_TIMEOUT_MS, close_window, names, open_window, row_job, settings_path, slow_pipeline,
    videos,
)
from tests.videos import make_text_video

LONG_NAME = "defence hearing day 2.mp4"


@pytest.fixture(scope="module")
def hearing(tmp_path_factory):
    """A short text video whose name is long enough to be crushed by a narrow File column."""
    return make_text_video(tmp_path_factory.mktemp("hearing") / LONG_NAME,
                           [("COURT IN SESSION", 6)], fps=10, size=(320, 180), scale=1.0)


def run_to_end(qtbot, window, paths) -> None:
    """Queue `paths` through the window, start the queue and wait until it runs dry."""
    window.queue.start()
    with qtbot.waitSignal(window.queue.drained, timeout=JOB_TIMEOUT_MS):
        window.job_actions.add_paths([str(p) for p in paths])


def contrast(a, b) -> float:
    """WCAG contrast ratio of two QColors."""
    def luminance(c):
        channels = [v / 255 for v in (c.red(), c.green(), c.blue())]
        lin = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def row_visible(window, job_id: str) -> bool:
    index = window.model.index(window.model.row_of(job_id), FILE)
    return window.table.viewport().rect().contains(window.table.visualRect(index))


# -- yolo_ocr without weights ------------------------------------------------------------------

def test_yolo_without_weights_queues_nothing_says_why_and_marks_the_model_control(
        qtbot, open_window, store, videos):
    window = open_window()
    options = window.options
    assert options.model_button.icon().isNull()  # ocr_only needs no weights
    options.pipeline.setCurrentIndex(options.pipeline.findData("yolo_ocr"))
    # Offline, with the default model not on this computer: the control says a file is needed.
    assert "choose a file" in options.model_button.text()
    assert not options.model_button.icon().isNull()
    assert "No YOLO weights are available" in options.model_button.toolTip()

    window.job_actions.add_paths([str(videos / "clip one.mp4")])
    assert window.notice.isVisible()
    assert "No YOLO weights are available" in window.notice.text()
    assert "Model ▸ Choose Model File…" in window.notice.text()
    assert window.statusBar().currentMessage().startswith("Nothing was queued")
    qtbot.wait(300)  # nothing is on its way to the store either
    assert store.list_jobs() == [] and window.model.rowCount() == 0

    # A file that is there: the mark goes, and the job runs to its end.
    options.set_model("yolo11n.yaml")
    assert options.model_button.icon().isNull() and "choose" not in options.model_button.text()
    options.stride.setValue(2)
    run_to_end(qtbot, window, [videos / "clip one.mp4"])
    job = row_job(window, 0)
    assert (job.pipeline_id, job.status) == ("yolo_ocr", "completed"), job.error_message


def _control_paths(text: str) -> list[list[str]]:
    """Each "Menu ▸ Item ▸ Sub-item" a sentence names: the word before the first ▸, then each
    item up to where the sentence goes on."""
    found = []
    for match in re.finditer(r"(\w+)((?: ▸ [^▸]+?)+)(?= \(| runs\b| to\b| in\b|[:,.;]|$)", text):
        found.append([match.group(1), *[p.strip() for p in match.group(2).split("▸")[1:]]])
    return found


def _strings(source: str) -> list[str]:
    """The string literals of a module, adjacent ones joined, f-strings by their fixed parts."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            out.append(node.value)
        elif isinstance(node, ast.JoinedStr):
            out.append("".join(v.value for v in node.values if isinstance(v, ast.Constant)))
    return out


def test_every_menu_or_control_a_message_names_is_in_the_window(open_window):
    window = open_window()
    menus = {}  # a menu's or a toolbar button's name -> its items' texts
    for act in window.menuBar().actions():
        if act.menu():
            menus[act.text().replace("&", "")] = act.menu()
    for button in window.findChildren(QToolButton):
        if button.menu() and button.text():
            menus[button.text().split(":")[0]] = button.menu()
    named = [(path, line) for module in Path(foresyte_desktop.__file__).parent.rglob("*.py")
             for line in _strings(module.read_text(encoding="utf-8")) if "▸" in line
             for path in _control_paths(line)]
    assert any(path[:2] == ["Model", "Choose Model File…"] for path, _ in named)
    for path, line in named:
        menu = menus.get(path[0])
        assert menu is not None, f"no menu or control “{path[0]}”, named in: {line}"
        for item in path[1:]:
            texts = {a.text().replace("&", ""): a for a in menu.actions()}
            assert item in texts, f"“{item}” is not in {path[0]} ({sorted(texts)}): {line}"
            menu = texts[item].menu() or menu


# -- layout under pressure ---------------------------------------------------------------------

def test_opening_find_leaves_the_file_name_whole_also_after_a_restart(
        qtbot, open_window, hearing):
    window = open_window()
    window.resize(1280, 720)
    run_to_end(qtbot, window, [hearing])
    window.find.find_text()
    qtbot.waitUntil(window.find.dock.isVisible)
    qtbot.wait(50)
    table = window.table
    needed = table.fontMetrics().horizontalAdvance(LONG_NAME) + 12
    assert names(window) == [LONG_NAME]
    assert table.columnWidth(FILE) >= needed
    assert window.find.dock.width() <= 0.35 * window.width()
    close_window(qtbot, window)

    again = open_window()  # the restart: the dock is open again, at a sane width
    again.resize(1280, 720)
    qtbot.waitUntil(again.find.dock.isVisible)
    qtbot.wait(50)
    assert again.find.dock.width() <= 0.35 * again.width()
    assert again.table.columnWidth(FILE) >= needed


def test_a_small_window_shrinks_the_video_before_the_job_panel(qtbot, open_window, videos):
    window = open_window()
    window.resize(1600, 1000)
    run_to_end(qtbot, window, [videos / "clip one.mp4"])
    qtbot.waitUntil(lambda: window.viewer.view.has_image(), timeout=10_000)
    widths = {}
    for size in ((1600, 1000), (1280, 720), (1000, 600)):
        window.resize(*size)
        qtbot.waitUntil(lambda s=size: (window.width(), window.height()) == s)
        qtbot.wait(50)
        widths[size] = (window.viewer.width(), window.panel.width())
    (viewer_big, panel_big), (viewer_small, panel_small) = widths[(1600, 1000)], \
        widths[(1000, 600)]
    assert viewer_big - viewer_small > 2 * max(0, panel_big - panel_small), widths
    assert panel_small >= 0.95 * panel_big, widths  # the Job panel keeps its width
    details = window.panel.details
    assert details.width() >= details.fontMetrics().horizontalAdvance("Pipeline  Text · every")


# -- the queue ---------------------------------------------------------------------------------

def test_new_and_started_jobs_are_scrolled_into_view(qtbot, open_window, store, videos):
    window = open_window()
    window.resize(1000, 600)
    old = [store.add_job(JobSpec(str(videos / "clip one.mp4"), frame_stride=n + 1))
           for n in range(30)]
    for job in old:
        store.cancel_pending(job.job_id)
    window.model.upsert([store.get_job(j.job_id) for j in old])
    window.table.scrollToTop()
    with qtbot.waitSignal(window.queue.intake_done, timeout=30_000) as intake:
        window.job_actions.add_paths([str(videos / "clip one.mp4")])
    new = intake.args[0].queued[0]
    assert row_visible(window, new.job_id)

    window.table.scrollToTop()
    assert not row_visible(window, new.job_id)
    with qtbot.waitSignal(window.queue.job_started, timeout=JOB_TIMEOUT_MS):
        window.queue.start()
    assert row_visible(window, new.job_id)


def test_columns_sort_and_a_new_job_takes_its_sorted_place(qtbot, open_window, videos, hearing):
    window = open_window()
    window.options.stride.setValue(2)
    run_to_end(qtbot, window, [videos / "long.mp4", hearing])
    assert names(window) == ["long.mp4", LONG_NAME]  # queue order
    window.table.select_job(row_job(window, 0).job_id)
    window.table.sortByColumn(FILE, Qt.SortOrder.AscendingOrder)
    assert names(window) == [LONG_NAME, "long.mp4"]
    assert window.table.current_job().input_path.endswith("long.mp4")  # the selection follows
    window.queue.pause()
    with qtbot.waitSignal(window.queue.intake_done, timeout=30_000):
        window.job_actions.add_paths([str(videos / "clip one.mp4")])
    assert names(window) == ["clip one.mp4", LONG_NAME, "long.mp4"]
    window.table.sortByColumn(STATUS, Qt.SortOrder.AscendingOrder)
    assert [row_job(window, r).status for r in range(3)] == ["pending", "completed", "completed"]
    window.table.sortByColumn(ADDED, Qt.SortOrder.AscendingOrder)
    assert names(window) == ["long.mp4", LONG_NAME, "clip one.mp4"]


def test_clear_finished_removes_the_ended_jobs_only(qtbot, open_window, store, videos):
    window = open_window()
    window.options.stride.setValue(2)
    assert not window.job_actions.act_clear_finished.isEnabled()
    run_to_end(qtbot, window, [videos / "clip one.mp4"])
    window.job_actions.toggle_queue()  # paused: the next one waits
    with qtbot.waitSignal(window.queue.intake_done, timeout=30_000):
        window.job_actions.add_paths([str(videos / "long.mp4")])
    assert window.job_actions.act_clear_finished.isEnabled()
    asked = []
    window.job_actions.confirm_remove = lambda jobs: asked.append(jobs) or True
    with qtbot.waitSignal(window.queue.jobs_removed, timeout=10_000):
        window.job_actions.act_clear_finished.trigger()
    assert [Path(j.input_path).name for j in asked[0]] == ["clip one.mp4"]
    assert names(window) == ["long.mp4"]
    assert [j.status for j in store.list_jobs()] == ["pending"]
    assert not window.job_actions.act_clear_finished.isEnabled()


def test_a_job_stopped_to_resume_later_reads_stopped_in_readable_colours(
        qtbot, open_window, store, videos, slow_pipeline):
    from foresyte_desktop.ui.job_table import bar_colors
    window = open_window()
    job = store.add_job(JobSpec(str(videos / "long.mp4"), slow_pipeline, max_frames=6))
    window.model.upsert([job])
    window.queue.start()
    qtbot.waitUntil(lambda: row_job(window, 0).frames_done >= 1, timeout=JOB_TIMEOUT_MS)
    window.job_actions.ask_pause = lambda running: "interrupt"
    with qtbot.waitSignal(window.queue.job_ended, timeout=10_000) as ended:
        window.job_actions.act_start.trigger()
    assert ended.args[0].status == "pending"  # the store's status is unchanged...
    assert window.model.index(0, STATUS).data() == "Stopped"  # ...the list tells it apart
    assert "1 stopped" in window.job_actions.summary.text()
    assert "resumes where it stopped" in window.model.index(0, 3).data()
    window.table.selectRow(0)  # the job's panel says so too
    qtbot.waitUntil(lambda: "Stopped" in window.panel.details.text())
    for state in ("pending", "running", "stopped", "completed", "failed", "cancelled"):
        fill, text = bar_colors(state)
        assert contrast(fill, text) >= 4.5, state
    with qtbot.waitSignal(window.queue.job_ended, timeout=JOB_TIMEOUT_MS):
        window.job_actions.act_start.trigger()  # it resumes, and ends
    assert window.model.index(0, STATUS).data() == "Completed"


def test_the_pause_question_keeps_cancel_the_job_apart_from_the_dialogs_own_way_out(
        qtbot, monkeypatch, open_window, store, videos, slow_pipeline):
    seen = []

    def answer(box):
        box.show()
        qtbot.waitExposed(box)
        row = sorted((b for b in box.buttons() if b.isVisible()), key=lambda b: b.x())
        seen.append([b.text().replace("&", "") for b in row])
        next(b for b in row if b.text() == "Don't Pause").click()
    monkeypatch.setattr(QMessageBox, "exec", answer)

    window = open_window()
    job = store.add_job(JobSpec(str(videos / "long.mp4"), slow_pipeline, max_frames=4))
    window.model.upsert([job])
    window.queue.start()
    qtbot.waitUntil(lambda: row_job(window, 0).frames_done >= 1, timeout=JOB_TIMEOUT_MS)
    window.job_actions.act_start.trigger()
    assert window.queue.is_started  # "Don't Pause" changed nothing
    texts = seen[0]
    assert "Cancel" not in texts  # no button that merely says Cancel
    assert abs(texts.index("Cancel the Job") - texts.index("Don't Pause")) >= 2, texts


def test_toggle_buttons_are_outlined_when_off(qtbot, open_window, videos):
    window = open_window()
    run_to_end(qtbot, window, [videos / "clip one.mp4"])
    buttons = {b.defaultAction(): b for b in window.findChildren(QToolButton)
               if b.defaultAction() is not None and b.isVisible()}
    toggle, plain = buttons[window.viewer.act_show_ocr], buttons[window.viewer.act_play]
    window.viewer.act_show_ocr.setChecked(False)

    def edge_marks(button) -> int:
        """Pixels of the button's outer ring that differ from the middle of its top edge's
        inside, where a frame would be drawn."""
        image = button.grab().toImage()
        w, h = image.width(), image.height()
        inside = image.pixelColor(w // 2, h // 2 - h // 4)
        ring = [(x, y) for x in range(w) for y in (1, h - 2)] + \
               [(x, y) for y in range(h) for x in (1, w - 2)]
        return sum(image.pixelColor(x, y) != inside for x, y in ring)
    assert edge_marks(toggle) > 10 * max(1, edge_marks(plain))


def test_open_sample_video_shows_the_sample(qtbot, open_window, videos):
    window = open_window()
    with qtbot.waitSignal(window.queue.intake_done, timeout=30_000):
        window.job_actions.add_paths([str(videos / "clip one.mp4")])
    assert window.table.current_job().input_path.endswith("clip one.mp4")
    with qtbot.waitSignal(window.queue.intake_done, timeout=30_000):
        window.job_actions.act_sample.trigger()
    assert names(window) == ["clip one.mp4", "sample.mp4"]
    assert Path(window.table.current_job().input_path).name == "sample.mp4"
    assert Path(window.viewer.job.input_path).name == "sample.mp4"
    qtbot.waitUntil(lambda: window.viewer.view.has_image(), timeout=10_000)

    window.table.select_job(row_job(window, 0).job_id)
    window.job_actions.act_sample.trigger()  # there already: shown, not queued twice
    assert Path(window.table.current_job().input_path).name == "sample.mp4"
    qtbot.wait(300)
    assert names(window) == ["clip one.mp4", "sample.mp4"]


# -- smaller -----------------------------------------------------------------------------------

def test_reveal_without_a_file_manager_says_so_and_copies_the_path(qtbot, open_window, videos):
    """The offscreen platform has no file manager to open, as a bare desktop may not."""
    window = open_window()
    window.options.stride.setValue(2)
    run_to_end(qtbot, window, [videos / "clip one.mp4"])
    job = row_job(window, 0)
    window.job_actions.act_reveal.trigger()
    assert window.notice.isVisible()
    assert "No file manager could be opened" in window.notice.text()
    assert job.output_path in window.notice.text()
    assert window.notice.button.isVisible() and window.notice.button.text() == "Copy Path"
    window.notice.button.click()
    assert QGuiApplication.clipboard().text() == job.output_path
    assert not window.notice.isVisible()


def test_a_file_already_in_the_list_with_the_same_settings_is_asked_about(
        qtbot, open_window, store, videos):
    window = open_window()
    clip = videos / "clip one.mp4"
    window.options.stride.setValue(2)
    run_to_end(qtbot, window, [clip])
    asked = []
    window.job_actions.ask_duplicates = lambda twins: asked.append(twins) or False
    window.job_actions.add_paths([str(clip)])
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Nothing was"),
                    timeout=10_000)
    assert window.statusBar().currentMessage() == (
        "Nothing was queued: “clip one.mp4” is already analysed with the same settings.")
    assert [j.job_id for j in asked[0]] == [row_job(window, 0).job_id]
    assert len(store.list_jobs()) == 1

    window.queue.pause()
    with qtbot.waitSignal(window.queue.intake_done, timeout=30_000):  # a folder: the other
        window.job_actions.add_paths([str(clip), str(videos / "folder")])  # file is queued
    assert names(window) == ["clip one.mp4", "clip two.mp4"] and len(asked) == 2

    window.job_actions.ask_duplicates = lambda twins: asked.append(twins) or True
    with qtbot.waitSignal(window.queue.intake_done, timeout=30_000):  # "Queue Again"
        window.job_actions.add_paths([str(clip)])
    assert names(window) == ["clip one.mp4", "clip two.mp4", "clip one.mp4"]

    window.options.stride.setValue(3)  # other settings: another job, no question
    with qtbot.waitSignal(window.queue.intake_done, timeout=30_000):
        window.job_actions.add_paths([str(clip)])
    assert len(asked) == 3 and window.model.rowCount() == 4


def test_the_stride_reads_every_frame_and_the_region_menu_marks_its_choice(
        qtbot, open_window, videos):
    window = open_window()
    options = window.options
    options.stride.setValue(1)
    assert options.stride.text() == "every frame"
    options.stride.setValue(3)
    assert options.stride.text() == "every 3 frames"

    def checked() -> list[str]:
        return [a.text() for a in options.region_menu.actions() if a.isChecked()]
    options.set_roi(None)
    assert checked() == ["Whole Frame"]
    next(a for a in options.region_menu.actions() if a.text() == "Bottom Fifth").trigger()
    assert options.roi == (0.0, 0.8, 1.0, 1.0) and checked() == ["Bottom Fifth"]
    options.offer_region((0.1, 0.1, 0.5, 0.3))
    options.act_last_drawn.trigger()
    assert options.roi == (0.1, 0.1, 0.5, 0.3) and checked() == [options.act_last_drawn.text()]

    # A job queued with it reads only there, and the choice is kept after a restart.
    with qtbot.waitSignal(window.queue.intake_done, timeout=30_000) as intake:
        window.job_actions.add_paths([str(videos / "clip one.mp4")])
    assert intake.args[0].queued[0].roi == (0.1, 0.1, 0.5, 0.3)
    assert intake.args[0].queued[0].frame_stride == 3
