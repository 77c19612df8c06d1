"""Cases in the window: a case chosen over the job list shows only its jobs, and the files
dropped or added then go into it; new cases, putting the selected jobs in a case or taking
them out. The case chosen is also what Find can be kept to and what a report covers."""
from __future__ import annotations

from functools import partial

from PySide6.QtCore import QObject, QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QComboBox, QHBoxLayout, QInputDialog, QLabel, QMainWindow, QToolButton, QWidget,
)

from foresyte_desktop.core import cases
from foresyte_desktop.core.formatting import plural
from foresyte_desktop.ui.actions import make_action
from foresyte_desktop.ui.job_table import JobTableModel, JobTableView
from foresyte_desktop.ui.notice_bar import NoticeBar
from foresyte_desktop.workers.library import Library

ALL, NO_CASE = "", "\0none"  # the filter's two choices that are not a case


class Cases(QObject):
    changed = Signal(object)  # the case chosen (its name), or None

    def __init__(self, window: QMainWindow, library: Library, model: JobTableModel,
                 table: JobTableView, notice: NoticeBar):
        super().__init__(window)
        self.window, self.library, self.model, self.table = window, library, model, table
        self.notice = notice
        self.of_job: dict[str, str] = {}  # job id -> its case's name
        self.known: list[cases.Case] = []
        self.choice = QComboBox()
        self.choice.setToolTip("Show the jobs of one case; files added then go into it")
        self.choice.setMinimumContentsLength(14)
        self.choice.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.choice.currentIndexChanged.connect(self._on_choice)
        a = partial(make_action, window)
        self.act_new = a("New Case…", self.new_case, tip="A named case to group jobs in")
        self.act_put = a("Put in Case…", self.put_in_case, "Ctrl+K",
                         tip="Put the selected jobs in a case (out of any other)")
        self.act_take_out = a("Take Out of Case", self.take_out,
                              tip="The selected jobs belong to no case")
        self.bar = QWidget()
        row = QHBoxLayout(self.bar)
        row.setContentsMargins(4, 0, 0, 0)
        row.addWidget(QLabel("Case:"))
        row.addWidget(self.choice)
        new = QToolButton()
        new.setDefaultAction(self.act_new)
        row.addWidget(new)
        for signal in (model.rowsInserted, model.modelReset, model.layoutChanged):
            signal.connect(self._apply)
        library.queue.intake_done.connect(lambda _result: self.reload())
        self.reload()

    # -- the choice -------------------------------------------------------------------------

    def current(self) -> str | None:
        """The case chosen, or None (all jobs, or those in no case)."""
        data = self.choice.currentData()
        return data if data not in (None, ALL, NO_CASE) else None

    def reload(self, then_choose: str | None = None) -> None:
        def work(store) -> tuple[list[cases.Case], dict[str, str]]:
            return cases.list_cases(store), cases.job_cases(store)
        self.library.call(work, on_done=lambda found: self._show(*found, then_choose),
                          on_error=self._refused)

    def _show(self, known: list[cases.Case], of_job: dict[str, str],
              choose: str | None) -> None:
        self.known, self.of_job = known, of_job
        wanted = choose if choose is not None else self.choice.currentData()
        with QSignalBlocker(self.choice):
            self.choice.clear()
            self.choice.addItem("All jobs", ALL)
            for case in known:
                self.choice.addItem(f"{case.name} ({case.jobs})", case.name)
            self.choice.addItem("Not in a case", NO_CASE)
            at = self.choice.findData(wanted)
            self.choice.setCurrentIndex(max(0, at))
        self._on_choice()

    def _on_choice(self, _index: int = 0) -> None:
        self._apply()
        self.changed.emit(self.current())

    def _apply(self, *_) -> None:
        """Hide the rows of the jobs outside the case chosen."""
        wanted = self.choice.currentData()
        for row in range(self.model.rowCount()):
            case = self.of_job.get(self.model.job_at(row).job_id)
            self.table.setRowHidden(row, wanted not in (None, ALL) and (
                case is not None if wanted == NO_CASE else case != wanted))

    # -- the actions ------------------------------------------------------------------------

    def new_case(self) -> None:
        name, ok = QInputDialog.getText(self.window, "New Case", "The case's name:")
        if ok:
            self.library.call(cases.new_case, name, on_error=self._refused,
                              on_done=lambda case: self._made(case))

    def _made(self, case: cases.Case) -> None:
        self.window.statusBar().showMessage(
            f"Case “{case.name}” made; files added now go into it.", 10000)
        self.reload(then_choose=case.name)

    def put_in_case(self) -> None:
        jobs = self.table.selected_jobs()
        if not jobs:
            return
        names = [c.name for c in self.known]
        name, ok = QInputDialog.getItem(
            self.window, "Put in Case", f"Put {plural(len(jobs), 'job')} in the case (type a "
                                        "new name to make one):", names, 0, True)
        if not ok:
            return
        ids = [j.job_id for j in jobs]

        def work(store) -> str:
            case = cases.find_case(store, name) or cases.new_case(store, name)
            cases.set_case(store, ids, case.name)
            return case.name
        self.library.call(work, on_error=self._refused, on_done=lambda case: self._put(
            case, len(ids)))

    def _put(self, case: str, count: int) -> None:
        self.window.statusBar().showMessage(f"{plural(count, 'job')} put in “{case}”.", 10000)
        self.reload()

    def take_out(self) -> None:
        ids = [j.job_id for j in self.table.selected_jobs()]
        if ids:
            self.library.call(cases.set_case, ids, None, on_error=self._refused,
                              on_done=lambda _before: self.reload())

    def update_actions(self) -> None:
        chosen = self.table.selected_jobs()
        self.act_put.setEnabled(bool(chosen))
        self.act_take_out.setEnabled(any(j.job_id in self.of_job for j in chosen))

    def _refused(self, sentence: str) -> None:
        self.notice.show_lines("The case was not changed:", [sentence])
