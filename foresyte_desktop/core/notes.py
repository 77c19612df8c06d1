"""Bookmarks and notes on a completed job: a frame bookmarked with an optional note, or a note
on a text segment or a track, kept as review items of the kind "note" in the edit log.

Adding, editing and removing one is a review action like any other (review_log.append), so
`review.undo` and `review.redo` take it back and bring it again, and the log keeps who made it
and when. Like every review item, a note belongs to the job's current run: a retried job starts
without the notes of its earlier run, which stay in the log. `find_notes` looks for notes by
their text, blind to case and accents, across jobs or within some.
"""
from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from foresyte_desktop.core.errors import ReviewError
from foresyte_desktop.core.model import Job
from foresyte_desktop.core.review import _frame, _item, _log, _time, open_review
from foresyte_desktop.core.review_log import (
    NOTE, SEGMENT, TRACK, ReviewState, live_notes, user_name,
)
from foresyte_desktop.core.search import EXACT_BELOW, MIN_SCORE
from foresyte_desktop.core.store import JobStore, utcnow
from foresyte_desktop.core.text import normalise

FRAME = "frame"  # a bookmark: a note on a frame, whose text may be empty
ON = (FRAME, SEGMENT, TRACK)


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _new_id(state: ReviewState) -> int:
    return max((i for k, i in state.items if k == NOTE), default=0) + 1


def _add(store: JobStore, state: ReviewState, on: str, frame: int, target: int | None,
         text: str) -> int:
    note = {"id": _new_id(state), "on": on, "frame": frame, "target": target, "text": text,
            "time_s": _time(store, state, frame), "by": user_name(),
            "made_at": utcnow().isoformat(timespec="milliseconds") + "Z"}
    return _log(store, state, "add_note", [(NOTE, note["id"], None, note)])


def add_bookmark(store: JobStore, job: Job | str, frame: int, text: str = "") -> int:
    """Bookmark a frame of the video, with an optional note; returns the action logged."""
    state = open_review(store, job)
    return _add(store, state, FRAME, _frame(store, state, frame), None, _clean(text))


def add_note(store: JobStore, job: Job | str, text: str, *, segment: int | None = None,
             track: int | None = None) -> int:
    """A note on a text segment or a track (one of the two); returns the action logged."""
    if (segment is None) == (track is None):
        raise ReviewError("A note goes on one text segment or one track; name one of them.")
    kind, target = (SEGMENT, segment) if segment is not None else (TRACK, track)
    state = open_review(store, job)
    item = _item(state, kind, target)
    text = _clean(text)
    if not text:
        raise ReviewError(f"The note on {kind} {target} is empty; type what it should say.")
    return _add(store, state, kind, item["first_frame"], item["id"], text)


def _note(state: ReviewState, note_id: int) -> dict:
    note = state.items.get((NOTE, int(note_id)))
    if note is None or note.get("removed"):
        raise ReviewError(f"This job has no note {note_id}.")
    return note


def set_note_text(store: JobStore, job: Job | str, note_id: int, text: str) -> int | None:
    """Change a note's text (a bookmark's may be emptied); None when it is the same."""
    state = open_review(store, job)
    before = _note(state, note_id)
    text = _clean(text)
    if not text and before["on"] != FRAME:
        raise ReviewError(f"The note on {before['on']} {before['target']} cannot be empty; "
                          "remove the note instead.")
    return _log(store, state, "edit_note", [(NOTE, before["id"], before, {**before, "text": text})])


def remove_note(store: JobStore, job: Job | str, note_id: int) -> int:
    """Remove a bookmark or a note (undo brings it back)."""
    state = open_review(store, job)
    before = _note(state, note_id)
    return _log(store, state, "remove_note",
                [(NOTE, before["id"], before, {**before, "removed": True})])


def notes(store: JobStore, job: Job | str, on: str | None = None) -> list[dict]:
    """The job's notes now (`on`: only bookmarks (FRAME), or those on segments or tracks).

    Each is a dict: id, on, frame (the bookmarked frame, or the first frame of the segment or
    track when the note was made), target (the segment's or track's id, None for a bookmark),
    text, time_s, by (the OS user), made_at (ISO 8601, UTC)."""
    if on is not None and on not in ON:
        raise ReviewError(f"Notes are on {', '.join(ON)}, not “{on}”.")
    return live_notes(open_review(store, job), on)


@dataclass
class NoteHit:
    job_id: str
    video_path: str
    note: dict
    score: float  # 100: the query's words are all in the note as typed (case- and accent-blind)


def find_notes(store: JobStore, query: str, *, job_ids: list[str] | None = None,
               min_score: float = MIN_SCORE) -> list[NoteHit]:
    """Notes whose text holds `query` (small typing errors allowed, as search allows OCR
    errors), best first, then by job and frame; only those of `job_ids` when given."""
    wanted = normalise(query).strip()
    if not wanted:
        return []
    rows = store.query("SELECT DISTINCT CAST(l.job_id AS VARCHAR), j.seq FROM review_log l "
                       "JOIN jobs j USING (job_id) WHERE l.kind = ? AND j.status = 'completed' "
                       "ORDER BY j.seq", [NOTE])
    allowed = set(job_ids) if job_ids is not None else None
    hits = []
    for job_id, _ in rows:
        if allowed is not None and job_id not in allowed:
            continue
        job = store.get_job(job_id)
        for note in live_notes(open_review(store, job)):
            text = normalise(note["text"])
            score = 100.0 if wanted in text else \
                0.0 if len(wanted) < EXACT_BELOW else fuzz.partial_ratio(wanted, text)
            if text and score >= min_score:
                hits.append(NoteHit(job_id, job.input_path, note, round(score, 1)))
    order = {job_id: n for n, (job_id, _) in enumerate(rows)}
    hits.sort(key=lambda h: (-h.score, order[h.job_id], h.note["frame"], h.note["id"]))
    return hits
