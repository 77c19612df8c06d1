"""The review's storage: a completed run's items under stable ids, and the append-only edit log.

When a job completes (or, for a job completed earlier, the first time its results are built)
its text segments and tracks are stored as the machine read them, each under an id that never
changes: segments are numbered 1, 2, … in reading order, tracks keep their tracker id. A run
is the job's `started_at`, so a retried job stores its new run beside the old one, whose edits
stay in the log.

Every analyst action appends rows to `review_log`, one per item it changes, each holding the
item before and after as JSON; the rows of one action share its `action` number. Undo and redo
append a row too (`op` "undo" or "redo", `undoes` naming the action): nothing is ever updated
or deleted. Replaying a run's rows in order gives a stack of done actions and one of undone
ones; the current state is the machine's items with each done action's `after` applied.
"""
from __future__ import annotations

import getpass
import json
import os
import time
import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import duckdb

from foresyte_desktop.core.model import FrameResult, Job
from foresyte_desktop.core.segments import segments_with_lines
from foresyte_desktop.core.store import CONFLICT_RETRIES, TOUCH, JobStore, utcnow
from foresyte_desktop.core.tracks import build_tracks

SEGMENT, TRACK = "segment", "track"
NOTE = "note"  # bookmarks and notes (core/notes.py): review items too
UNDO, REDO = "undo", "redo"


def run_of(job: Job) -> datetime:
    """The run a job's stored results belong to: a retry starts a new one."""
    return job.started_at or job.created_at


def user_name() -> str:
    """The OS user, as the log records who made an edit."""
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no login name (a container, a service)
        return os.environ.get("USERNAME") or "unknown"


@dataclass
class LogEntry:
    seq: int
    run: datetime
    action: int
    op: str
    kind: str | None
    target: int | None
    before: dict | None
    after: dict | None
    undoes: int | None
    at: datetime
    user: str


@dataclass
class ReviewState:
    """One run of a job: its machine items, the log, and the state the log's done actions give."""
    job_id: str
    run: datetime
    machine: dict[tuple[str, int], dict]
    items: dict[tuple[str, int], dict]
    done: list[int] = field(default_factory=list)  # actions in effect, oldest first
    undone: list[int] = field(default_factory=list)  # actions redo brings back, last undone last
    actions: dict[int, list[LogEntry]] = field(default_factory=dict)  # this run's, by action
    log: list[LogEntry] = field(default_factory=list)  # every run's rows, oldest first
    last_seq: int = 0

    def live(self, kind: str) -> list[dict]:
        """This kind's items in reading order, without those merged into another."""
        found = [it for (k, _), it in self.items.items() if k == kind and "merged_into" not in it]
        return sorted(found, key=_order)


def live_notes(state: ReviewState, on: str | None = None) -> list[dict]:
    """A review state's notes (or those on frames, segments or tracks: core/notes.py), by
    frame, then id."""
    found = [n for (k, _), n in state.items.items()
             if k == NOTE and not n.get("removed") and (on is None or n["on"] == on)]
    return sorted(found, key=lambda n: (n["frame"], n["id"]))


def _order(item: dict) -> tuple:
    box = item.get("box")
    top = min(p[1] for p in box) if box and isinstance(box[0], list) else 0.0
    return item["first_frame"], top, item["id"]


# Runs this process saw stored: a stored run stays so (removing its job removes the job too).
_stored_runs: "weakref.WeakKeyDictionary[JobStore, set]" = weakref.WeakKeyDictionary()


def _run_stored(store: JobStore, query, job_id: str, run: datetime) -> bool:
    """Whether the run is stored; `query(sql, params)`: the store's, or a transaction's."""
    known = _stored_runs.setdefault(store, set())
    if (job_id, run) not in known and query(
            "SELECT 1 FROM review_runs WHERE job_id = ? AND run = ?", [job_id, run]):
        known.add((job_id, run))
    return (job_id, run) in known


def store_run(store: JobStore, job: Job, frames: list[FrameResult] | None = None) -> None:
    """Store a completed run's segments (with the OCR lines each holds) and tracks under their
    ids, once: a run already stored is left as it is. `frames`: the run's results, if at hand."""
    run = run_of(job)
    if _run_stored(store, store.query, job.job_id, run):
        return
    if frames is None:
        frames = list(store.frame_results(job.job_id))
    segments = segments_with_lines(frames)
    tracks = build_tracks(frames)

    def work(cur):
        if _run_stored(store, lambda sql, p: cur.execute(sql, p).fetchall(), job.job_id, run):
            return
        rows, lines = [], []
        for n, (seg, members) in enumerate(segments, start=1):
            rows.append((SEGMENT, n, {"id": n, **seg, "review_state": "unreviewed",
                                      "sources": [n]}))
            lines += [(n, fi, line_no) for fi, line_no in members]
        for track in tracks:
            item = {k: v for k, v in track.items() if k != "boxes"}
            # For "lowest confidence first": the mean confidence of its detections.
            item["confidence"] = round(sum(b["confidence"] for b in track["boxes"])
                                       / len(track["boxes"]), 4)
            rows.append((TRACK, track["id"], {**item, "review_state": "unreviewed",
                                               "sources": [track["id"]]}))
        if rows:
            cur.execute(
                "INSERT INTO review_items SELECT ?::UUID, ?, unnest(?::VARCHAR[]), "
                "unnest(?::INTEGER[]), unnest(?::VARCHAR[])",
                [job.job_id, run, [r[0] for r in rows], [r[1] for r in rows],
                 [json.dumps(r[2], ensure_ascii=False) for r in rows]])
        if lines:
            cur.execute(
                "INSERT INTO review_lines SELECT ?::UUID, ?, unnest(?::INTEGER[]), "
                "unnest(?::INTEGER[]), unnest(?::INTEGER[])",
                [job.job_id, run, [x[0] for x in lines], [x[1] for x in lines],
                 [x[2] for x in lines]])
        cur.execute("INSERT INTO review_runs VALUES (?, ?, ?)", [job.job_id, run, utcnow()])
    for attempt in range(CONFLICT_RETRIES):
        try:
            return store.transaction(work)
        except duckdb.ConstraintException:
            # Another thread is storing the same run: once it commits, `work` finds it stored.
            if attempt == CONFLICT_RETRIES - 1:
                raise
            time.sleep(0.005)



