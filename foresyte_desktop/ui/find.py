"""Finding text in every video: the Find panel in its dock, opened by Ctrl+F, and a hit opened
in the viewer on the frame its line was read on, with the line outlined."""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QStyle

from foresyte_desktop.ui.actions import make_action
from foresyte_desktop.ui.review import Review
from foresyte_desktop.ui.search_panel import SearchPanel


class Find(QObject):
    def __init__(self, window: QMainWindow, panel: SearchPanel, review: Review):
        super().__init__(window)
        self.panel = panel
        self.act_find = make_action(window, "Find in All Videos…", self.find_text, "Ctrl+F",
                                    QStyle.StandardPixmap.SP_FileDialogContentsView,
                                    "Search the text read in every job")
        self.act_find.setIconText("Find")  # the toolbar button
        self.dock = QDockWidget("Find")
        self.dock.setObjectName("search_dock")
        self.dock.setWidget(panel)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()  # until Ctrl+F: the review panel needs the room more
        panel.hit_activated.connect(review.show_frame)
        model = review.table.model()  # the queue's jobs: hits on one file told apart by them
        panel.job_of = lambda job_id: (None if (row := model.row_of(job_id)) is None
                                       else model.job_at(row))

    def find_text(self) -> None:
        self.dock.show()
        self.panel.focus_box()
