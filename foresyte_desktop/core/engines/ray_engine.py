"""`ray`: chunks analysed by actors on a Ray cluster, which the driver (this process, the only
one writing the store) feeds from the jobs it claimed.

Each actor loads its models once and streams a chunk's FrameResults back through a Ray
streaming generator, in batches (`batch` frames or PIPE_BATCH_S, as over the local pipe;
`make bench-scale` compares the batch sizes). An actor or node that dies raises on the
driver's side of the stream: that chunk goes back to the queue and a fresh actor replaces the
dead one. A worker that cannot see the job's file (another computer, no shared folder) is
sent the file's bytes: put into the object store once per job, fetched once per actor and
kept in a temporary file there until the actor moves on to another job's file.
"""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

import ray

from foresyte_desktop.core.analysis import PIPE_BATCH_FRAMES, PIPE_BATCH_S, Analysis
from foresyte_desktop.core.chunks import CHUNK_S
from foresyte_desktop.core.engines.pool import ChunkTask, WorkerLost, WorkerPool
from foresyte_desktop.core.errors import ForesyteError

log = logging.getLogger(__name__)


class ChunkActor:
    """One worker on the cluster; plain Python here, a Ray actor through `ray.remote`."""

    def __init__(self) -> None:
        self._copy: tuple[str, str] | None = None  # (object id, local file) of a sent file

    def pid(self) -> int:
        return os.getpid()

    def node(self) -> str:
        return ray.get_runtime_context().get_node_id()

    def sees(self, path: str, size: int | None) -> bool:
        """Whether this worker reads the queued file at `path` (the same size as queued)."""
        try:
            return size is None or os.stat(path).st_size == size
        except OSError:
            return False

    def run(self, request, sent: list | None, batch: int):
        """("frames", [FrameResult]) in batches, then ("end", AnalysisEnd); or ("error", its
        sentence). `sent`: [ObjectRef of the file's bytes] when this worker cannot see it."""
        if sent is not None:
            path, fetched = self._local_copy(sent[0], Path(request.input_path).name)
            if fetched:
                yield "fetched", fetched
            request = replace(request, input_path=path)
        try:
            analysis = Analysis(request)
        except ForesyteError as exc:
            yield "error", str(exc)
            return
        try:
            out, since = [], time.monotonic()
            for result in analysis.results():
                out.append(result)
                if len(out) >= batch or time.monotonic() - since >= PIPE_BATCH_S:
                    yield "frames", out
                    out, since = [], time.monotonic()
            if out:
                yield "frames", out
            yield "end", analysis.end()
        except ForesyteError as exc:
            yield "error", str(exc)
        finally:
            analysis.close()

    def _local_copy(self, ref, name: str) -> tuple[str, int]:
        """The sent file on this worker's disk, under its own name (messages name it), and
        how many bytes were fetched for it (0 when this actor has it already)."""
        key = ref.hex()
        if self._copy and self._copy[0] == key:
            return self._copy[1], 0
        self.cleanup()
        data = ray.get(ref)
        folder = tempfile.mkdtemp(prefix="foresyte-chunk-")
        path = os.path.join(folder, name)
        with open(path, "wb") as fh:
            fh.write(data)
        self._copy = (key, path)
        return path, len(data)

    def cleanup(self) -> None:
        if self._copy:
            shutil.rmtree(os.path.dirname(self._copy[1]), ignore_errors=True)
            self._copy = None


class _RayWorker:
    def __init__(self, name: str, engine: "RayEngine"):
        self.name = name
        self.engine = engine
        self.actor = engine._actor_class.remote()
        self._sees: dict[str, bool] = {}
        try:
            self.pid, self.node = ray.get([self.actor.pid.remote(), self.actor.node.remote()])
        except ray.exceptions.RayError as exc:
            raise WorkerLost(f"A Ray worker could not be started ({_first_line(exc)}).") from None

    def run(self, task: ChunkTask):
        request = task.request
        name = Path(request.input_path).name
        try:
            if self.engine.ship == "always" or not self._sees.setdefault(
                    request.input_path,
                    ray.get(self.actor.sees.remote(request.input_path, task.input_size))):
                sent = [self.engine.file_ref(request.input_path, task.job_id)]
            else:
                sent = None
            stream = self.actor.run.remote(request, sent, self.engine.batch)
            for ref in stream:
                if task.stop.is_set():
                    ray.cancel(stream)
                    return
                kind, payload = ray.get(ref)
                if kind == "fetched":
                    self.engine.count_fetch(self.node, payload)
                elif kind == "error":
                    raise ForesyteError(payload)
                else:
                    yield kind, payload
        except (ray.exceptions.RayActorError, ray.exceptions.ObjectLostError,
                ray.exceptions.NodeDiedError, ray.exceptions.WorkerCrashedError) as exc:
            log.error("Ray worker %s died on %s: %s", self.name, name, _first_line(exc))
            raise WorkerLost(f"The Ray worker analysing “{name}” from {task.chunk.start} "
                             f"died ({type(exc).__name__}); the chunk runs again "
                             "elsewhere.") from None

    def close(self) -> None:
        try:
            ray.get(self.actor.cleanup.remote(), timeout=5)
        except Exception:  # a dead actor has nothing left to clean
            pass
        ray.kill(self.actor)


class RayEngine(WorkerPool):
    """Connects to the cluster at `address` (unless this process already is connected)."""

    name = "ray"

    def __init__(self, address: str | None, workers: int | None = None, *,
                 batch: int = PIPE_BATCH_FRAMES, ship: str = "auto", chunk_s: float = CHUNK_S):
        if not ray.is_initialized():
            if not address:
                raise ForesyteError("The ray engine needs the cluster's address: give "
                                    "--ray-address HOST:PORT (what `ray start --head` "
                                    "printed), or set RAY_ADDRESS.")
            try:
                ray.init(address=address, log_to_driver=False, configure_logging=False)
            except Exception as exc:
                raise ForesyteError(f"Could not connect to the Ray cluster at {address} "
                                    f"({_first_line(exc)}).") from None
        if workers is None:
            workers = max(1, int(ray.cluster_resources().get("CPU", 1)))
        super().__init__(workers, chunk_s=chunk_s)
        self.batch = max(1, batch)
        self.ship = ship  # "auto": the file to workers that cannot see it; "always": to all
        self._actor_class = ray.remote(num_cpus=1, max_restarts=0)(ChunkActor)
        self._files: dict[str, tuple[str, object]] = {}  # job id: (path, ObjectRef)
        self._files_lock = threading.Lock()
        self.bytes_put = 0  # into the object store, by this driver
        self.bytes_fetched = 0  # out of it, by actors on other nodes than the driver's
        self._driver_node = ray.get_runtime_context().get_node_id()

    def _new_worker(self, name: str) -> _RayWorker:
        return _RayWorker(name, self)

    def file_ref(self, path: str, job_id: str):
        """The job's file in the object store, put there on first need."""
        with self._files_lock:
            held = self._files.get(job_id)
            if held is None:
                try:
                    data = Path(path).read_bytes()
                except OSError as exc:
                    raise ForesyteError(f"“{Path(path).name}” could not be read to send it to "
                                        f"the Ray workers ({exc.strerror or exc}).") from None
                held = self._files[job_id] = (path, ray.put(data))
                self.bytes_put += len(data)
            return held[1]

    def release(self, job_id: str) -> None:
        """The job ended: its file may leave the object store."""
        with self._files_lock:
            self._files.pop(job_id, None)

    def count_fetch(self, node: str, size: int) -> None:
        with self._files_lock:
            if node != self._driver_node:
                self.bytes_fetched += size


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
