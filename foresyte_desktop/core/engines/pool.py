"""A pool of chunk workers, each on a thread of its own, fed from one task queue.

A worker runs one chunk at a time and streams its results to the task's sink; the driver
(chunked_run.py) reads the sink and writes the store. A worker that dies (`WorkerLost`) is
replaced by a fresh one under a new name, so a chunk retried after it runs elsewhere; a task
that failed on a worker waits, briefly, for another one to take it.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from foresyte_desktop.core.analysis import AnalysisRequest
from foresyte_desktop.core.chunks import CHUNK_S, Chunk
from foresyte_desktop.core.errors import ForesyteError

log = logging.getLogger(__name__)

AVOID_S = 1.0  # how long a retried chunk waits for a worker other than the one it failed on


class WorkerLost(ForesyteError):
    """The worker died (a crashed process, a dead actor or node); its sentence says how."""


@dataclass(eq=False)
class ChunkTask:
    job_id: str
    chunk: Chunk
    attempt: int
    request: AnalysisRequest
    sink: queue.Queue  # ChunkEvents, read by the job's driver
    stop: threading.Event  # set when the job is cancelled, interrupted or failed
    input_size: int | None = None  # the file as queued: a worker must see this one
    avoid: str | None = None  # the worker the chunk failed on last
    since: float = field(default_factory=time.monotonic)  # when it was queued
    started: float | None = None  # when a worker took it


@dataclass
class ChunkEvent:
    task: ChunkTask
    kind: str  # "frames" (a list of FrameResult), "end" (AnalysisEnd), "error" (a sentence)
    payload: object
    worker: str


class WorkerPool:
    """`workers` slots; subclasses make the workers (`_new_worker`)."""

    name = ""

    def __init__(self, workers: int, *, chunk_s: float = CHUNK_S):
        self.workers = max(1, int(workers))
        self.chunk_s = chunk_s  # video seconds per chunk (chunks.plan_chunks)
        self._queue: queue.Queue = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self.live: dict[int, object] = {}  # slot: its worker now, once it made one

    def describe(self) -> str:
        """What the window and the CLI show: "local, 4 workers"."""
        return f"{self.name}, {self.workers} worker{'s' if self.workers != 1 else ''}"

    def submit(self, task: ChunkTask) -> None:
        with self._lock:
            while len(self._threads) < self.workers:
                slot = len(self._threads) + 1
                thread = threading.Thread(target=self._loop, args=(slot,), daemon=True,
                                          name=f"foresyte-{self.name}-{slot}")
                self._threads.append(thread)
                thread.start()
        self._queue.put(task)

    def release(self, job_id: str) -> None:
        """The job ended: let go of what was kept for it."""

    def close(self) -> None:
        """Stop every worker once its chunk in flight is done or stopped."""
        with self._lock:
            threads, self._threads = self._threads, []
        for _ in threads:
            self._queue.put(None)
        for thread in threads:
            thread.join()

    def _new_worker(self, name: str):
        raise NotImplementedError

    def _loop(self, slot: int) -> None:
        worker, generation = None, 0
        try:
            while (task := self._queue.get()) is not None:
                if task.stop.is_set():
                    continue
                if task.avoid is not None and worker is not None and \
                        worker.name == task.avoid and self.workers > 1 and \
                        time.monotonic() - task.since < AVOID_S:
                    self._queue.put(task)  # for another worker, if one is free soon
                    time.sleep(0.02)
                    continue
                try:
                    if worker is None:
                        generation += 1
                        worker = self._new_worker(f"{self.name}-{slot}" +
                                                  (f".{generation}" if generation > 1 else ""))
                        self.live[slot] = worker
                    task.started = time.monotonic()
                    for kind, payload in worker.run(task):
                        task.sink.put(ChunkEvent(task, kind, payload, worker.name))
                except ForesyteError as exc:
                    who = worker.name if worker is not None else f"{self.name}-{slot}"
                    task.sink.put(ChunkEvent(task, "error", str(exc), who))
                    if isinstance(exc, WorkerLost) and worker is not None:
                        worker.close()
                        worker = None
                except Exception as exc:  # the chunk fails, never the pool
                    log.exception("chunk worker of slot %d failed", slot)
                    who = worker.name if worker is not None else f"{self.name}-{slot}"
                    task.sink.put(ChunkEvent(task, "error", _unexpected(task, exc), who))
                    if worker is not None:
                        worker.close()
                    worker = None
        finally:
            if worker is not None:
                worker.close()


def _unexpected(task: ChunkTask, exc: Exception) -> str:
    first = str(exc).splitlines()[0] if str(exc) else ""
    return (f"Analysing “{Path(task.request.input_path).name}” stopped on an unexpected "
            f"error: {type(exc).__name__}{': ' + first if first else ''}")


def frames_of(items: Iterator) -> Iterator[tuple[str, object]]:
    """("frames", [result]) and ("end", AnalysisEnd) from an analysis stream (analysis.py's
    protocol), its start message left out: the driver has planned the job already."""
    from foresyte_desktop.core.analysis import AnalysisEnd
    from foresyte_desktop.core.model import FrameResult
    for item in items:
        if isinstance(item, FrameResult):
            yield "frames", [item]
        elif isinstance(item, AnalysisEnd):
            yield "end", item
