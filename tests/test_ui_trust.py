"""Queueing with a .pt model asks once per file content; Cancel queues nothing.

The warning is answered by replacing QMessageBox.exec with a click on the named button
(plumbing: a modal dialog cannot be clicked in an offscreen test); the hashing, the store and
the intake are real.
"""
from PySide6.QtWidgets import QMessageBox

from foresyte_desktop.core.model_trust import sha256_file
from tests.test_model_trust import pt_model  # noqa: F401  (fixture)
from tests.test_ui_window import open_window, settings_path  # noqa: F401  (fixtures)


def test_a_pt_model_is_asked_about_once_and_cancel_queues_nothing(
        qtbot, monkeypatch, open_window, store, text_video, pt_model):  # noqa: F811
    asked, answers = [], iter(["Cancel", "Trust and Use"])

    def answer(box):
        asked.append(box.text() + "\n" + box.informativeText())
        wanted = next(answers)
        next(b for b in box.buttons() if b.text().replace("&", "") == wanted).click()
    monkeypatch.setattr(QMessageBox, "exec", answer)

    window = open_window()
    window.options.pipeline.setCurrentIndex(window.options.pipeline.findData("yolo_ocr"))
    window.options.set_model(str(pt_model))

    window.job_actions.add_paths([str(text_video)])
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Nothing was queued"),
                    timeout=10_000)
    assert len(asked) == 1
    assert "can run any code" in asked[0] and str(pt_model) in asked[0] and ".onnx" in asked[0]
    assert store.list_jobs() == [] and not store.is_model_trusted(sha256_file(pt_model))

    with qtbot.waitSignal(window.queue.intake_done, timeout=30_000):
        window.job_actions.add_paths([str(text_video)])
    assert len(asked) == 2 and store.is_model_trusted(sha256_file(pt_model))
    assert [j.model_path for j in store.list_jobs()] == [str(pt_model)]

    window.options.stride.setValue(2)  # not the same job again, which would be asked about
    with qtbot.waitSignal(window.queue.intake_done, timeout=30_000):
        window.job_actions.add_paths([str(text_video)])  # trusted now: no question
    assert len(asked) == 2 and len(store.list_jobs()) == 2
