"""The status bar's view of an annotated MP4 export: how far, how long left, and Cancel."""
from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from foresyte_desktop.core.formatting import duration
from foresyte_desktop.workers.video_export import VideoExporter

ETA_AFTER_S = 1.0  # the rate of the first instants says little about the rest


class VideoExportBar(QWidget):
    """Shown while `exporter` writes a video, hidden otherwise."""

    def __init__(self, exporter: VideoExporter, parent: QWidget | None = None):
        super().__init__(parent)
        self.exporter = exporter
        self.label = QLabel()
        self.progress = QProgressBar()
        self.progress.setFixedWidth(160)
        self.progress.setTextVisible(False)  # the label already says the percentage
        self.cancel_button = QToolButton()
        self.cancel_button.setText("Cancel")
        self.cancel_button.setAutoRaise(True)
        self.cancel_button.setToolTip("Stop writing the annotated video; nothing is kept")
        self.cancel_button.clicked.connect(self._cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.progress)
        layout.addWidget(self.cancel_button)
        self._name = ""
        self._since = 0.0
        exporter.started.connect(self._on_started)
        exporter.progress.connect(self._on_progress)
        exporter.finished.connect(self.hide)
        exporter.failed.connect(self.hide)
        exporter.cancelled.connect(self.hide)
        self.hide()

    def _on_started(self, job_id: str, path: str) -> None:
        self._name = Path(path).name
        self._since = time.monotonic()
        self.label.setText(f"Writing “{self._name}”…")
        self.progress.setRange(0, 0)  # busy until the first frame says how many there are
        self.cancel_button.setEnabled(True)
        self.show()

    def _on_progress(self, done: int, total: int) -> None:
        if not self.cancel_button.isEnabled():
            return  # already cancelling: the label says so
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        text = f"Writing “{self._name}”… {done * 100 // max(total, 1)}%"
        elapsed = time.monotonic() - self._since
        if 0 < done < total and elapsed >= ETA_AFTER_S:
            text += f" · about {duration(elapsed / done * (total - done))} left"
        self.label.setText(text)

    def _cancel(self) -> None:
        self.exporter.cancel()
        self.cancel_button.setEnabled(False)
        self.label.setText(f"Cancelling “{self._name}”…")
