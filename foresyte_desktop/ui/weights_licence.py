"""Tells the user, once, under which licence the default YOLO weights came, in the notice bar
as soon as a job runs after they were downloaded (a job downloads them when it starts)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject

from foresyte_desktop.core.licences import weights_note_due
from foresyte_desktop.ui.notice_bar import NoticeBar


class WeightsLicenceNote(QObject):
    def __init__(self, progress_signal, notice: NoticeBar, data_dir: Path,
                 parent: QObject | None = None):
        """progress_signal: JobQueue.progress, emitted while a job runs."""
        super().__init__(parent)
        self._signal = progress_signal
        self._notice = notice
        self._data_dir = data_dir
        self._signal.connect(self.check)
        self.check()  # weights downloaded before this version of ForeSyte told about them

    def check(self, *_progress) -> None:
        note = weights_note_due(self._data_dir)
        if note:
            self._signal.disconnect(self.check)
            self._notice.show_lines("YOLO weights licence", [note])