# The machine items of a run never change once stored, so each process keeps those it read.
_machine_cache: "weakref.WeakKeyDictionary[JobStore, dict]" = weakref.WeakKeyDictionary()


def _machine_items(store: JobStore, job_id: str, run: datetime) -> dict[tuple[str, int], dict]:
    cache = _machine_cache.setdefault(store, {})
    found = cache.get((job_id, run))
    if found is None:
        found = {(kind, item_id): json.loads(machine) for kind, item_id, machine in
                 store.query(
                     "SELECT kind, item_id, machine FROM review_items WHERE job_id = ? AND run = ?",
                     [job_id, run])}
        cache[(job_id, run)] = found
    return found


# The log only grows, so each process keeps the rows it parsed and reads only newer ones.
_log_cache: "weakref.WeakKeyDictionary[JobStore, dict]" = weakref.WeakKeyDictionary()


def _log_rows(store: JobStore, job_id: str) -> list[LogEntry]:
    cache = _log_cache.setdefault(store, {})
    known = cache.get(job_id, [])
    rows = store.query(
        "SELECT seq, run, action, op, kind, target, before, after, undoes, made_at, "
        "user_name FROM review_log WHERE job_id = ? AND seq > ? ORDER BY seq",
        [job_id, known[-1].seq if known else 0])
    if rows:
        known = known + [
            LogEntry(seq, r, action, op, kind, target, json.loads(before) if before else None,
                     json.loads(after) if after else None, undoes, at, user)
            for seq, r, action, op, kind, target, before, after, undoes, at, user in rows]
        cache[job_id] = known
    return known


def load(store: JobStore, job: Job) -> ReviewState:
    """The review state of the job's current run (stored by `store_run` beforehand)."""
    run = run_of(job)
    machine = _machine_items(store, job.job_id, run)
    log = _log_rows(store, job.job_id)
    state = ReviewState(job.job_id, run, machine, dict(machine), log=log,
                        last_seq=log[-1].seq if log else 0)
    actions: dict[int, list[LogEntry]] = defaultdict(list)
    for entry in log:
        if entry.run != run:
            continue
        if entry.op == UNDO:
            state.undone.append(state.done.pop())
        elif entry.op == REDO:
            state.done.append(state.undone.pop())
        else:
            if entry.action not in actions:
                state.done.append(entry.action)
                state.undone.clear()
            actions[entry.action].append(entry)
    state.actions = dict(actions)
    for action in state.done:
        for entry in state.actions[action]:
            state.items[(entry.kind, entry.target)] = entry.after
    return state


def append(store: JobStore, state: ReviewState, op: str,
           changes: list[tuple[str, int, dict | None, dict]]) -> int:
    """Log one action changing items ((kind, id, before, after) each) in one transaction, and
    touch the job so caches of its text (search) reload; returns the action number."""
    now, user = utcnow(), user_name()

    def work(cur):
        action = cur.execute("SELECT nextval('review_seq')").fetchone()[0]
        cur.execute(
            "INSERT INTO review_log (seq, job_id, run, action, op, kind, target, before, after, "
            "made_at, user_name) SELECT nextval('review_seq'), ?::UUID, ?, ?, ?, "
            "unnest(?::VARCHAR[]), unnest(?::INTEGER[]), unnest(?::VARCHAR[]), "
            "unnest(?::VARCHAR[]), ?, ?",
            [state.job_id, state.run, action, op, [c[0] for c in changes],
             [c[1] for c in changes],
             [None if c[2] is None else json.dumps(c[2], ensure_ascii=False) for c in changes],
             [json.dumps(c[3], ensure_ascii=False) for c in changes], now, user])
        _touch(cur, state.job_id, now)
        return action
    return store.transaction(work)


def append_step(store: JobStore, state: ReviewState, op: str, action: int) -> None:
    """Log an undo or a redo of `action`."""
    now, user = utcnow(), user_name()

    def work(cur):
        seq = cur.execute("SELECT nextval('review_seq')").fetchone()[0]
        cur.execute(
            "INSERT INTO review_log (seq, job_id, run, action, op, undoes, made_at, user_name) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [seq, state.job_id, state.run, seq, op, action, now, user])
        _touch(cur, state.job_id, now)
    store.transaction(work)


def _touch(cur, job_id: str, now: datetime) -> None:
    cur.execute(f"UPDATE jobs SET {TOUCH} WHERE job_id = ?", [now, job_id])


def run_lines(store: JobStore, job_id: str, run: datetime) -> dict[tuple[int, int], int]:
    """(frame_index, line number) → the machine segment the OCR line was merged into."""
    return {(fi, n): seg for seg, fi, n in store.query(
        "SELECT segment_id, frame_index, line_no FROM review_lines WHERE job_id = ? AND run = ?",
        [job_id, run])}


def edited_runs(store: JobStore, job_id: str) -> list[datetime]:
    """The runs of a job that have rows in the log, oldest first."""
    return [r[0] for r in store.query(
        "SELECT DISTINCT run FROM review_log WHERE job_id = ? ORDER BY run", [job_id])]
