"""A job worker: a QRunnable that claims the next pending job from the store and runs it.

The store stays the only queue: a worker never receives a job, it claims one. What the runner
reports per frame is coalesced and emitted about ten times a second, so the GUI thread gets a
steady trickle of queued signals however fast the pipeline goes.
"""
from __future__ import annotations

import importlib
import logging
import multiprocessing
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, Signal

from foresyte_desktop.core.errors import StoreError
from foresyte_desktop.core.model import FrameResult, Job
from foresyte_desktop.core.runner import CancelToken, JobRunner, Progress
from foresyte_desktop.core.store import JobStore

log = logging.getLogger(__name__)

EMIT_INTERVAL = 0.1  # seconds between two progress emits of one job


class WorkerSignals(QObject):
    """Created on the GUI thread; workers emit from theirs, so every slot runs queued."""

    started = Signal(object)            # Job, just claimed and running
    progress = Signal(str, int, int)    # job id, frames done, frames planned
    frames_ready = Signal(str, object)  # job id, list[FrameResult] computed since the last emit
    finished = Signal(object)           # Job as it ended: completed, cancelled, or pending again
    failed = Signal(object)             # Job that failed; its error_message says why
    idle = Signal(int)                  # found no pending job (the dispatch generation)
    crashed = Signal(str)               # the store itself failed (disk full…): a sentence


class RunningJobs:
    """Which job each worker runs, with its cancel token; safe to use from any thread.

    A cancel may arrive between a worker's claim and its registration: it is remembered and
    applied on registration. After `halt` (the window closing) every token is stopped at once.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[str, CancelToken] = {}
        self._doomed: set[str] = set()
        self._halt: str | None = None

    def register(self, job_id: str, token: CancelToken) -> None:
        with self._lock:
            self._tokens[job_id] = token
            if job_id in self._doomed:
                self._doomed.discard(job_id)
                token.cancel()
            elif self._halt:
                _stop(token, self._halt)

    def unregister(self, job_id: str) -> None:
        with self._lock:
            self._tokens.pop(job_id, None)

    def stop(self, job_id: str, how: str = "cancel", *, remember: bool = False) -> bool:
        """Stop a registered job: `cancel`, or `interrupt` (left pending at its checkpoint).

        With `remember`, a job not registered yet is cancelled when it registers. True if the
        job was running here.
        """
        with self._lock:
            token = self._tokens.get(job_id)
            if token is not None:
                _stop(token, how)
            elif remember:
                self._doomed.add(job_id)
            return token is not None

    def halt(self, how: str) -> None:
        """Stop every job now and any claimed later: `cancel`, or `interrupt` (resumable)."""
        with self._lock:
            self._halt = how
            for token in self._tokens.values():
                _stop(token, how)

    @property
    def halted(self) -> bool:
        return self._halt is not None

    def job_ids(self) -> list[str]:
        with self._lock:
            return list(self._tokens)


def _stop(token: CancelToken, how: str) -> None:
    token.interrupt() if how == "interrupt" else token.cancel()


class ThrottledEmitter:
    """The runner's progress callback: buffers frames, emits at most once per interval."""

    def __init__(self, signals: WorkerSignals, job_id: str, interval: float = EMIT_INTERVAL):
        self.signals = signals
        self.job_id = job_id
        self.interval = interval
        self._frames: list[FrameResult] = []
        self._counts: tuple[int, int] | None = None
        self._last = float("-inf")

    def __call__(self, progress: Progress) -> None:
        if progress.frame is not None:
            self._frames.append(progress.frame)
        self._counts = (progress.frames_done, progress.frames_total)
        if time.monotonic() - self._last >= self.interval:
            self.flush()

    def flush(self) -> None:
        if self._frames:
            self.signals.frames_ready.emit(self.job_id, self._frames)
            self._frames = []
        if self._counts is not None:
            self.signals.progress.emit(self.job_id, *self._counts)
            self._counts = None
        self._last = time.monotonic()


