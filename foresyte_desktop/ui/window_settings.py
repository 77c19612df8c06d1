"""What the window remembers between runs (its size, the Find panel, the splitters, the
viewer's layers) and the queue's own settings in the toolbar: parallel jobs, and what to do
when every job has ended. A side panel (a dock) comes back no wider than DOCK_MAX_SHARE of the
window, whatever width it was left at."""
from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtCore import QObject, QSettings, Qt, QTimer
from PySide6.QtWidgets import QComboBox, QDockWidget, QMainWindow, QSpinBox, QSplitter

from foresyte_desktop.ui.resources import default_settings
from foresyte_desktop.ui.viewer import Viewer
from foresyte_desktop.workers.job_queue import JobQueue

WHEN_DONE = (("nothing", "Do nothing"), ("quit", "Quit ForeSyte"))
DOCK_MAX_SHARE = 0.3


class WindowSettings(QObject):
    """`splits` maps a settings key to a splitter (or anything with saveState/restoreState)."""

    def __init__(self, window: QMainWindow, settings: QSettings, queue: JobQueue,
                 viewer: Viewer, splits: dict[str, QSplitter], quit: Callable[[], None]):
        super().__init__(window)
        self.window = window
        self.settings = settings
        self.queue = queue
        self.viewer = viewer
        self.splits = splits
        self.quit = quit
        self.parallel = QSpinBox()
        self.parallel.setRange(1, max(1, os.cpu_count() or 1))
        self.parallel.setToolTip("How many jobs run at the same time (each loads its own models)")
        self.when_done = QComboBox()
        for key, text in WHEN_DONE:
            self.when_done.addItem(text, key)
        self.when_done.setToolTip("What ForeSyte does once every queued job has ended")
        self.parallel.valueChanged.connect(self._on_parallel)
        self.when_done.currentIndexChanged.connect(
            lambda: settings.setValue("queue/when_done", self.when_done.currentData()))
        viewer.act_show_ocr.toggled.connect(lambda on: settings.setValue("viewer/show_ocr", on))
        viewer.act_show_detections.toggled.connect(
            lambda on: settings.setValue("viewer/show_detections", on))
        viewer.act_show_labels.toggled.connect(
            lambda on: settings.setValue("viewer/show_labels", on))
        queue.drained.connect(self._on_drained)

    def restore(self) -> None:
        """Once the window has its toolbars and docks: its state names them."""
        s, window = self.settings, self.window
        if s.value("window/geometry"):
            window.restoreGeometry(s.value("window/geometry"))
        else:
            window.resize(1500, 950)
        if s.value("window/state"):  # where the Find panel was, and whether it was open
            window.restoreState(s.value("window/state"))
        self.fit_docks()
        for key, split in self.splits.items():
            if s.value(key):
                split.restoreState(s.value(key))
        self.parallel.setValue(int(s.value("queue/max_parallel",
                                           default_settings().get("max_parallel_jobs") or 1)))
        self.queue.set_max_parallel(self.parallel.value())
        self.when_done.setCurrentIndex(max(0, self.when_done.findData(
            s.value("queue/when_done", "nothing", str))))
        self.viewer.act_show_ocr.setChecked(s.value("viewer/show_ocr", True, bool))
        self.viewer.act_show_detections.setChecked(s.value("viewer/show_detections", True, bool))
        self.viewer.act_show_labels.setChecked(s.value("viewer/show_labels", True, bool))

    def fit_docks(self) -> None:
        """Side docks no wider than their share of the window, and no narrower than they
        need, so the job list keeps its room after a restart on a smaller screen."""
        docks = [d for d in self.window.findChildren(QDockWidget)
                 if d.isVisible() and not d.isFloating()
                 and self.window.dockWidgetArea(d) in (Qt.DockWidgetArea.LeftDockWidgetArea,
                                                       Qt.DockWidgetArea.RightDockWidgetArea)]
        most = int(self.window.width() * DOCK_MAX_SHARE)
        widths = [max(d.minimumSizeHint().width(), min(d.width(), most)) for d in docks]
        if docks:
            self.window.resizeDocks(docks, widths, Qt.Orientation.Horizontal)

    def save(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.window.saveGeometry())
        s.setValue("window/state", self.window.saveState())
        for key, split in self.splits.items():
            s.setValue(key, split.saveState())
        s.sync()

    def _on_parallel(self, n: int) -> None:
        self.queue.set_max_parallel(n)
        self.settings.setValue("queue/max_parallel", n)

    def _on_drained(self) -> None:
        if self.when_done.currentData() == "quit":
            self.window.statusBar().showMessage("Every job has ended; quitting as asked.")
            QTimer.singleShot(0, self.quit)
        else:
            self.window.statusBar().showMessage("Every queued job has ended.", 15000)
