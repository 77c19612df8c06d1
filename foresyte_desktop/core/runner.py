"""The job runner: claim a job from the store, run its frames through its pipeline, store results.

The analysis itself runs in a supervised child process (analysis_process.py); only this side
writes the store. Results are committed in batches together with the job's checkpoint, so a
job stopped at any moment continues from its last batch. Progress goes to a plain callback; a
cancel token stops the job after the frame in flight.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path

from foresyte_desktop.core.analysis import AnalysisEnd, AnalysisRequest, run_in_process
from foresyte_desktop.core.analysis_process import AnalysisProcess
from foresyte_desktop.core.errors import ForesyteError
from foresyte_desktop.core.model import FrameResult, Job
from foresyte_desktop.core.model_trust import check_trusted
from foresyte_desktop.core.paths import output_dir
from foresyte_desktop.core.pipelines import PIPELINES, Pipeline
from foresyte_desktop.core.pipelines.yolo import resolve_model
from foresyte_desktop.core.report import ReportError, checked_sha256
from foresyte_desktop.core.results import build_results, write_json
from foresyte_desktop.core.store import JobStore, fingerprint, utcnow
from foresyte_desktop.core.watchlists import check_job

log = logging.getLogger(__name__)

BATCH_FRAMES = 50
BATCH_SECONDS = 2.0


class CancelToken:
    """Set from any thread; the runner checks it between frames.

    `cancel()` ends the job as cancelled. `interrupt()` (quit, pause, Ctrl+C) leaves it pending
    at its checkpoint, so it resumes on the next start.
    """

    def __init__(self) -> None:
        self._event = threading.Event()
        self.requeue = False

    def cancel(self) -> None:
        self._event.set()

    def interrupt(self) -> None:
        self.requeue = True
        self._event.set()

    @property
    def is_set(self) -> bool:
        return self._event.is_set()


@dataclass
class Progress:
    job_id: str
    frames_done: int
    frames_total: int
    frame: FrameResult | None = None  # the result just computed, for live review


ProgressFn = Callable[[Progress], None]


class JobRunner:
    """Runs jobs from one store. One runner per worker thread; the store is shared."""

    def __init__(self, store: JobStore, data_dir: Path, *, isolate: bool = True,
                 batch_frames: int | None = None, batch_seconds: float | None = None,
                 engine=None):
        """isolate: analyse in a supervised child process (see analysis_process.py), so that
        a crash in native code fails the job instead of the app. engine: an engine of
        engines/ that runs jobs as chunks (chunked_run.py) when it has more than one worker
        or a job was chunked before; its owner closes it. Call close() when done."""
        self.store = store
        self.engine = engine
        self.data_dir = Path(data_dir)
        self.batch_frames = batch_frames or BATCH_FRAMES
        self.batch_seconds = batch_seconds or BATCH_SECONDS
        self._process = AnalysisProcess() if isolate else None
        self.last_stats: dict = {}
        self.last_results: dict | None = None  # the results document of the last completed job
        self.last_chunked = None  # the chunked_run.ChunkedRun of the last chunked job

    def close(self) -> None:
        """Stop the analysis child process, if any."""
        if self._process:
            self._process.close()

    def __enter__(self) -> "JobRunner":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def run_next(self, cancel: CancelToken | None = None, progress: ProgressFn | None = None,
                 job_ids: Iterable[str] | None = None) -> Job | None:
        """Claim and run the next pending job; returns it as it ended, or None if none was left."""
        job = self.store.claim_next(job_ids)
        if job is None:
            return None
        return self.run_job(job, cancel or CancelToken(), progress)

    def run_job(self, job: Job, cancel: CancelToken, progress: ProgressFn | None = None) -> Job:
        """Run a job already claimed (status running) to its end; returns it as it ended."""
        name = Path(job.input_path).name
        self.last_results = None
        try:
            return self._analyse(job, cancel, progress)
        except ForesyteError as exc:
            message = str(exc)
        except MemoryError:
            message = f"Ran out of memory while analysing “{name}”. Try a larger frame stride."
        except Exception as exc:  # the job fails, never the app; the log keeps the traceback
            log.exception("job %s failed unexpectedly", job.job_id)
            first_line = str(exc).splitlines()[0] if str(exc) else ""
            message = (f"Analysing “{name}” stopped on an unexpected error: "
                       f"{type(exc).__name__}: {first_line}".rstrip(": "))
        return self.store.finish(job.job_id, "failed", error_message=message)

    def _analyse(self, job: Job, cancel: CancelToken, progress: ProgressFn | None) -> Job:
        name = Path(job.input_path).name
        if job.input_size is not None and fingerprint(job.input_path) != (job.input_size,
                                                                          job.input_mtime):
            raise ForesyteError(f"“{name}” was changed, moved or deleted after it was queued; "
                                "add it again to analyse the file as it is now.")
        model_path, model_sha = self._model_for(job)
        resuming = job.checkpoint_frame is not None
        done = job.frames_done if resuming else 0
        request = AnalysisRequest(
            input_path=job.input_path, pipeline_id=job.pipeline_id, model_path=model_path,
            data_dir=str(self.data_dir), stride=job.frame_stride,
            max_frames=job.max_frames - done if job.max_frames else None,
            start=job.checkpoint_frame + job.frame_stride if resuming else 0,
            roi=job.roi, model_sha256=model_sha,
            first_track_id=self.store.next_track_id(job.job_id) if resuming else 1,
            resume_state=self.store.resume_state(job.job_id) if resuming else None)
        should_stop = lambda: cancel.is_set  # noqa: E731
        if self._chunked(job):
            return self._conclude(job, cancel, *self._run_chunks(job, request, should_stop,
                                                                  progress))
        stream = self._process.run(request, should_stop) if self._process \
            else run_in_process(request, should_stop)
        batch: list[FrameResult] = []
        last_commit = time.monotonic()
        checkpoint = job.checkpoint_frame
        total, end = 0, None
        # Closed however the loop ends, so a failure here never leaves the child streaming
        # this job's frames to the next one.
        with closing(stream):
            for item in stream:
                if isinstance(item, FrameResult):
                    batch.append(item)
                    done += 1
                    total = max(total, done)
                    if progress:
                        progress(Progress(job.job_id, done, total, item))
                    if len(batch) >= self.batch_frames or \
                            time.monotonic() - last_commit >= self.batch_seconds:
                        checkpoint = self._commit(job, batch, done)
                        batch, last_commit = [], time.monotonic()
                elif isinstance(item, AnalysisEnd):
                    end = item
                else:  # ("start", video info, planned frame count)
                    _, info, total = item
                    self.store.begin(job.job_id, info, total)
                    if progress:
                        progress(Progress(job.job_id, done, total))
        if batch:
            checkpoint = self._commit(job, batch, done)
        return self._conclude(job, cancel, done, end, checkpoint)

    def _chunked(self, job: Job) -> bool:
        from foresyte_desktop.core.chunked_run import runs_in_chunks
        return self.engine is not None and runs_in_chunks(self.store, job, self.engine)

    def _run_chunks(self, job: Job, request: AnalysisRequest, should_stop,
                    progress: ProgressFn | None) -> tuple[int, AnalysisEnd | None, None]:
        from foresyte_desktop.core.chunked_run import ChunkedRun
        report = (lambda done, total, frame: progress(Progress(job.job_id, done, total, frame))
                  ) if progress else None
        self.last_chunked = ChunkedRun(self.store, job, request, self.engine,
                                       should_stop=should_stop, progress=report,
                                       batch_frames=self.batch_frames,
                                       batch_seconds=self.batch_seconds)
        done, end = self.last_chunked.run()
        return done, end, None

    def _conclude(self, job: Job, cancel: CancelToken, done: int, end: AnalysisEnd | None,
                  checkpoint: int | None) -> Job:
        """The job's end once its frames are stored: requeued, cancelled, or its output."""
        name = Path(job.input_path).name
        self.last_stats = end.stats if end else {}
        if cancel.is_set:
            if cancel.requeue:
                return self.store.requeue(job.job_id) or self.store.get_job(job.job_id)
            return self.store.finish(job.job_id, "cancelled")
        unreadable = max(0, end.frame_count - end.frames_decoded) if end else 0
        warning = None
        if unreadable > 1 and (job.max_frames is None or done < job.max_frames):
            # The container promised more frames than the decoder could give.
            warning = (f"{unreadable} of {end.frame_count} frames of “{name}” could not "
                       "be decoded; the results cover the frames that could.")
        else:
            unreadable = 0
        self.store.set_total(job.job_id, done, unreadable_frames=unreadable)
        return self._write_output(
            replace(job, frames_done=done, frames_total=done, checkpoint_frame=checkpoint,
                    unreadable_frames=unreadable), warning)

    def _model_for(self, job: Job) -> tuple[str | None, str | None]:
        """The weights file the job will load, and its hash if it is a trusted pickle.
        Resolved here, in the process that holds the user's confirmations."""
        if not PIPELINES.get(job.pipeline_id, Pipeline).needs_model:
            return job.model_path, None
        path = resolve_model(job.model_path, self.data_dir)
        return path, check_trusted(self.store, path) if Path(path).is_file() else None

    def _commit(self, job: Job, batch: list[FrameResult], done: int) -> int:
        """Store a batch with the job's checkpoint, its last frame; returns the checkpoint."""
        checkpoint = batch[-1].frame_index
        self.store.commit_batch(job.job_id, batch, frames_done=done, checkpoint_frame=checkpoint)
        return checkpoint

    def _write_output(self, job: Job, warning: str | None) -> Job:
        """Write the JSON first, then mark the job completed: a crash in between leaves the
        job to resume (with nothing left to analyse), never a completed job without output.
        `job` is the running job as the store now holds it."""
        job_id = job.job_id
        path = output_dir(self.data_dir) / f"{job_id}.json"
        job = replace(job, status="completed", finished_at=utcnow(), error_message=warning,
                      output_path=str(path))
        doc = build_results(self.store, job)
        # Recognised text is private: it reaches the log only when debug logging is on.
        log.info("job %s completed: %d frames, %d text segments", job_id, len(doc["results"]),
                 len(doc["text_segments"]))
        log.debug("job %s read: %s", job_id, [s["text"] for s in doc["text_segments"]])
        try:
            write_json(doc, path)
        except OSError as exc:
            raise ForesyteError(f"The results could not be saved to {path}: "
                                f"{exc.strerror or exc}.") from exc
        self.last_results = doc
        done = self.store.finish(job_id, "completed", error_message=warning,
                                 output_path=str(path), finished_at=job.finished_at)
        check_job(self.store, job_id)  # its watchlist hits are stored as alerts
        try:  # the file's SHA-256 as analysed, which every report of this run must match
            checked_sha256(self.store, done)
        except ReportError as exc:  # changed while it was read: its reports will say so
            log.warning("job %s: %s", job_id, exc)
        return done
