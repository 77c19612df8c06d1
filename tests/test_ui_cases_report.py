"""Cases and the case report in the real window: a case chosen over the job list shows only its
jobs and takes the files added then, jobs put in a case and taken out, Find kept to the case
and finding the analyst's notes, and File ▸ Export Report… writing the report of the case as
HTML and as a PDF.

Jobs are read by the real runner and RapidOCR from videos the tests build; cases, notes and
reports go through the real store and the core functions the command line uses."""
import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QApplication

from foresyte_desktop.core import cases, notes, review
from foresyte_desktop.core.report_html import verify_report
from tests.dialogs import answering
from tests.real_jobs import run_job
from tests.videos import make_text_video


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cases")
    return [make_text_video(folder / f"{name}.mp4", [(text, 20)], fps=10)
            for name, text in (("lobby", "GATE 14 BOARDING"), ("street", "EXIT ONLY"),
                               ("new", "PLATFORM 4"))]


def shown_names(window) -> list[str]:
    model, table = window.model, window.table
    return sorted(model.job_at(r).input_path.rsplit("/", 1)[-1] for r in range(model.rowCount())
                  if not table.isRowHidden(r))


def choose(qtbot, window, name: str | None) -> None:
    box = window.cases.choice
    qtbot.waitUntil(lambda: box.findData(name if name is not None else "") >= 0, timeout=5000)
    box.setCurrentIndex(box.findData(name if name is not None else ""))


def test_a_case_filters_the_list_takes_new_files_and_limits_find(qtbot, window, store,
                                                                 data_dir, clips):
    lobby, street = (run_job(store, data_dir, c, stride=4) for c in clips[:2])
    cases.new_case(store, "Case 2291")
    cases.set_case(store, [lobby], "Case 2291")
    notes.add_bookmark(store, street.job_id, 3, "the exit sign, for the case file")
    window.model.set_jobs(store.list_jobs())
    window.cases.reload()
    choose(qtbot, window, "Case 2291")
    qtbot.waitUntil(lambda: shown_names(window) == ["lobby.mp4"], timeout=5000)
    assert window.cases.choice.currentText() == "Case 2291 (1)"

    # Put the street job in the case from the selection, then take it out again.
    window.cases.choice.setCurrentIndex(0)  # all jobs
    qtbot.waitUntil(lambda: len(shown_names(window)) == 2, timeout=5000)
    window.table.select_job(street.job_id)
    answering(lambda dialog: (dialog.setTextValue("Case 2291"), dialog.accept()))
    window.cases.act_put.trigger()
    qtbot.waitUntil(lambda: cases.case_of(store, street) == "Case 2291", timeout=5000)
    window.table.select_job(street.job_id)
    qtbot.waitUntil(window.cases.act_take_out.isEnabled, timeout=5000)
    window.cases.act_take_out.trigger()
    qtbot.waitUntil(lambda: cases.case_of(store, street) is None, timeout=5000)

    # A file added while the case is chosen goes into it.
    choose(qtbot, window, "Case 2291")
    window.job_actions.add_paths([str(clips[2])])
    qtbot.waitUntil(lambda: "new.mp4" in shown_names(window), timeout=10_000)
    added = next(window.model.job_at(r) for r in range(window.model.rowCount())
                 if window.model.job_at(r).input_path.endswith("new.mp4"))
    assert cases.case_of(store, added) == "Case 2291"
    assert shown_names(window) == ["lobby.mp4", "new.mp4"]

    # Find, kept to the case, finds nothing in the street video; with every video, its note.
    window.find.find_text()
    panel = window.search
    assert panel.in_case.isVisible() and "Case 2291" in panel.in_case.text()
    panel.in_case.setChecked(True)
    panel.box.setText("exit")
    qtbot.waitUntil(lambda: panel.summary.text() == "0 hits in 0 videos", timeout=10_000)
    panel.in_case.setChecked(False)
    qtbot.waitUntil(lambda: panel.hits.topLevelItemCount() == 2, timeout=10_000)
    group = panel.hits.topLevelItem(0)
    assert group.text(0) == "Notes" and "the exit sign" in group.child(0).text(1)
    panel.hits.setCurrentItem(group.child(0))
    panel.hits.itemActivated.emit(group.child(0), 0)
    qtbot.waitUntil(lambda: window.viewer.job is not None and
                    window.viewer.job.job_id == street.job_id and window.viewer.index == 3,
                    timeout=10_000)


@pytest.mark.parametrize("fmt", ["html", "pdf"])
def test_export_report_writes_the_case_report(qtbot, window, store, data_dir, clips, tmp_path,
                                              fmt):
    lobby, street = (run_job(store, data_dir, c, stride=4) for c in clips[:2])
    cases.new_case(store, "Case 7")
    cases.set_case(store, [lobby, street], "Case 7")
    review.verify(store, lobby.job_id, "all")
    review.reject(store, street.job_id, 1)
    window.model.set_jobs(store.list_jobs())
    window.cases.reload()
    choose(qtbot, window, "Case 7")
    qtbot.waitUntil(window.report_export.act_report.isEnabled, timeout=5000)
    out = tmp_path / f"case 7.{fmt}"

    def choose_format(dialog):
        dialog.selectNameFilter(next(f for f in dialog.nameFilters() if f"*.{fmt}" in f))
        dialog.findChild(__import__("PySide6.QtWidgets").QtWidgets.QLineEdit,
                         "fileNameEdit").setText(str(out))
        dialog.accept()
    answering(lambda dialog: (dialog.whole_case.isChecked() or dialog.whole_case.click(),
                              dialog.accept()), choose_format)
    window.report_export.act_report.trigger()
    qtbot.waitUntil(lambda: out.exists() and "written to" in window.statusBar().currentMessage(),
                    timeout=120_000)
    assert "Report of 2 videos written to" in window.statusBar().currentMessage()
    if fmt == "html":
        html = out.read_text(encoding="utf-8")
        assert "GATE 14 BOARDING" in html and "EXIT ONLY" not in html  # rejected: left out
        assert all(check.ok for check in verify_report(store, out))
    else:
        assert len(PdfReader(str(out)).pages) >= 3  # the cover and a page per video
    assert QApplication.activeModalWidget() is None
