"""The library: the one object between the window's widgets and the job store.

Widgets ask it for data and for actions. Every store call runs on a task lane, never on the
GUI thread, and the answer comes back on the GUI thread, to the callback given or as a signal.
An import-linter contract (pyproject.toml) keeps the store out of every ui module.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from foresyte_desktop.core import cases, decode_process, notes, review, search
from foresyte_desktop.core.annotate import thumbnail
from foresyte_desktop.core.errors import ReviewError
from foresyte_desktop.core.exporters import write_export
from foresyte_desktop.core.formatting import plural
from foresyte_desktop.core.model import FrameResult, Job
from foresyte_desktop.core.model_trust import untrusted_sha
from foresyte_desktop.core.results import build_results
from foresyte_desktop.core.review_apply import ReviewView, review_view
from foresyte_desktop.core.segments import merge_segments
from foresyte_desktop.core.tracks import build_tracks
from foresyte_desktop.workers.job_queue import JobQueue
from foresyte_desktop.workers.tasks import TaskLane
from foresyte_desktop.workers.video_export import VideoExporter
from foresyte_desktop.workers.watching import Watching

Done = Callable[[Any], None]
Failed = Callable[[str], None]


class Library(QObject):
    """The queue, the readers and the exporters of one store.

    `queue` holds the jobs and every action on them; `video_exporter` writes annotated MP4s;
    `watching` runs the watch folders and reads and marks alerts.
    Results and exports share a lane of reads; search and thumbnails have one of their own,
    so typing in the Find panel never waits behind a long load.
    """

    failed = Signal(str)      # a background read or export failed: a sentence
    exported = Signal(str)    # an export was written: a sentence saying what and where

    def __init__(self, store, data_dir: Path, parent: QObject | None = None):
        super().__init__(parent)
        self._store = store
        self.data_dir = Path(data_dir)
        self.queue = JobQueue(store, self.data_dir, self)
        self.video_exporter = VideoExporter(store, self)
        self.watching = Watching(store, self.queue, self)  # watch folders and alerts
        self._reads = TaskLane(self, session=store.session)
        self._reads.failed.connect(self.failed)
        self._finds = TaskLane(self, session=store.session)

    def jobs(self) -> list[Job]:
        """Every job in queue order. The one read on the GUI thread: the window opens with
        its list filled, before it is shown."""
        return self._store.list_jobs()

    # -- model files ------------------------------------------------------------------------

    def check_model(self, path: str | None, on_done: Done) -> None:
        """`on_done(sha)`: the SHA-256 of `path` when it is a .pt file not trusted yet, else
        None. In the queue's lane, so files queued next see the answer."""
        self.queue.lane.submit(untrusted_sha, self._store, path, on_done=on_done)

    def trust_model(self, sha256: str, path: str) -> None:
        self.queue.lane.submit(self._store.trust_model, sha256, path)

    # -- results ----------------------------------------------------------------------------

    def load_results(self, job_id: str, first: int, known: dict[int, FrameResult],
                     summarise: bool, on_done: Done, on_error: Failed) -> None:
        """`on_done((fresh, segments, tracks, review))`: the stored frames from `first` on
        and, with `summarise`, the text segments and tracks of those and the `known` frames
        together (None otherwise). For a completed job `review` is its ReviewView, whose
        segments and tracks those are; else None."""
        def load() -> tuple[list[FrameResult], list[dict] | None, list[dict] | None,
                            ReviewView | None]:
            fresh = list(self._store.frame_results(job_id, first=first))
            if not summarise and not fresh:
                return fresh, None, None, None
            known.update((f.frame_index, f) for f in fresh)
            ordered = [known[i] for i in sorted(known)]
            job = self._store.get_job(job_id)
            if job is not None and job.status == "completed":
                view = review_view(self._store, job, ordered)
                return fresh, view.segments, view.tracks, view
            return fresh, merge_segments(ordered), build_tracks(ordered), None
        self._reads.submit(load, on_done=on_done, on_error=on_error)

    # -- review -----------------------------------------------------------------------------

    def reviewed(self, job_id: str, frames: list[FrameResult], on_done: Done,
                 on_error: Failed) -> None:
        """`on_done(view)`: the ReviewView of a completed job whose machine frames (all of them,
        in order) are `frames`."""
        def work() -> ReviewView:
            return review_view(self._store, self._completed(job_id), frames)
        self._reads.submit(work, on_done=on_done, on_error=on_error)

    def call(self, action: Callable[..., Any], *args: Any, on_done: Done,
             on_error: Failed) -> None:
        """`action(store, *args)`, a core function on the store (a review action, undo,
        redo, a note, a case), in the lane of reads, so a load asked for after it sees its
        effect. `on_done(what it returned)`, or `on_error(its ForesyteError's sentence)`."""
        self._reads.submit(action, self._store, *args, on_done=on_done, on_error=on_error)

    def review_progress(self, job_ids: list[str], on_done: Done) -> None:
        """`on_done({job id: Progress})` for those of `job_ids` that are completed."""
        def work() -> dict[str, review.Progress]:
            out = {}
            for job_id in job_ids:
                job = self._store.get_job(job_id)
                if job is not None and job.status == "completed":
                    out[job_id] = review.progress(review.open_review(self._store, job))
            return out
        self._reads.submit(work, on_done=on_done)

    def jobs_with_edits(self, job_ids: list[str], on_done: Done) -> None:
        """`on_done(ids)`: those of `job_ids` whose current run has review edits in effect."""
        def work() -> list[str]:
            return [j for j in job_ids if review.has_edits(self._store, j)]
        self._reads.submit(work, on_done=on_done)

    def _completed(self, job_id: str) -> Job:
        job = self._store.get_job(job_id)
        if job is None or job.status != "completed":
            raise ReviewError("The job is no longer completed; it can be reviewed again once "
                              "it completes.")
        return job

    def export(self, job_id: str, fmt: str, path: Path) -> None:
        """Write a job's results as `fmt` (one of exporters.FORMATS) through a temporary file;
        `exported` or `failed` says how it went."""
        def work() -> str:
            doc = build_results(self._store, self._store.get_job(job_id))
            write_export(doc, fmt, path)
            return (f"Exported {plural(len(doc['text_segments']), 'text segment')} from "
                    f"{plural(len(doc['results']), 'frame')} to {path}.")
        self._reads.submit(work, on_done=self.exported.emit)

    def in_background(self, fn: Callable[..., Any], *args: Any, on_done: Done) -> None:
        """Other slow work for the window (a timeline, a PNG), on the lane of reads."""
        self._reads.submit(fn, *args, on_done=on_done)

    # -- search -----------------------------------------------------------------------------

    def prepare_search(self, on_error: Failed) -> None:
        """Load the search index now, so that the first search is quick."""
        self._finds.submit(search.prepare, self._store, on_error=on_error)

    def search(self, text: str, on_done: Done, on_error: Failed, *,
               case: str | None = None) -> None:
        """`on_done((hits, note_hits))`: the SearchHits for `text` across every job (or the
        jobs of `case`), and the NoteHits of the notes that hold it."""
        def work() -> tuple[list[search.SearchHit], list[notes.NoteHit]]:
            job_ids = cases.case_job_ids(self._store, case) if case is not None else None
            return (search.search(self._store, text, case=case),
                    notes.find_notes(self._store, text, job_ids=job_ids))
        self._finds.submit(work, on_done=on_done, on_error=on_error)

    def thumbnail(self, hit: search.SearchHit, on_done: Done) -> None:
        """`on_done(image)`: the hit's frame with its line outlined, decoded and drawn in the
        decode child process; nothing if it fails."""
        self._finds.submit(decode_process.shared().call, thumbnail, hit.video_path,
                           hit.frame_index, hit.box, on_done=on_done,
                           on_error=lambda _message: None)

    def wait(self, msecs: int = -1) -> bool:
        """Block until the lanes are idle (closing and tests only); False on timeout."""
        return self._reads.wait(msecs) and self._finds.wait(msecs)
