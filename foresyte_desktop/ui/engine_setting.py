"""The engine setting: which engine runs the jobs (analysis processes here, or a Ray cluster)
and how many workers, remembered, and shown in the status bar as a button that changes it."""
from __future__ import annotations

from PySide6.QtCore import QObject, QSettings
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QMainWindow, QSpinBox,
    QToolButton,
)

from foresyte_desktop.core.engines import default_workers, make_engine
from foresyte_desktop.workers.job_queue import JobQueue

ENGINES = (("local", "This computer"), ("ray", "Ray cluster"))


class EngineSetting(QObject):
    def __init__(self, window: QMainWindow, settings: QSettings, queue: JobQueue):
        super().__init__(window)
        self.window, self.settings, self.queue = window, settings, queue
        self.button = QToolButton()
        self.button.setAutoRaise(True)
        self.button.setToolTip("Where jobs are analysed, and by how many workers; click to "
                               "change")
        self.button.clicked.connect(self.choose)
        window.statusBar().addPermanentWidget(self.button)
        self.apply(settings.value("engine/name", "local", str),
                   settings.value("engine/workers", 0, int),
                   settings.value("engine/ray_address", "", str))

    def apply(self, name: str, workers: int, address: str) -> None:
        """Connect in the lane (a cluster may take a while); on success the queue's next jobs
        run there, on failure the sentence goes to the status bar and nothing changes."""
        self.button.setText(f"Engine: {name}, connecting…")

        def done(engine) -> None:
            self.queue.set_engine(engine)
            self.button.setText(f"Engine: {engine.describe()}")
            for key, value in (("name", name), ("workers", workers), ("ray_address", address)):
                self.settings.setValue(f"engine/{key}", value)

        def failed(message: str) -> None:
            self.button.setText("Engine: not changed")
            self.window.statusBar().showMessage(message, 15000)
        self.queue.lane.submit(lambda: make_engine(name, workers=workers or None,
                                                   address=address or None),
                               on_done=done, on_error=failed)

    def choose(self) -> None:
        dialog = QDialog(self.window)
        dialog.setWindowTitle("Engine")
        engine, workers, address = QComboBox(), QSpinBox(), QLineEdit()
        for key, text in ENGINES:
            engine.addItem(text, key)
        engine.setCurrentIndex(max(0, engine.findData(self.settings.value("engine/name",
                                                                           "local", str))))
        workers.setRange(0, 1024)
        workers.setSpecialValueText(f"Automatic ({default_workers()} here, or the cluster's "
                                    "CPUs)")
        workers.setValue(self.settings.value("engine/workers", 0, int))
        address.setPlaceholderText("HOST:PORT of the Ray head node")
        address.setText(self.settings.value("engine/ray_address", "", str))
        form = QFormLayout(dialog)
        form.addRow("Run jobs on", engine)
        form.addRow("Workers", workers)
        form.addRow("Ray address", address)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                   QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        form.addRow(buttons)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.apply(engine.currentData(), workers.value(), address.text().strip())
