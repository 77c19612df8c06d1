"""One claimed job run as chunks on an engine (engines/): its chunks planned (or read back,
with those done), the unfinished ones sent to the engine's workers, what comes back stored
by this process alone, a failed chunk retried, and the tracks joined at the end.

A chunk is done once its last batch is stored, in the same transaction; a resumed job drops
what its unfinished chunks had stored and runs them again. A chunk that failed the same way
on two workers (or twice on the only one) fails the job with that chunk's sentence.
"""
from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import replace

from foresyte_desktop.core.analysis import AnalysisEnd, AnalysisRequest
from foresyte_desktop.core.chunks import Chunk, join_tracks, plan_chunks, renumbered
from foresyte_desktop.core.engines.pool import ChunkTask, WorkerPool
from foresyte_desktop.core.errors import ForesyteError
from foresyte_desktop.core.model import FrameResult, Job
from foresyte_desktop.core.store import JobStore
from foresyte_desktop.core.video import probe

MAX_ATTEMPTS = 4  # a chunk failing in ever new ways fails the job after this many tries
POLL_S = 0.05


def runs_in_chunks(store: JobStore, job: Job, engine: WorkerPool) -> bool:
    """Whether the job runs as chunks: on a cluster always; here when it makes more than
    one chunk for more than one worker. A job begun as chunks stays so, a job begun in one
    pass (it has a frame checkpoint) continues in one."""
    if job.checkpoint_frame is not None:
        return False
    if engine.name != "local" or store.has_chunk_plan(job.job_id):
        return True
    return engine.workers > 1 and len(_plan(job, probe(job.input_path), engine)) > 1


def _plan(job: Job, info, engine: WorkerPool) -> list[Chunk]:
    return plan_chunks(info.frame_count, info.fps, job.frame_stride, job.max_frames,
                       workers=engine.workers, chunk_s=engine.chunk_s)


