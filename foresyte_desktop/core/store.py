"""The job store: one DuckDB file whose `jobs` table is the queue, plus per-frame results.

Nothing else holds job state. Each unit of work (a worker's job, a background task) talks
through a cursor of its own, opened by `session()` and closed when the work ends; a thread
outside any session gets one cursor of its own. Write transactions that collide are retried.
Opening the store moves jobs a crash left `running` back to `pending`, so they run again from
their last checkpoint.
"""
from __future__ import annotations

import logging
import os
import random
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb

from foresyte_desktop.core.errors import StoreError, StoreLockedError
from foresyte_desktop.core.migrations import migrate
from foresyte_desktop.core.model import (
    Detection, FrameResult, Job, JobSpec, OcrLine, VideoInfo,
)
from foresyte_desktop.core.paths import DB_NAME

log = logging.getLogger(__name__)

JOB_COLUMNS = (
    "job_id, status, pipeline_id, frame_stride, max_frames, model_path, input_path, input_size, "
    "input_mtime, output_path, error_message, frames_done, frames_total, checkpoint_frame, "
    "resume_count, unreadable_frames, created_at, started_at, finished_at, updated_at, roi"
)
# updated_at must change on every write even when two land in the same clock tick.
TOUCH = "updated_at = greatest(?, updated_at + INTERVAL 1 MICROSECOND)"
RESULT_TABLES = ("frames", "ocr_lines", "detections", "videos", "alerts", "job_chunks")
# A retry keeps these (its earlier run's edits stay in the log); removing the job drops them.
REVIEW_TABLES = ("review_runs", "review_items", "review_lines", "review_log")
# The same for a job's case and the hashes of its input file (cases.py, report.py).
CASE_TABLES = ("case_jobs", "input_hashes")
CONFLICT_RETRIES = 200
CLOSE_RETRIES = 100  # 50 ms apart: how long a close waits for a query in flight to end


