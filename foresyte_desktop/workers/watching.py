"""The window's watch folders and alerts: the folder watcher running while the window is open,
its settled files queued through the same intake as dropped files, and the alerts read and
changed off the GUI thread.

Files a watch hands over go to `JobQueue.add_paths`, so bad ones are reported as dropped ones
are; once intake has queued or refused them, the store remembers them, so a restart does not
queue them again. Alerts are stored by the runner as each job completes; `alerts_raised`
carries the ones that are new since the window last looked.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from foresyte_desktop.core import alerts, watch_folders
from foresyte_desktop.core.intake import IntakeResult
from foresyte_desktop.core.model import Job, JobSpec
from foresyte_desktop.workers.job_queue import JobQueue
from foresyte_desktop.workers.tasks import TaskLane

Done = Callable[[Any], None]


class Watching(QObject):
    """Watch folders and alerts of one store, for the window."""

    notice = Signal(str)            # a watched folder went away, came back, or is polled
    alerts_raised = Signal(object)  # list[Alert] new since the last look, newest first
    alerts_changed = Signal()       # an alert was acknowledged or dismissed
    _handed = Signal(object, object)  # WatchFolder, list[Path]: from the watcher's thread

    def __init__(self, store, queue: JobQueue, parent: QObject | None = None, *,
                 settle_s: float = watch_folders.SETTLE_S, poll_s: float = watch_folders.POLL_S):
        super().__init__(parent)
        self._store = store
        self.queue = queue
        self._lane = TaskLane(self, session=store.session)
        self._lane.failed.connect(self.notice)
        self._expected: dict[str, JobSpec] = {}  # paths handed to intake, not yet recorded
        self._last_seen: int | None = None  # the newest alert id the window has seen
        self.watcher = watch_folders.FolderWatcher(store, self._handed.emit, self.notice.emit,
                                                   settle_s=settle_s, poll_s=poll_s)
        self._handed.connect(self._queue_files)
        queue.intake_done.connect(self._on_intake_done)
        queue.job_ended.connect(self._on_job_ended)
        queue.stopped.connect(self.stop)
        self._running = False

    def start(self) -> None:
        """Watch every stored watch folder until the queue stops (the window closes)."""
        if not self._running:
            self._running = True
            self.watcher.start()
        self._lane.submit(self._remember_newest)

    @Slot()
    def stop(self) -> None:
        if self._running:
            self._running = False
            self.watcher.stop()
        self._lane.wait()

    # -- watch folders ----------------------------------------------------------------------

    def folders(self, on_done: Done) -> None:
        """`on_done(watches)`: every watch folder."""
        self._lane.submit(watch_folders.list_watches, self._store, on_done=on_done)

    def add_folder(self, path: str, spec: JobSpec, on_done: Done,
                   on_error: Callable[[str], None]) -> None:
        """Watch a folder with these job settings; `on_done(watch)` or `on_error(sentence)`."""
        def work():
            watch = watch_folders.add_watch(self._store, path, spec)
            self.watcher.reload()
            return watch
        self._lane.submit(work, on_done=on_done, on_error=on_error)

    def remove_folder(self, watch_id: str, on_done: Done) -> None:
        def work():
            watch = watch_folders.remove_watch(self._store, watch_id)
            self.watcher.reload()
            return watch
        self._lane.submit(work, on_done=on_done)

    @Slot(object, object)
    def _queue_files(self, watch, paths: list[Path]) -> None:
        for path in paths:
            self._expected[str(path)] = watch.spec
        self.queue.add_paths([str(p) for p in paths], watch.spec)

    @Slot(object)
    def _on_intake_done(self, result: IntakeResult) -> None:
        done = [(job.input_path, job, None) for job in result.queued] + \
            [(r.path, None, r.reason) for r in result.refused]
        mine = [(path, self._expected.pop(path), job, reason) for path, job, reason in done
                if path in self._expected]
        if mine:
            self._lane.submit(self._record, mine)

    def _record(self, handled: list[tuple[str, JobSpec, Job | None, str | None]]) -> None:
        for path, spec, job, reason in handled:
            watch_folders.record(self._store, path, spec, job=job, refused=reason)

    # -- alerts -----------------------------------------------------------------------------

    def alerts(self, on_done: Done) -> None:
        """`on_done(alerts)`: the alerts not dismissed, newest first."""
        self._lane.submit(alerts.list_alerts, self._store, on_done=on_done)

    def set_state(self, alert_ids: list[int], state: str) -> None:
        """Acknowledge or dismiss alerts; `alerts_changed` once stored."""
        self._lane.submit(alerts.set_state, self._store, alert_ids, state,
                          on_done=lambda _n: self.alerts_changed.emit())

    def _remember_newest(self) -> None:
        """In the lane: alerts stored before the window opened are not raised again."""
        found = alerts.list_alerts(self._store, states=alerts.STATES)
        self._last_seen = max((a.alert_id for a in found), default=0)

    @Slot(object)
    def _on_job_ended(self, job: Job) -> None:
        if job.status == "completed":
            self.look_for_alerts()

    def look_for_alerts(self) -> None:
        """Emit `alerts_raised` with the alerts stored since the last look, if any."""
        def work():
            return alerts.list_alerts(self._store, states=("new",), after=self._last_seen or 0)

        def done(found: list) -> None:
            if found:
                self._last_seen = max(self._last_seen or 0, *(a.alert_id for a in found))
                self.alerts_raised.emit(found)
        self._lane.submit(work, on_done=done)