class ChunkedRun:
    """Drives one job; `run()` returns (frames stored, the last chunk's AnalysisEnd or None
    when it was done before a resume), or raises ForesyteError when a chunk failed."""

    def __init__(self, store: JobStore, job: Job, request: AnalysisRequest, engine: WorkerPool,
                 *, should_stop: Callable[[], bool], progress: Callable | None,
                 batch_frames: int, batch_seconds: float):
        self.store, self.job, self.request, self.engine = store, job, request, engine
        self.should_stop, self.progress = should_stop, progress
        self.batch_frames, self.batch_seconds = batch_frames, batch_seconds
        self.stop = threading.Event()
        self.sink: queue.Queue = queue.Queue()
        self.attempts: dict[int, int] = {}  # chunk index: tries so far, this run
        # Measured for the benchmark: seconds from a worker taking each chunk to its end, and
        # the driver's own time storing what came back (its cost per stitched frame).
        self.chunk_seconds: dict[int, float] = {}
        self.driver_seconds = 0.0

    def run(self) -> tuple[int, AnalysisEnd | None]:
        job = self.job
        info = probe(job.input_path)
        rows = self.store.chunk_plan(job.job_id, _plan(job, info, self.engine))
        chunks = [Chunk(*row[:5]) for row in rows]
        todo = [chunk for chunk, row in zip(chunks, rows) if not row[5]]
        for chunk in todo:
            self.store.reset_chunk(job.job_id, chunk)
        total = sum(c.frames for c in chunks)
        self.store.begin(job.job_id, info, total)
        self.base = self.store.stored_frames(job.job_id)
        self.total = total
        self.counted: dict[int, int] = {}
        self.buffers: dict[int, list[FrameResult]] = {}
        self.committed_at: dict[int, float] = {}
        self.failures: dict[int, list[tuple[str, str]]] = {}
        self.ends: dict[int, AnalysisEnd] = {}
        if self.progress:
            self.progress(self.base, total, None)
        self.running: dict[int, ChunkTask] = {}
        for chunk in todo:
            self._submit(chunk, None)
        try:
            while self.running:
                if self.should_stop():
                    return self._done(), None
                try:
                    event = self.sink.get(timeout=POLL_S)
                except queue.Empty:
                    continue
                index = event.task.chunk.index
                if self.running.get(index) is not event.task:
                    continue  # from a try that was given up
                began = time.perf_counter()
                getattr(self, f"_on_{event.kind}")(event)
                self.driver_seconds += time.perf_counter() - began
        finally:
            self.stop.set()  # whatever is still queued or running for this job stops
            self.engine.release(job.job_id)
        began = time.perf_counter()
        stitch_tracks(self.store, job.job_id, chunks, job.frame_stride)
        self.driver_seconds += time.perf_counter() - began
        last = self.ends.get(chunks[-1].index)
        if last is not None:
            stats: dict = {}
            for end in self.ends.values():
                for key, value in end.stats.items():
                    stats[key] = stats.get(key, 0) + value
            last = replace(last, stats=stats)
        return self._done(), last

    def _done(self) -> int:
        return self.base + sum(self.counted.values())

    def _submit(self, chunk: Chunk, avoid: str | None) -> None:
        self.attempts[chunk.index] = self.attempts.get(chunk.index, 0) + 1
        self.counted[chunk.index] = 0
        self.buffers[chunk.index] = []
        self.committed_at[chunk.index] = time.monotonic()
        request = replace(self.request, start=chunk.start, end=chunk.end,
                          max_frames=chunk.max_frames, first_track_id=chunk.first_track_id)
        task = ChunkTask(self.job.job_id, chunk, self.attempts[chunk.index], request, self.sink,
                         self.stop, self.job.input_size, avoid)
        self.running[chunk.index] = task
        self.engine.submit(task)

    def _on_frames(self, event) -> None:
        index = event.task.chunk.index
        buffer = self.buffers[index]
        for result in event.payload:
            buffer.append(result)
            self.counted[index] += 1
            if self.progress:
                self.progress(self._done(), self.total, result)
        if len(buffer) >= self.batch_frames or \
                time.monotonic() - self.committed_at[index] >= self.batch_seconds:
            self._commit(event.task.chunk, done=False)

    def _on_end(self, event) -> None:
        self._commit(event.task.chunk, done=True)
        self.ends[event.task.chunk.index] = event.payload
        self.chunk_seconds[event.task.chunk.index] = time.monotonic() - event.task.started
        del self.running[event.task.chunk.index]

    def _on_error(self, event) -> None:
        chunk, message = event.task.chunk, str(event.payload)
        failures = self.failures.setdefault(chunk.index, [])
        failures.append((message, event.worker))
        same = [worker for text, worker in failures if text == message]
        if len(set(same)) >= 2 or (len(same) >= 2 and self.engine.workers == 1) or \
                self.attempts[chunk.index] >= MAX_ATTEMPTS:
            raise ForesyteError(message)
        self.store.reset_chunk(self.job.job_id, chunk)
        self._submit(chunk, event.worker)

    def _commit(self, chunk: Chunk, *, done: bool) -> None:
        self.store.commit_chunk(self.job.job_id, chunk, self.buffers[chunk.index],
                                frames_done=self._done(), done=done)
        self.buffers[chunk.index] = []
        self.committed_at[chunk.index] = time.monotonic()


def stitch_tracks(store: JobStore, job_id: str, chunks: list[Chunk], stride: int) -> None:
    """Number a chunked job's tracks 1 up in order of first sighting, each track that crosses
    a chunk boundary one track (chunks.join_tracks); running it again changes nothing."""
    first_seen = store.track_first_frames(job_id)
    if not first_seen:
        return
    joins: dict[int, int] = {}
    for chunk in chunks[1:]:
        frames = list(store.frame_results(job_id, first=chunk.start - stride, last=chunk.start))
        before = [f for f in frames if f.frame_index < chunk.start]
        after = [f for f in frames if f.frame_index >= chunk.start]
        if before and after:
            joins.update(join_tracks(before[-1].detections, after[0].detections))
    store.renumber_tracks(job_id, renumbered(first_seen, joins))