def warm_up_spawning() -> None:
    """Import multiprocessing's spawn machinery and start its resource tracker now.

    Left to the first worker, this holds the GIL for a few hundred milliseconds of imports
    and process starts while its job begins, and the GUI thread stalls; done when the queue
    is created, it costs the same once, before any job runs.
    """
    context = multiprocessing.get_context("spawn")
    context.Event()  # imports synchronize and spawn, starts the resource tracker on POSIX
    importlib.import_module("multiprocessing.popen_spawn_" +
                            ("win32" if sys.platform == "win32" else "posix"))


class RunnerPool:
    """JobRunners kept between jobs, each with its analysis child process that loads its
    models once and serves job after job. A worker borrows an idle runner for one job, so
    there are never more runners (and child processes) than jobs running at once.

    Not a thread-local: Qt's pool threads can come back to Python with a fresh thread state,
    which would orphan a thread-local runner and its child process on every job.
    """

    def __init__(self, store: JobStore, data_dir: Path):
        warm_up_spawning()
        self.store = store
        self.data_dir = data_dir
        self._lock = threading.Lock()
        self._idle: list[JobRunner] = []
        self._all: list[JobRunner] = []
        self.engine = None  # core.engines: what runs jobs as chunks; None: one pass each

    def set_engine(self, engine):
        """Jobs started from now on run on `engine`; returns the one it replaces, which its
        running jobs keep until they end."""
        with self._lock:
            old, self.engine = self.engine, engine
            for runner in self._all:
                runner.engine = engine
        return old

    @contextmanager
    def lease(self) -> Iterator[JobRunner]:
        with self._lock:
            runner = self._idle.pop() if self._idle else None
        if runner is None:
            runner = JobRunner(self.store, self.data_dir, engine=self.engine)
            with self._lock:
                self._all.append(runner)
        try:
            yield runner
        finally:
            with self._lock:
                self._idle.append(runner)

    def __len__(self) -> int:
        with self._lock:
            return len(self._all)

    def close(self) -> None:
        """Stop every runner's child process; only once no worker is running."""
        with self._lock:
            runners, self._all, self._idle = self._all, [], []
        for runner in runners:
            runner.close()
        if self.engine is not None:
            self.engine.close()


class JobWorker(QRunnable):
    """Claims one pending job, runs it to its end and reports; then the runnable is done."""

    def __init__(self, runners: RunnerPool, signals: WorkerSignals, running: RunningJobs,
                 generation: int):
        super().__init__()
        self.runners = runners
        self.store = runners.store
        self.signals = signals
        self.running = running
        self.generation = generation

    def run(self) -> None:
        try:
            with self.store.session():  # a cursor for this job, closed when it ends
                self._run()
        except Exception as exc:  # never let an exception escape into Qt's thread pool
            log.exception("job worker stopped on an error")
            self.signals.crashed.emit(str(exc) if isinstance(exc, StoreError) else
                                      f"A job worker stopped on an unexpected error: "
                                      f"{type(exc).__name__}: {exc}".rstrip(": "))

    def _run(self) -> None:
        job = None if self.running.halted else self.store.claim_next()
        if job is None:
            self.signals.idle.emit(self.generation)
            return
        token = CancelToken()
        self.running.register(job.job_id, token)
        try:
            self.signals.started.emit(job)
            ended = self._run_job(job, token)
        finally:
            self.running.unregister(job.job_id)
        (self.signals.failed if ended.status == "failed" else self.signals.finished).emit(ended)

    def _run_job(self, job: Job, token: CancelToken) -> Job:
        if token.is_set:  # stopped before it began: no need to start an analysis
            if token.requeue:
                return self.store.requeue(job.job_id) or self.store.get_job(job.job_id)
            return self.store.finish(job.job_id, "cancelled")
        emitter = ThrottledEmitter(self.signals, job.job_id)
        with self.runners.lease() as runner:
            ended = runner.run_job(job, token, emitter)
        emitter.flush()
        return ended
