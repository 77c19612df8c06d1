"""The window's queue controls: start and pause, parallelism, and every action on jobs.

The `jobs` table in the store is the queue. This object only decides when workers go and claim
from it, and sends each user action (queue files, cancel, retry, remove) to a task lane so that
the GUI thread never waits on the database or on probing a video.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal, Slot

from foresyte_desktop.core.cases import CaseError, set_case
from foresyte_desktop.core.intake import IntakeResult, expand_paths, queue_files
from foresyte_desktop.core.model import Job, JobSpec
from foresyte_desktop.core.paths import output_dir
from foresyte_desktop.core.store import JobStore
from foresyte_desktop.workers.job_worker import JobWorker, RunnerPool, RunningJobs, WorkerSignals
from foresyte_desktop.workers.tasks import TaskLane

log = logging.getLogger(__name__)


class JobQueue(QObject):
    """Dispatches job workers while started, at most `max_parallel` at a time."""

    job_started = Signal(object)        # Job now running
    progress = Signal(str, int, int)    # job id, frames done, frames planned
    frames_ready = Signal(str, object)  # job id, list[FrameResult]
    job_ended = Signal(object)          # Job: completed, failed, cancelled, or pending again
    cancelling = Signal(str)            # job id whose worker was told to stop
    jobs_changed = Signal(object)       # list[Job] added or changed by a user action
    jobs_removed = Signal(object)       # list[str] ids of removed jobs
    intake_progress = Signal(int, int)  # files checked, files to check
    intake_done = Signal(object)        # IntakeResult of one add_paths call
    drained = Signal()                  # ran dry while started: nothing running, nothing pending
    stopped = Signal()                  # after shutdown(): every worker has returned
    state_changed = Signal()            # started or paused, or the running jobs changed
    error = Signal(str)                 # a sentence for the status bar

    def __init__(self, store: JobStore, data_dir: Path, parent: QObject | None = None):
        super().__init__(parent)
        self.store = store
        self.data_dir = Path(data_dir)
        self.lane = TaskLane(self, session=store.session)
        self.lane.failed.connect(self.error)
        self._pool = QThreadPool(self)
        self._pool.setExpiryTimeout(-1)  # keep threads, and with them their loaded models
        self._max = 1
        self._pool.setMaxThreadCount(self._max)
        self._running = RunningJobs()
        self._runners = RunnerPool(store, self.data_dir)
        self._signals = WorkerSignals(self)
        self._signals.started.connect(self._on_started)
        self._signals.progress.connect(self.progress)
        self._signals.frames_ready.connect(self.frames_ready)
        self._signals.finished.connect(self._on_ended)
        self._signals.failed.connect(self._on_ended)
        self._signals.idle.connect(self._on_idle)
        self._signals.crashed.connect(self._on_crashed)
        self._active = 0        # workers started and not yet returned
        self._generation = 0    # bumped whenever new pending work may exist
        self._exhausted = -1    # the generation in which a worker found nothing to claim
        self._started = False
        self._stopping = False
        self._worked = False    # a job ran since the queue last ran dry
        self._remove_after: set[str] = set()

    # -- state ------------------------------------------------------------------------------

    @property
    def is_started(self) -> bool:
        return self._started

    @property
    def max_parallel(self) -> int:
        return self._max

    def set_max_parallel(self, n: int) -> None:
        self._max = max(1, int(n))
        self._pool.setMaxThreadCount(self._max)
        self._fill()

    def set_engine(self, engine) -> None:
        """Run the jobs started from now on with `engine` (core.engines); the one it replaces
        is closed on a thread of its own (not the lane, which user actions need), after its
        workers have run the chunks already queued."""
        old = self._runners.set_engine(engine)
        if old is not None:
            threading.Thread(target=old.close, name="foresyte-engine-close", daemon=True).start()

    def running_job_ids(self) -> list[str]:
        return self._running.job_ids()

    def start(self) -> None:
        self._started = True
        self._generation += 1
        self.state_changed.emit()
        self._fill()

    def pause(self, stop_running: str | None = None) -> None:
        """Claim no more jobs. Running ones finish, or stop: `cancel` or `interrupt`."""
        self._started = False
        if stop_running:
            for job_id in self._running.job_ids():
                if self._running.stop(job_id, stop_running):
                    self.cancelling.emit(job_id)
        self.state_changed.emit()

    def shutdown(self, how: str = "interrupt") -> None:
        """Stop every job (`cancel`, or `interrupt`: resumable); `stopped` when all returned."""
        self._started = False
        self._stopping = True
        self._running.halt(how)
        for job_id in self._running.job_ids():
            self.cancelling.emit(job_id)
        if self._active == 0:
            QTimer.singleShot(0, self._finish_stop)

    def wait(self, msecs: int = -1) -> bool:
        """Block until workers and the lane are idle (exit and tests only); False on timeout.
        After shutdown(), also stops the analysis child processes."""
        idle = self._pool.waitForDone(msecs) and self.lane.wait(msecs)
        if idle and self._stopping:
            self._runners.close()
        return idle

    # -- actions ----------------------------------------------------------------------------

    def add_paths(self, paths: list[str], spec: JobSpec, case: str | None = None) -> None:
        """Validate files (folders recursively) in the lane; queue the good ones, in the case
        named `case` if one is given (they are in it by the time they are announced)."""
        self.lane.submit(self._intake, list(paths), spec, case, on_done=self._on_intake)

    def cancel(self, job_ids: list[str]) -> None:
        """Stop running jobs now; cancel pending ones in the store."""
        for job_id in job_ids:
            if self._running.stop(job_id, "cancel"):
                self.cancelling.emit(job_id)
            else:
                self.lane.submit(self._cancel_in_store, job_id, on_done=self.jobs_changed.emit)

    def retry(self, job_ids: list[str]) -> None:
        """Queue ended jobs again from their first frame."""
        def work() -> list[Job]:
            return [job for job in map(self.store.retry, job_ids) if job]
        self.lane.submit(work, on_done=self._on_requeued)

    def set_roi(self, job_ids: list[str], roi: tuple[float, float, float, float] | None,
                on_done: Callable[[int], None] | None = None) -> None:
        """Limit the OCR of the queued jobs among `job_ids` to `roi` (None: the whole frame);
        `on_done` gets how many took it (jobs claimed meanwhile keep theirs)."""
        def work() -> tuple[int, list[Job]]:
            changed = self.store.set_roi(job_ids, roi)
            return changed, [j for j in map(self.store.get_job, job_ids) if j]

        def done(outcome: tuple[int, list[Job]]) -> None:
            self.jobs_changed.emit(outcome[1])
            if on_done is not None:
                on_done(outcome[0])
        self.lane.submit(work, on_done=done)

    def remove(self, job_ids: list[str]) -> None:
        """Delete jobs with their results and output files; running ones are cancelled first."""
        now = []
        for job_id in job_ids:
            if self._running.stop(job_id, "cancel"):
                self._remove_after.add(job_id)
                self.cancelling.emit(job_id)
            else:
                now.append(job_id)
        if now:
            self.lane.submit(self._remove_in_store, now, on_done=self._on_removed)

    # -- lane work (runs off the GUI thread) ------------------------------------------------

    def _intake(self, paths: list[str], spec: JobSpec, case: str | None = None) -> IntakeResult:
        result = IntakeResult()
        files = expand_paths(paths)
        for n, path in enumerate(files):
            if self._stopping:
                break
            part = queue_files(self.store, [path], spec)
            if case is not None and part.queued:
                try:
                    set_case(self.store, part.queued, case)
                except CaseError as exc:  # the case went meanwhile: queued, in no case
                    log.warning("new jobs left out of a case: %s", exc)
                    case = None
            result.queued += part.queued
            result.refused += part.refused
            self.intake_progress.emit(n + 1, len(files))
        return result

    def _cancel_in_store(self, job_id: str) -> list[Job]:
        job = self.store.cancel_pending(job_id)
        if job is None:
            job = self.store.get_job(job_id)
            if job is not None and job.status == "running":  # claimed since: stop its worker
                self._running.stop(job_id, "cancel", remember=True)
        return [job] if job else []

    def _remove_in_store(self, job_ids: list[str]) -> tuple[list[str], list[str]]:
        """Remove what is not running; returns (removed, claimed by a worker meanwhile). The
        claimed ones are cancelled, in case their worker has not registered them yet."""
        outputs = output_dir(self.data_dir)
        jobs = [j for j in (self.store.get_job(i) for i in job_ids) if j]
        removed = self.store.remove(job_ids)
        for job in jobs:  # only the results file ForeSyte wrote itself, never an export
            if job.job_id in removed and job.output_path and \
                    Path(job.output_path).parent == outputs:
                Path(job.output_path).unlink(missing_ok=True)
        claimed = [j.job_id for j in jobs if j.job_id not in removed]
        for job_id in claimed:
            self._running.stop(job_id, "cancel", remember=True)
        return removed, claimed

    @Slot(object)
    def _on_removed(self, outcome: tuple[list[str], list[str]]) -> None:
        removed, claimed = outcome
        if removed:
            self.jobs_removed.emit(removed)
        running = set(self._running.job_ids())
        for job_id in claimed:  # removed once its worker has stopped it (see _on_ended)
            self._remove_after.add(job_id)
            self.cancelling.emit(job_id)
        again = [i for i in claimed if i not in running]
        if again:  # ended already, or not registered yet: try again after it
            self._remove_after.difference_update(again)
            self.lane.submit(self._remove_in_store, again, on_done=self._on_removed)

    # -- workers ----------------------------------------------------------------------------

    def _fill(self) -> None:
        while (self._started and not self._stopping and self._active < self._max
               and self._exhausted != self._generation):
            self._active += 1
            self._pool.start(JobWorker(self._runners, self._signals, self._running,
                                       self._generation))

    def _new_work(self) -> None:
        self._generation += 1
        self._fill()

    @Slot(object)
    def _on_intake(self, result: IntakeResult) -> None:
        self.jobs_changed.emit(result.queued)
        self.intake_done.emit(result)
        if result.queued:
            self._new_work()

    @Slot(object)
    def _on_requeued(self, jobs: list[Job]) -> None:
        self.jobs_changed.emit(jobs)
        if jobs:
            self._new_work()

    @Slot(object)
    def _on_started(self, job: Job) -> None:
        self._worked = True
        self.job_started.emit(job)
        self.state_changed.emit()

    @Slot(object)
    def _on_ended(self, job: Job) -> None:
        self._active -= 1
        if job.status == "pending":  # interrupted: it is pending work again
            self._generation += 1
        self.job_ended.emit(job)
        if job.job_id in self._remove_after:
            self._remove_after.discard(job.job_id)
            self.remove([job.job_id])
        self.state_changed.emit()
        self._after_worker()

    @Slot(int)
    def _on_idle(self, generation: int) -> None:
        self._active -= 1
        if generation == self._generation:
            self._exhausted = generation
        self._after_worker()

    @Slot(str)
    def _on_crashed(self, message: str) -> None:
        self._active -= 1
        if self._started:  # a store that fails now would fail the next claim too
            self._started = False
            message += " The queue is paused; press Start to try again."
        self.error.emit(message)
        self.state_changed.emit()
        self._after_worker()

    def _after_worker(self) -> None:
        if self._stopping:
            if self._active == 0:
                self._finish_stop()
            return
        self._fill()
        if (self._active == 0 and self._started and self._worked
                and self._exhausted == self._generation):
            self._worked = False
            self.drained.emit()

    def _finish_stop(self) -> None:
        self._pool.waitForDone(1000)  # the last worker has emitted; let its thread return
        # Stopping the child processes takes a moment: the lane does it, after any intake
        # in progress has stopped at its next file, and the GUI stays responsive meanwhile.
        self.lane.submit(self._runners.close, on_done=lambda _: self.stopped.emit())