def utcnow() -> datetime:
    """Naive UTC: DuckDB TIMESTAMP has no zone, and every timestamp in the store is UTC."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _row_to_job(row: tuple) -> Job:
    values = list(row)
    values[0] = str(values[0])
    return Job(*values)


class JobStore:
    """The one source of truth for jobs. Safe to share between threads of one process."""

    def __init__(self, db_path: Path):
        self.path = Path(db_path)
        if _wipe_marker(self.path).exists():  # killed after a removal, before the rewrite
            _rewrite_without_freed_blocks(self.path)
        self._conn = _connect(self.path)
        self._local = threading.local()
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        self._cursors_lock = threading.Lock()
        self.closed = False
        cur = self._cursor()
        migrate(cur)
        self.recovered = self._requeue_interrupted()

    @classmethod
    def open(cls, data_dir: Path) -> "JobStore":
        return cls(Path(data_dir) / DB_NAME)

    # -- plumbing ---------------------------------------------------------------------------

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        """The cursor of this thread's session, or else this thread's own: a DuckDB connection
        must not be shared across threads."""
        cur = getattr(self._local, "session", None) or getattr(self._local, "cur", None)
        if cur is None:
            cur = self._local.cur = self._open_cursor()
        return cur

    def _open_cursor(self) -> duckdb.DuckDBPyConnection:
        with self._cursors_lock:
            if self.closed:
                raise StoreError("The job database is closed.")
            cur = self._conn.cursor()
            self._cursors.append(cur)
        return cur

    @contextmanager
    def session(self) -> Iterator[None]:
        """One unit of work on this thread: its store calls share a cursor, closed at the end.

        Qt's pool threads can come back to Python with a fresh thread state, so a cursor kept
        per thread would be orphaned (and kept open) after every task; a session's is not.
        Nested sessions share the outer one's cursor.
        """
        if getattr(self._local, "session", None) is not None:
            yield
            return
        cur = self._local.session = self._open_cursor()
        try:
            yield
        finally:
            self._local.session = None
            with self._cursors_lock:
                if cur in self._cursors:
                    self._cursors.remove(cur)
            try:
                cur.close()
            except duckdb.Error:
                pass

    @property
    def open_cursors(self) -> int:
        """How many cursors are open now (sessions in progress and threads' own)."""
        with self._cursors_lock:
            return len(self._cursors)

    def _write(self, work: Callable[[duckdb.DuckDBPyConnection], Any]) -> Any:
        """Run `work` in one transaction, retrying when another thread's write conflicts."""
        cur = self._cursor()
        for attempt in range(CONFLICT_RETRIES):
            cur.execute("BEGIN TRANSACTION")
            try:
                result = work(cur)
                cur.execute("COMMIT")
                return result
            except duckdb.TransactionException as exc:
                _rollback(cur)
                if "constraint violation" in str(exc).lower():
                    # Found at commit (another thread committed the same key first): the same
                    # error as when a statement finds it, for the caller to handle.
                    raise duckdb.ConstraintException(str(exc)) from exc
                if "conflict" not in str(exc).lower():
                    raise self._write_failed(exc) from exc
                time.sleep(random.uniform(0, 0.002 * (1 + attempt % 10)))
            except (duckdb.IOException, duckdb.FatalException) as exc:
                _rollback(cur)
                raise self._write_failed(exc) from exc
            except BaseException:
                _rollback(cur)
                raise
        raise StoreError("The job database stayed busy; try again.")

    def _write_failed(self, exc: Exception) -> StoreError:
        return StoreError(f"Could not write to the job database {self.path} "
                          f"({_first_line(exc)}). Check that the disk has free space and the "
                          "folder is writable; nothing already saved was lost.")

    def transaction(self, work: Callable[[duckdb.DuckDBPyConnection], Any]) -> Any:
        """Run `work(cursor)` in one write transaction, for modules that keep tables of their
        own in the store (watch folders, watchlists, alerts)."""
        return self._write(work)

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        """The rows of one read, on this thread's cursor."""
        return self._cursor().execute(sql, params or []).fetchall()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        with self._cursors_lock:
            for cur in self._cursors:
                try:
                    cur.close()
                except duckdb.Error:
                    pass
            self._cursors.clear()
        # A query another thread has in flight (a last read as the app quits) holds the
        # connection for a moment: wait for it rather than fail the close.
        for attempt in range(CLOSE_RETRIES):
            try:
                self._conn.close()
                break
            except duckdb.ResourceInUseException:
                if attempt == CLOSE_RETRIES - 1:
                    raise
                time.sleep(0.05)
        if _wipe_marker(self.path).exists():
            _rewrite_without_freed_blocks(self.path)

    def __enter__(self) -> "JobStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- jobs -------------------------------------------------------------------------------

    def _requeue_interrupted(self) -> int:
        def work(cur):
            rows = cur.execute(
                f"UPDATE jobs SET status = 'pending', resume_count = resume_count + 1, {TOUCH} "
                "WHERE status = 'running' RETURNING job_id", [utcnow()]).fetchall()
            return len(rows)
        return self._write(work)

    def add_job(self, spec: JobSpec, *, status: str = "pending",
                error_message: str | None = None) -> Job:
        """Queue a job (or record one that failed intake, so the user sees why)."""
        size, mtime = fingerprint(spec.input_path)
        now = utcnow()
        return _row_to_job(self._write(lambda cur: cur.execute(
            "INSERT INTO jobs (job_id, status, pipeline_id, frame_stride, max_frames, model_path, "
            "input_path, input_size, input_mtime, error_message, created_at, updated_at, "
            f"finished_at, roi) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            f"RETURNING {JOB_COLUMNS}",
            [str(uuid.uuid4()), status, spec.pipeline_id, spec.frame_stride, spec.max_frames,
             spec.model_path, str(spec.input_path), size, mtime, error_message, now, now,
             now if status != "pending" else None, list(spec.roi) if spec.roi else None]
        ).fetchone()))

    def set_roi(self, job_ids: Iterable[str],
                roi: tuple[float, float, float, float] | None) -> int:
        """Limit the OCR of pending jobs to `roi` (None: the whole frame); returns how many changed.

        Jobs that started keep theirs: their stored results were read with it.
        """
        ids = list(job_ids)
        if not ids:
            return 0
        return len(self._write(lambda cur: cur.execute(
            f"UPDATE jobs SET roi = ?, {TOUCH} WHERE status = 'pending' AND checkpoint_frame "
            "IS NULL AND list_contains(?, CAST(job_id AS VARCHAR)) RETURNING job_id",
            [list(roi) if roi else None, utcnow(), ids]).fetchall()))

    def get_job(self, job_id: str) -> Job | None:
        row = _first_row(self._cursor().execute(
            f"SELECT {JOB_COLUMNS} FROM jobs WHERE job_id = ?", [job_id]))
        return _row_to_job(row) if row else None

    def list_jobs(self, status: str | None = None) -> list[Job]:
        sql = f"SELECT {JOB_COLUMNS} FROM jobs"
        params: list = []
        if status:
            sql += " WHERE status = ?"
            params.append(status)
        rows = self._cursor().execute(sql + " ORDER BY seq", params).fetchall()
        return [_row_to_job(r) for r in rows]

    def find_job(self, prefix: str) -> Job | None:
        """A job by its id or an unambiguous prefix of it, as typed on the command line."""
        if not re.fullmatch(r"[0-9a-fA-F-]{1,36}", prefix):
            return None
        rows = self._cursor().execute(
            f"SELECT {JOB_COLUMNS} FROM jobs WHERE CAST(job_id AS VARCHAR) LIKE ? LIMIT 2",
            [prefix.lower() + "%"]).fetchall()
        return _row_to_job(rows[0]) if len(rows) == 1 else None

    def claim_next(self, job_ids: Iterable[str] | None = None) -> Job | None:
        """Atomically take the oldest pending job (optionally among `job_ids`); mark it running."""
        ids = list(job_ids) if job_ids is not None else None
        where = "status = 'pending'"
        params: list = [utcnow()]
        if ids is not None:
            if not ids:
                return None
            where += " AND list_contains(?, CAST(job_id AS VARCHAR))"
            params.append(ids)

        row = self._write(lambda cur: cur.execute(
            f"UPDATE jobs SET status = 'running', started_at = coalesce(started_at, ?), "
            f"error_message = NULL, {TOUCH} "
            f"WHERE job_id = (SELECT job_id FROM jobs WHERE {where} ORDER BY seq LIMIT 1) "
            f"AND status = 'pending' RETURNING {JOB_COLUMNS}", [params[0], *params]).fetchone())
        return _row_to_job(row) if row else None

    def begin(self, job_id: str, video: VideoInfo, frames_total: int) -> None:
        """Record what the runner learnt on opening the video."""
        def work(cur):
            cur.execute("DELETE FROM videos WHERE job_id = ?", [job_id])
            cur.execute("INSERT INTO videos VALUES (?, ?, ?, ?, ?, ?)",
                        [job_id, video.width, video.height, video.fps, video.frame_count,
                         video.duration_s])
            cur.execute(f"UPDATE jobs SET frames_total = ?, {TOUCH} WHERE job_id = ?",
                        [frames_total, utcnow(), job_id])
        self._write(work)

    def commit_batch(self, job_id: str, frames: list[FrameResult], *, frames_done: int,
                     checkpoint_frame: int | None) -> None:
        """Store a batch of frame results and the job's checkpoint in one transaction, with the
        pipeline's state after the checkpoint frame (the batch's last)."""
        state = frames[-1].resume_state if frames else None

        def work(cur):
            _insert_frames(cur, job_id, frames)
            cur.execute(
                f"UPDATE jobs SET frames_done = ?, checkpoint_frame = ?, resume_state = ?, "
                f"{TOUCH} WHERE job_id = ?",
                [frames_done, checkpoint_frame, state, utcnow(), job_id])
        self._write(work)

    def resume_state(self, job_id: str) -> bytes | None:
        """The pipeline's state at the job's checkpoint, if its pipeline keeps one."""
        row = _first_row(self._cursor().execute(
            "SELECT resume_state FROM jobs WHERE job_id = ?", [job_id]))
        return bytes(row[0]) if row and row[0] is not None else None

    def set_total(self, job_id: str, frames_total: int, *, unreadable_frames: int = 0) -> None:
        """The real frame count once the stream has ended (the container's may be off)."""
        self._write(lambda cur: cur.execute(
            f"UPDATE jobs SET frames_total = ?, unreadable_frames = ?, {TOUCH} WHERE job_id = ?",
            [frames_total, unreadable_frames, utcnow(), job_id]))

    def requeue(self, job_id: str) -> Job | None:
        """Put an interrupted job back in the queue at its checkpoint (quit, pause, Ctrl+C);
        returns it, or None if it was not running."""
        row = self._write(lambda cur: cur.execute(
            f"UPDATE jobs SET status = 'pending', resume_count = resume_count + 1, {TOUCH} "
            f"WHERE job_id = ? AND status = 'running' RETURNING {JOB_COLUMNS}",
            [utcnow(), job_id]).fetchone())
        return _row_to_job(row) if row else None

    def finish(self, job_id: str, status: str, *, error_message: str | None = None,
               output_path: str | None = None, finished_at: datetime | None = None) -> Job | None:
        """End a job; returns it as it ended."""
        now = finished_at or utcnow()
        row = self._write(lambda cur: cur.execute(
            "UPDATE jobs SET status = ?, error_message = ?, "
            f"output_path = coalesce(?, output_path), finished_at = ?, {TOUCH} WHERE job_id = ? "
            f"RETURNING {JOB_COLUMNS}",
            [status, error_message, output_path, now, now, job_id]).fetchone())
        return _row_to_job(row) if row else None

    def cancel_pending(self, job_id: str) -> Job | None:
        """Cancel a job that has not started, and return it; None if it was not pending (a
        running one is stopped by its runner's token)."""
        now = utcnow()
        row = self._write(lambda cur: cur.execute(
            f"UPDATE jobs SET status = 'cancelled', finished_at = ?, {TOUCH} "
            f"WHERE job_id = ? AND status = 'pending' RETURNING {JOB_COLUMNS}",
            [now, now, job_id]).fetchone())
        return _row_to_job(row) if row else None

    def retry(self, job_id: str) -> Job | None:
        """Queue an ended job again from frame 0, dropping its old results; returns it queued,
        or None if it had not ended."""
        def work(cur):
            row = cur.execute(
                "UPDATE jobs SET status = 'pending', error_message = NULL, frames_done = 0, "
                "checkpoint_frame = NULL, resume_state = NULL, started_at = NULL, "
                "finished_at = NULL, "
                f"unreadable_frames = 0, {TOUCH} WHERE job_id = ? "
                "AND status IN ('failed', 'cancelled', 'completed') "
                f"RETURNING {JOB_COLUMNS}", [utcnow(), job_id]).fetchone()
            if row:
                _delete_results(cur, [job_id])
            return _row_to_job(row) if row else None
        return self._write(work)

    def remove(self, job_ids: Iterable[str]) -> list[str]:
        """Delete the jobs that are not running, with their results and output files; returns
        the ids deleted. A running job is left whole: its runner must stop first (the queue
        cancels it, then removes it). One transaction, so a worker's claim cannot slip in
        between the check and the delete.

        DuckDB does not zero the blocks deleted rows leave in the file, so their text stays
        in the file's free space until the store is closed: `close()` then rewrites the
        database without them (or the next open does, if the process was killed first)."""
        ids = list(job_ids)
        if not ids:
            return []
        try:  # before the delete, so that a kill in between still leads to the rewrite
            _wipe_marker(self.path).touch(mode=0o600)
        except OSError as exc:
            raise self._write_failed(exc) from exc

        def work(cur):
            rows = cur.execute(
                "DELETE FROM jobs WHERE list_contains(?, CAST(job_id AS VARCHAR)) "
                "AND status <> 'running' RETURNING CAST(job_id AS VARCHAR), output_path",
                [ids]).fetchall()
            if rows:
                removed = [r[0] for r in rows]
                _delete_results(cur, removed)
                for table in REVIEW_TABLES + CASE_TABLES:
                    cur.execute(f"DELETE FROM {table} WHERE list_contains(?, "
                                "CAST(job_id AS VARCHAR))", [removed])
            return rows
        rows = self._write(work)
        if rows:
            self._checkpoint()
        for _, output in rows:
            if output:
                Path(output).unlink(missing_ok=True)
        return [r[0] for r in rows]

    def _checkpoint(self) -> None:
        """CHECKPOINT (the log folded into the file), waiting out other threads' transactions
        in flight (a worker committing a batch); if they never pause it is left to DuckDB,
        which checkpoints on its own, at the latest on close."""
        for _ in range(CONFLICT_RETRIES):
            try:
                self._cursor().execute("CHECKPOINT")
                return
            except duckdb.TransactionException:
                time.sleep(0.005)

    # -- trusted model files ----------------------------------------------------------------

    def trust_model(self, sha256: str, path: str) -> None:
        """Remember that the user confirmed loading the model file with this content."""
        self._write(lambda cur: cur.execute(
            "INSERT INTO trusted_models VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            [sha256, path, utcnow()]))

    def is_model_trusted(self, sha256: str) -> bool:
        return _first_row(self._cursor().execute(
            "SELECT 1 FROM trusted_models WHERE sha256 = ?", [sha256])) is not None

    # -- results ----------------------------------------------------------------------------

    def video_info(self, job_id: str) -> VideoInfo | None:
        row = _first_row(self._cursor().execute(
            "SELECT v.width, v.height, v.fps, v.frame_count, v.duration_s, j.input_path "
            "FROM videos v JOIN jobs j USING (job_id) WHERE job_id = ?", [job_id]))
        if not row:
            return None
        return VideoInfo(path=row[5], width=row[0], height=row[1], fps=row[2],
                         frame_count=row[3], duration_s=row[4])

    def frame_results(self, job_id: str, *, first: int = 0,
                      last: int | None = None) -> Iterator[FrameResult]:
        """The stored results of a job's analysed frames, in frame order."""
        cur = self._cursor()
        bounds = [job_id, first, last if last is not None else 2**31 - 1]
        frames = cur.execute(
            "SELECT frame_index, time_s, reused_from, checked, objects_from FROM frames "
            "WHERE job_id = ? "
            "AND frame_index BETWEEN ? AND ? ORDER BY frame_index", bounds).fetchall()
        ocr: dict[int, list[OcrLine]] = {}
        for fi, text, conf, box in cur.execute(
                "SELECT frame_index, text, confidence, box FROM ocr_lines WHERE job_id = ? "
                "AND frame_index BETWEEN ? AND ? ORDER BY frame_index, line_no", bounds).fetchall():
            ocr.setdefault(fi, []).append(
                OcrLine(text, conf, [[box[i], box[i + 1]] for i in range(0, 8, 2)]))
        dets: dict[int, list[Detection]] = {}
        for fi, label, cid, conf, x1, y1, x2, y2, track in cur.execute(
                "SELECT frame_index, label, class_id, confidence, x1, y1, x2, y2, track_id "
                "FROM detections WHERE job_id = ? AND frame_index BETWEEN ? AND ? "
                "ORDER BY frame_index, det_no", bounds).fetchall():
            dets.setdefault(fi, []).append(Detection(label, cid, conf, [x1, y1, x2, y2], track))
        for fi, time_s, reused, checked, objects_from in frames:
            yield FrameResult(fi, time_s, ocr.get(fi, []), dets.get(fi, []), reused, checked,
                              objects_from)

    def next_track_id(self, job_id: str) -> int:
        """The first track id a job's tracker may hand out: resumed jobs never reuse one."""
        row = _first_row(self._cursor().execute(
            "SELECT max(track_id) FROM detections WHERE job_id = ?", [job_id]))
        return (row[0] or 0) + 1

    # -- search -----------------------------------------------------------------------------

    def text_versions(self) -> list[tuple[str, datetime, str, int]]:
        """(job_id, updated_at, input_path, frame_stride) of every job in queue order.

        A job's `updated_at` moves with every write, so a cache of its text is current while
        it stays the same.
        """
        return [(str(r[0]), *r[1:]) for r in self._cursor().execute(
            "SELECT job_id, updated_at, input_path, frame_stride FROM jobs ORDER BY seq"
        ).fetchall()]

    def ocr_columns(self, job_ids: list[str]) -> dict[str, Any]:
        """The OCR lines of the given jobs as NumPy columns, in job, frame, line order.

        Columns: job (the index of the line's job in `job_ids`), frame_index, time_s, text,
        confidence, and the box corners x1, y1 … x4, y4.
        """
        corners = ", ".join(f"o.box[{i + 1}] AS {'xy'[i % 2]}{i // 2 + 1}" for i in range(8))
        return self._cursor().execute(
            "SELECT list_position(?, CAST(o.job_id AS VARCHAR)) - 1 AS job, o.frame_index, "
            f"f.time_s, o.text, o.confidence, {corners} FROM ocr_lines o "
            "JOIN frames f USING (job_id, frame_index) "
            "WHERE list_contains(?, CAST(o.job_id AS VARCHAR)) ORDER BY job, o.frame_index, "
            "o.line_no", [job_ids, job_ids]).fetchnumpy()

    def detections_at(self, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int],
                                                                    list[Detection]]:
        """The detections of the given (job_id, frame_index) frames, in detection order."""
        keys = list(keys)
        out: dict[tuple[str, int], list[Detection]] = {}
        if not keys:
            return out
        for job_id, fi, label, cid, conf, x1, y1, x2, y2, track in self._cursor().execute(
                "SELECT d.job_id, d.frame_index, label, class_id, confidence, x1, y1, x2, y2, "
                "track_id FROM detections d JOIN (SELECT unnest(?::UUID[]) AS job_id, "
                "unnest(?::INTEGER[]) AS frame_index) k USING (job_id, frame_index) "
                "ORDER BY d.job_id, d.frame_index, det_no",
                [[k[0] for k in keys], [k[1] for k in keys]]).fetchall():
            out.setdefault((str(job_id), fi), []).append(
                Detection(label, cid, conf, [x1, y1, x2, y2], track))
        return out

    # -- chunks (chunks.py, chunked_run.py) -------------------------------------------------

    def chunk_plan(self, job_id: str, plan: list) -> list[tuple]:
        """The job's chunks (chunks.Chunk fields) and whether each is done, as rows: the
        stored plan, or `plan`, stored now if the job has none."""
        def work(cur):
            if plan and not _first_row(cur.execute(
                    "SELECT 1 FROM job_chunks WHERE job_id = ? LIMIT 1", [job_id])):
                cur.executemany("INSERT INTO job_chunks VALUES (?, ?, ?, ?, ?, ?, false)",
                                [[job_id, c.index, c.start, c.end, c.frames, c.max_frames]
                                 for c in plan])
            return [tuple(row) for row in cur.execute(
                "SELECT chunk_index, start_frame, end_frame, frames, max_frames, done "
                "FROM job_chunks WHERE job_id = ? ORDER BY chunk_index", [job_id]).fetchall()]
        return self._write(work)

    def has_chunk_plan(self, job_id: str) -> bool:
        return _first_row(self._cursor().execute(
            "SELECT 1 FROM job_chunks WHERE job_id = ? LIMIT 1", [job_id])) is not None

    def stored_frames(self, job_id: str) -> int:
        """How many analysed frames of the job the store holds."""
        return _first_row(self._cursor().execute(
            "SELECT count(*) FROM frames WHERE job_id = ?", [job_id]))[0]

    def reset_chunk(self, job_id: str, chunk) -> None:
        """Drop what an unfinished chunk stored, so that it runs again from its start."""
        def work(cur):
            bounds = [job_id, chunk.start, chunk.end if chunk.end is not None else 2**31 - 1]
            for table in ("frames", "ocr_lines", "detections"):
                cur.execute(f"DELETE FROM {table} WHERE job_id = ? AND frame_index >= ? "
                            "AND frame_index < ?", bounds)
            cur.execute("UPDATE job_chunks SET done = false WHERE job_id = ? AND chunk_index = ?",
                        [job_id, chunk.index])
        self._write(work)

    def commit_chunk(self, job_id: str, chunk, frames: list[FrameResult], *,
                     frames_done: int, done: bool) -> None:
        """Store a batch of a chunk's results with the job's progress, and mark the chunk
        done with its last batch, in one transaction."""
        def work(cur):
            _insert_frames(cur, job_id, frames)
            cur.execute(f"UPDATE jobs SET frames_done = ?, {TOUCH} WHERE job_id = ?",
                        [frames_done, utcnow(), job_id])
            if done:
                cur.execute("UPDATE job_chunks SET done = true WHERE job_id = ? "
                            "AND chunk_index = ?", [job_id, chunk.index])
        self._write(work)

    def track_first_frames(self, job_id: str) -> dict[int, int]:
        """{track id: the first frame it is on} over a job's detections."""
        return dict(self._cursor().execute(
            "SELECT track_id, min(frame_index) FROM detections WHERE job_id = ? AND track_id "
            "IS NOT NULL GROUP BY track_id", [job_id]).fetchall())

    def renumber_tracks(self, job_id: str, new_ids: dict[int, int]) -> None:
        """Give a job's tracks new ids ({old: new}) in one statement."""
        if new_ids:
            self._write(lambda cur: cur.execute(
                "UPDATE detections d SET track_id = m.new FROM (SELECT unnest(?::INTEGER[]) AS "
                "old, unnest(?::INTEGER[]) AS new) m WHERE d.job_id = ? AND d.track_id = m.old",
                [list(new_ids), list(new_ids.values()), job_id]))


def _insert_frames(cur, job_id: str, frames: list[FrameResult]) -> None:
    """One INSERT per table per batch: DuckDB is fast at sets and slow at single rows."""
    if not frames:
        return
    cur.execute(
        "INSERT INTO frames (job_id, frame_index, time_s, reused_from, checked, objects_from) "
        "SELECT ?::UUID, unnest(?), unnest(?), unnest(?::INTEGER[]), unnest(?::VARCHAR[]), "
        "unnest(?::INTEGER[])",
        [job_id, [f.frame_index for f in frames], [f.time_s for f in frames],
         [f.reused_from for f in frames], [f.checked for f in frames],
         [f.objects_from for f in frames]])
    lines = [(f.frame_index, n, o) for f in frames for n, o in enumerate(f.ocr)]
    if lines:
        cur.execute(
            "INSERT INTO ocr_lines SELECT ?::UUID, unnest(?), unnest(?), unnest(?), unnest(?), "
            "unnest(?::DOUBLE[8][])",
            [job_id, [fi for fi, _, _ in lines], [n for _, n, _ in lines],
             [o.text for _, _, o in lines], [float(o.confidence) for _, _, o in lines],
             [[float(v) for pt in o.box for v in pt] for _, _, o in lines]])
    dets = [(f.frame_index, n, d) for f in frames for n, d in enumerate(f.detections)]
    if dets:
        cur.execute(
            "INSERT INTO detections (job_id, frame_index, det_no, label, class_id, confidence, "
            "x1, y1, x2, y2, track_id) SELECT ?::UUID, unnest(?), unnest(?), unnest(?), "
            "unnest(?), unnest(?), unnest(?), unnest(?), unnest(?), unnest(?), "
            "unnest(?::INTEGER[])",
            [job_id, [fi for fi, _, _ in dets], [n for _, n, _ in dets],
             [d.label for _, _, d in dets], [int(d.class_id) for _, _, d in dets],
             [float(d.confidence) for _, _, d in dets]]
            + [[float(d.box[k]) for _, _, d in dets] for k in range(4)]
            + [[d.track_id for _, _, d in dets]])


def _delete_results(cur, job_ids: list[str]) -> None:
    for table in RESULT_TABLES:
        cur.execute(f"DELETE FROM {table} WHERE list_contains(?, CAST(job_id AS VARCHAR))",
                    [job_ids])


def fingerprint(path: str | os.PathLike) -> tuple[int | None, float | None]:
    """Size and mtime, to notice a file replaced or deleted after it was queued."""
    try:
        st = os.stat(path)
    except OSError:
        return None, None
    return st.st_size, st.st_mtime


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    if path.is_dir():
        raise StoreError(f"The job database path {path} is a folder, not a database file.")
    created = not path.exists()
    try:
        conn = duckdb.connect(str(path))
        if created and os.name == "posix":
            os.chmod(path, 0o600)  # what videos show is private to the user
        return conn
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            pid = re.search(r"PID (\d+)", text)
            who = f" (process {pid.group(1)})" if pid else ""
            raise StoreLockedError(
                f"The ForeSyte database {path} is in use by another ForeSyte window or command"
                f"{who}. Close it, or use a different --data-dir, and try again.") from exc
        raise StoreError(f"Could not open the job database {path}: {_first_line(exc)}.") from exc
    except duckdb.Error as exc:
        raise StoreError(f"The file {path} is not a ForeSyte job database, or it is damaged "
                         f"({_first_line(exc)}). It was left untouched; move it away or choose "
                         "another --data-dir.") from exc


def _wipe_marker(path: Path) -> Path:
    """Present from a removal until the database has been rewritten without its rows."""
    return path.with_name(path.name + ".wipe-pending")


def _rewrite_without_freed_blocks(path: Path) -> None:
    """Copy the database into a fresh file and put it in the old one's place, so nothing of
    deleted rows is left in it. On failure (a full disk, another process holding the file)
    the database stays as it was and the rewrite is tried again on the next close or open."""
    fresh = path.with_name(path.name + ".rewrite")
    fresh.unlink(missing_ok=True)
    try:
        conn = duckdb.connect(str(path))
        try:
            name = conn.execute("SELECT current_database()").fetchone()[0]
            conn.execute("ATTACH ? AS fresh", [str(fresh)])
            conn.execute(f'COPY FROM DATABASE "{name}" TO fresh')
            conn.execute("DETACH fresh")
        finally:
            conn.close()
        if os.name == "posix":
            os.chmod(fresh, 0o600)
        os.replace(fresh, path)
        _wipe_marker(path).unlink(missing_ok=True)
    except (duckdb.Error, OSError) as exc:
        fresh.unlink(missing_ok=True)
        log.warning("the database could not be rewritten after a removal (%s); trying again "
                    "on the next close", _first_line(exc))


def _first_row(result) -> tuple | None:
    """The first row of a read, reading it to the end: a half-read result keeps its cursor's
    transaction open, and then another thread's CHECKPOINT (in remove) fails."""
    rows = result.fetchall()
    return rows[0] if rows else None


def _rollback(cur) -> None:
    try:
        cur.execute("ROLLBACK")
    except duckdb.Error:
        pass


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0].rstrip(".") if str(exc).strip() else type(exc).__name__
