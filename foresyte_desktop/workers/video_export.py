"""The annotated MP4 export in the background: one video at a time, with progress and cancel."""
from __future__ import annotations

import threading
import time
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal, Slot

from foresyte_desktop.core.annotate import write_job_video
from foresyte_desktop.core.model import Job
from foresyte_desktop.core.store import JobStore
from foresyte_desktop.workers.tasks import TaskLane

PROGRESS_INTERVAL_S = 0.1  # about 10 updates a second: enough for a bar, cheap for the GUI


class VideoExporter(QObject):
    """Writes a job's video with its overlays burned in, on a lane of its own.

    Every signal is emitted on the GUI thread, so any slot or lambda may touch widgets.
    `export` returns False and does nothing while an export is running: the caller knows best
    how to say so (or disables its action while `busy`).
    """

    started = Signal(str, str)    # job id, path being written
    progress = Signal(int, int)   # frames written, frames to write
    finished = Signal(str)        # path written
    failed = Signal(str)          # a sentence saying why nothing was written
    cancelled = Signal()          # stopped by cancel(); nothing was written
    _progress = Signal(int, int)  # from the lane thread, re-emitted on the GUI thread

    def __init__(self, store: JobStore, parent: QObject | None = None):
        super().__init__(parent)
        self._store = store
        # A lane of its own: a long export must not hold up the window's other reads.
        self._lane = TaskLane(self)
        self._cancel = threading.Event()
        self._busy = False
        self._last_emit = 0.0
        self._progress.connect(self.progress, Qt.ConnectionType.QueuedConnection)

    @property
    def busy(self) -> bool:
        return self._busy

    def export(self, job: Job, path: Path, start_s: float | None = None,
               end_s: float | None = None) -> bool:
        """Start writing `job`'s annotated video (from `start_s` to `end_s` seconds, by default
        all of it) to `path`; False if one is already running."""
        if self._busy:
            return False
        self._busy = True
        self._cancel.clear()
        self._last_emit = float("-inf")
        path = Path(path)
        self.started.emit(job.job_id, str(path))
        self._lane.submit(self._write, job, path, start_s, end_s, on_done=self._on_done,
                          on_error=self._on_error)
        return True

    def cancel(self) -> None:
        """Stop the running export at the next frame; it then emits `cancelled`."""
        self._cancel.set()

    def shutdown(self, msecs: int = -1) -> bool:
        """Cancel and wait for the lane (window close); False on timeout."""
        self.cancel()
        return self._lane.wait(msecs)

    def _write(self, job: Job, path: Path, start_s: float | None,
               end_s: float | None) -> Path | None:
        """In the lane: load the results and write the file; None if cancelled. The video is
        decoded by an FFmpeg child, so a file that crashes the decoder fails this export
        with a sentence, and the window stays."""
        return write_job_video(self._store, job, path, start_s=start_s, end_s=end_s,
                               progress=self._on_progress, cancel=self._cancel.is_set)

    def _on_progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - self._last_emit >= PROGRESS_INTERVAL_S:
            self._last_emit = now
            self._progress.emit(done, total)

    @Slot(object)
    def _on_done(self, written: Path | None) -> None:
        # Not busy before the signal, so a slot may start the next export at once.
        self._busy = False
        if written is None:
            self.cancelled.emit()
        else:
            self.finished.emit(str(written))

    @Slot(str)
    def _on_error(self, sentence: str) -> None:
        self._busy = False
        self.failed.emit(sentence)
