"""What an analyst does to a completed job's text segments and tracks, and where the review stands.

Every action checks its input first and either logs one action (review_log.py) or raises a
ReviewError and changes nothing; it returns the action's number, or None when it would change
nothing. `undo` and `redo` step through the log, so a window's undo stack can be rebuilt from
`history` after a restart. Only completed jobs are edited, and only their current run.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from foresyte_desktop.core.errors import ReviewError
from foresyte_desktop.core.model import Job
from foresyte_desktop.core.pipelines.ctc import AS_DIGIT, LOOK_ALIKE
from foresyte_desktop.core.review_log import (
    REDO, SEGMENT, TRACK, UNDO, ReviewState, append, append_step, load, run_of, store_run,
)
from foresyte_desktop.core.store import JobStore, utcnow
from foresyte_desktop.core.text import squeezed

REVIEW_STATES = ("unreviewed", "verified", "rejected", "added")
# The confusions "suggest fixes" looks for: 0/O, 1/l/I, 5/S, 8/B (the recogniser's rule, ctc.py).
CONFUSED = {digit: LOOK_ALIKE[digit] for digit in "0158"}
CONFUSED_LETTERS = {letter: AS_DIGIT[letter] for letters in CONFUSED.values() for letter in letters}
_WORD = re.compile(r"[^\W_]+")
ORDERS = ("reading", "unreviewed", "confidence")


# -- opening a job ------------------------------------------------------------------------------

def _job(store: JobStore, job: Job | str) -> Job:
    job_id = job if isinstance(job, str) else job.job_id
    try:
        uuid.UUID(str(job_id))
    except ValueError:  # not an id at all: the store would not understand the question
        found = None
    else:
        found = store.get_job(job_id)
    if found is None:
        raise ReviewError(f"There is no job {job if isinstance(job, str) else job.job_id}.")
    return found


def open_review(store: JobStore, job: Job | str) -> ReviewState:
    """The review of a completed job as it stands; stores its run's items on first use."""
    job = _job(store, job)
    if job.status != "completed":
        raise ReviewError(f"“{Path(job.input_path).name}” is {job.status}; only a completed "
                          "job can be reviewed, a running one stays view-only.")
    store_run(store, job)
    return load(store, job)


def has_edits(store: JobStore, job: Job | str) -> bool:
    """Whether the job's current run has edits in effect (a retry would leave them behind in
    the log, as the earlier run's)."""
    job = _job(store, job)
    if not store.query("SELECT 1 FROM review_log WHERE job_id = ? AND run = ? "
                                   "LIMIT 1", [job.job_id, run_of(job)]):
        return False
    return bool(load(store, job).done)


# -- undo and redo ------------------------------------------------------------------------------

def undo(store: JobStore, job: Job | str) -> int | None:
    """Undo the last action in effect; returns it, or None when there is none."""
    state = open_review(store, job)
    if not state.done:
        return None
    append_step(store, state, UNDO, state.done[-1])
    return state.done[-1]


def redo(store: JobStore, job: Job | str) -> int | None:
    """Redo the last action undone; returns it, or None when there is none."""
    state = open_review(store, job)
    if not state.undone:
        return None
    append_step(store, state, REDO, state.undone[-1])
    return state.undone[-1]


@dataclass
class Action:
    """One action of the log as an undo stack shows it."""
    action: int
    op: str
    targets: list[tuple[str, int]]
    at: str
    user: str

    @property
    def text(self) -> str:
        what = ", ".join(f"{kind} {item_id}" for kind, item_id in self.targets[:3])
        more = f" and {len(self.targets) - 3} more" if len(self.targets) > 3 else ""
        return f"{self.op.replace('_', ' ')} {what}{more}"


def history(state: ReviewState) -> tuple[list[Action], list[Action]]:
    """The actions in effect (oldest first) and those redo would bring back (next one last)."""
    def describe(action: int) -> Action:
        rows = state.actions[action]
        return Action(action, rows[0].op, [(r.kind, r.target) for r in rows],
                      rows[0].at.isoformat(timespec="seconds") + "Z", rows[0].user)
    return [describe(a) for a in state.done], [describe(a) for a in state.undone]


# -- helpers ------------------------------------------------------------------------------------

def _item(state: ReviewState, kind: str, item_id: int) -> dict:
    item = state.items.get((kind, int(item_id)))
    if item is None or "merged_into" in item:
        raise ReviewError(f"This job has no {kind} {item_id}.")
    return item


def _edited(state: ReviewState, kind: str, before: dict, **changes) -> dict:
    """`before` with `changes`, marked as edited by the analyst: when, and what the machine read."""
    after = {**before, **changes, "edited_at": utcnow().isoformat(timespec="milliseconds") + "Z"}
    machine = state.machine.get((kind, before["id"]))
    after.setdefault("machine_text", machine["text"] if machine else None)
    if kind == TRACK and "label" in changes:
        after.setdefault("machine_label", machine["label"] if machine else None)
    return after


def _text(text: str, what: str) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise ReviewError(f"The correction of {what} is empty; type the text it shows, or reject "
                          "it if it is a false reading.")
    return text


def _bounds(store: JobStore, state: ReviewState) -> tuple[int, float | None]:
    """The number of frames of the job's video (at least up to its last analysed frame), and
    its frame rate."""
    video = store.video_info(state.job_id)
    last = store.query("SELECT max(frame_index) FROM frames WHERE job_id = ?",
                                   [state.job_id])[0][0] or 0
    return max(video.frame_count if video and video.frame_count else 0, last + 1), \
        (video.fps if video else None)


def _time(store: JobStore, state: ReviewState, frame: int) -> float:
    """The time of a frame: its decoder timestamp where it was analysed, else from the rate."""
    row = store.query("SELECT time_s FROM frames WHERE job_id = ? AND frame_index = ?",
                                  [state.job_id, frame])
    if row:
        return round(row[0][0], 3)
    _, fps = _bounds(store, state)
    return round(frame / (fps or 25.0), 3)


def _frame(store: JobStore, state: ReviewState, frame: int) -> int:
    count, _ = _bounds(store, state)
    if not 0 <= int(frame) < count:
        raise ReviewError(f"Frame {frame} is not in the video, whose frames are 0 to {count - 1}.")
    return int(frame)


def _next_id(state: ReviewState, kind: str) -> int:
    return max((i for k, i in state.items if k == kind), default=0) + 1


def _log(store: JobStore, state: ReviewState, op: str, changes: list) -> int | None:
    changes = [c for c in changes if c[2] != c[3]]
    return append(store, state, op, changes) if changes else None


# -- text segments ------------------------------------------------------------------------------

def set_text(store: JobStore, job: Job | str, segment_id: int, text: str) -> int | None:
    """Correct a segment's text; it applies to every frame of the segment."""
    state = open_review(store, job)
    before = _item(state, SEGMENT, segment_id)
    text = _text(text, f"segment {segment_id}")
    after = _edited(state, SEGMENT, before, text=text) if text != before["text"] else before
    return _log(store, state, "set_text", [(SEGMENT, before["id"], before, after)])


def set_start(store: JobStore, job: Job | str, segment_id: int, frame: int) -> int | None:
    """Make the segment start at `frame` (which must not be after its end)."""
    state = open_review(store, job)
    before = _item(state, SEGMENT, segment_id)
    frame = _frame(store, state, frame)
    if frame > before["last_frame"]:
        raise ReviewError(f"Segment {segment_id} ends at frame {before['last_frame']}; it cannot "
                          f"start after that, at frame {frame}.")
    after = _edited(state, SEGMENT, before, first_frame=frame,
                    start_s=_time(store, state, frame))
    return _log(store, state, "set_start", [(SEGMENT, before["id"], before, after)])


def set_end(store: JobStore, job: Job | str, segment_id: int, frame: int) -> int | None:
    """Make the segment end at `frame` (which must not be before its start)."""
    state = open_review(store, job)
    before = _item(state, SEGMENT, segment_id)
    frame = _frame(store, state, frame)
    if frame < before["first_frame"]:
        raise ReviewError(f"Segment {segment_id} starts at frame {before['first_frame']}; it "
                          f"cannot end before that, at frame {frame}.")
    after = _edited(state, SEGMENT, before, last_frame=frame, end_s=_time(store, state, frame))
    return _log(store, state, "set_end", [(SEGMENT, before["id"], before, after)])


def _split(store: JobStore, job: Job | str, kind: str, item_id: int, frame: int) -> int:
    """Cut an item in two: the first part ends on the frame before `frame`, a new item (the
    next free id) holds the rest."""
    state = open_review(store, job)
    before = _item(state, kind, item_id)
    if not before["first_frame"] < frame <= before["last_frame"]:
        raise ReviewError(f"Frame {frame} is outside {kind} {item_id} (frames "
                          f"{before['first_frame']} to {before['last_frame']}); a split must fall "
                          "after its first frame and no later than its last.")
    new_id = _next_id(state, kind)
    first = _edited(state, kind, before, last_frame=frame - 1,
                    end_s=_time(store, state, frame - 1))
    second = {**_edited(state, kind, before, first_frame=frame,
                        start_s=_time(store, state, frame)), "id": new_id}
    return _log(store, state, "split", [(kind, before["id"], before, first),
                                        (kind, new_id, None, second)])


def split_segment(store: JobStore, job: Job | str, segment_id: int, frame: int) -> int:
    """Cut a segment in two: the first part ends on the frame before `frame`, a new segment
    (the next free id) starts on it."""
    return _split(store, job, SEGMENT, segment_id, frame)


def _merged_text(a: str, b: str) -> str:
    """One reading when both read the same line, else both, in order."""
    return a if squeezed(a).lower() == squeezed(b).lower() else f"{a} {b}"


def merge_segments(store: JobStore, job: Job | str, segment_id: int,
                   next_id: int | None = None) -> int:
    """Merge a segment with the one after it in reading order (`next_id`, if given, must be
    that one): the first takes both spans and both texts; the second leaves the job."""
    state = open_review(store, job)
    first = _item(state, SEGMENT, segment_id)
    order = [s for s in state.live(SEGMENT) if s["review_state"] != "rejected"]
    at = next((n for n, s in enumerate(order) if s["id"] == first["id"]), None)
    after = order[at + 1] if at is not None and at + 1 < len(order) else None
    if next_id is not None:
        _item(state, SEGMENT, next_id)
        if after is None or after["id"] != int(next_id):
            raise ReviewError(f"Segments {segment_id} and {next_id} are not next to each other; a "
                              "segment can only be merged with the one that follows it.")
    if after is None:
        raise ReviewError(f"Segment {segment_id} is the last one; there is none to merge it "
                          "with.")
    lo, hi = min((first, after), key=lambda s: s["first_frame"]), \
        max((first, after), key=lambda s: s["last_frame"])
    merged = _edited(state, SEGMENT, first, text=_merged_text(first["text"], after["text"]),
                     first_frame=lo["first_frame"], start_s=lo["start_s"],
                     last_frame=hi["last_frame"], end_s=hi["end_s"],
                     confidence=min(c for c in (first["confidence"], after["confidence"], 1.0)
                                    if c is not None),
                     sources=first["sources"] + after["sources"])
    gone = {**after, "merged_into": first["id"]}
    return _log(store, state, "merge", [(SEGMENT, first["id"], first, merged),
                                        (SEGMENT, after["id"], after, gone)])


def add_line(store: JobStore, job: Job | str, box: list, text: str, first_frame: int,
             last_frame: int) -> int:
    """A line the machine missed: its box (four [x, y] corners, or x1, y1, x2, y2), its text
    and its frames; it gets the next free segment id."""
    state = open_review(store, job)
    text = _text(text, "the new line")
    first, last = _frame(store, state, first_frame), _frame(store, state, last_frame)
    if last < first:
        raise ReviewError(f"The new line ends at frame {last}, before it starts, at frame "
                          f"{first}.")
    if len(box) == 4 and not isinstance(box[0], (list, tuple)):
        x1, y1, x2, y2 = (float(v) for v in box)
        box = [[x1, y1], [x2, y1], [x2, y2], [x1, y2]]
    box = [[float(x), float(y)] for x, y in box]
    new_id = _next_id(state, SEGMENT)
    item = {"text": text, "start_s": _time(store, state, first), "end_s": _time(store, state, last),
            "first_frame": first, "last_frame": last, "confidence": None, "box": box,
            "id": new_id, "review_state": "added", "sources": [], "machine_text": None,
            "edited_at": utcnow().isoformat(timespec="milliseconds") + "Z"}
    return _log(store, state, "add", [(SEGMENT, new_id, None, item)])


def find_replace(store: JobStore, job: Job | str, find: str, replace: str, *,
                 match_case: bool = False) -> int | None:
    """Replace `find` (plain text) in every segment not rejected, as one action; None when no
    segment holds it."""
    if not find:
        raise ReviewError("Type the text to find.")
    state = open_review(store, job)
    pattern = re.compile(re.escape(find), 0 if match_case else re.IGNORECASE)
    changes = []
    for seg in state.live(SEGMENT):
        if seg["review_state"] == "rejected" or not pattern.search(seg["text"]):
            continue
        text = _text(pattern.sub(lambda _: replace, seg["text"]), f"segment {seg['id']}")
        changes.append((SEGMENT, seg["id"], seg, _edited(state, SEGMENT, seg, text=text)))
    return _log(store, state, "replace", changes)


@dataclass
class Suggestion:
    """A fix for look-alike characters in one item's text, for the analyst to accept or not."""
    kind: str
    item_id: int
    text: str
    suggested: str


def suggest_fix(text: str) -> str:
    """`text` with 0/O, 1/l/I, 5/S and 8/B swapped inside words of the other kind: a digit among
    letters becomes the letter (in the word's case), a letter among digits the digit."""
    def fix(match: re.Match) -> str:
        word = match.group()
        out = list(word)
        for i, ch in enumerate(word):
            rest = word[:i] + word[i + 1:]
            if len(rest) < 2:
                continue
            letters = [c for c in rest if c.isalpha()]
            digits = sum(c.isdigit() for c in rest)
            if ch in CONFUSED and len(letters) > digits:
                lower = sum(c.islower() for c in letters) > len(letters) / 2
                out[i] = CONFUSED[ch][-1] if lower else CONFUSED[ch][0]
            elif ch in CONFUSED_LETTERS and digits > len(letters):
                out[i] = CONFUSED_LETTERS[ch]
        return "".join(out)
    return _WORD.sub(fix, text)


def suggest_fixes(state: ReviewState) -> list[Suggestion]:
    """Look-alike fixes for the segments and track texts not rejected; none is applied."""
    out = []
    for kind in (SEGMENT, TRACK):
        for item in state.live(kind):
            if item["review_state"] != "rejected" and item.get("text"):
                fixed = suggest_fix(item["text"])
                if fixed != item["text"]:
                    out.append(Suggestion(kind, item["id"], item["text"], fixed))
    return out


def accept_suggestions(store: JobStore, job: Job | str,
                       suggestions: list[Suggestion]) -> int | None:
    """Apply the suggestions the analyst accepted (one or all), as one action."""
    state = open_review(store, job)
    changes = []
    for s in suggestions:
        before = _item(state, s.kind, s.item_id)
        if before["text"] != s.text:
            raise ReviewError(f"The text of {s.kind} {s.item_id} changed since the fix was "
                              "suggested; ask for suggestions again.")
        changes.append((s.kind, s.item_id, before, _edited(state, s.kind, before,
                                                           text=s.suggested)))
    return _log(store, state, "fix", changes)


# -- both: verdicts -----------------------------------------------------------------------------

def reject(store: JobStore, job: Job | str, item_id: int, kind: str = SEGMENT) -> int | None:
    """A false reading: it leaves the exports and stays in the log."""
    state = open_review(store, job)
    before = _item(state, kind, item_id)
    return _log(store, state, "reject",
                [(kind, before["id"], before, {**before, "review_state": "rejected"})])


def verify(store: JobStore, job: Job | str, item_id: int | str, kind: str = SEGMENT) -> int | None:
    """The analyst confirms an item; `"all"` confirms every one still unreviewed, as one action.
    An item the analyst added stays `added`."""
    state = open_review(store, job)
    if item_id == "all":
        targets = [it for it in state.live(kind) if it["review_state"] == "unreviewed"]
    else:
        targets = [_item(state, kind, item_id)]
    return _log(store, state, "verify",
                [(kind, it["id"], it, {**it, "review_state": "verified"})
                 for it in targets if it["review_state"] != "added"])


# -- tracks -------------------------------------------------------------------------------------

def relabel_track(store: JobStore, job: Job | str, track_id: int, label: str,
                  class_id: int | None = None) -> int | None:
    state = open_review(store, job)
    before = _item(state, TRACK, track_id)
    label = " ".join((label or "").split())
    if not label:
        raise ReviewError(f"The new label of track {track_id} is empty; type what the object is.")
    changes = {"label": label} | ({"class_id": class_id} if class_id is not None else {})
    after = _edited(state, TRACK, before, **changes) if label != before["label"] else before
    return _log(store, state, "relabel", [(TRACK, before["id"], before, after)])


def set_track_text(store: JobStore, job: Job | str, track_id: int, text: str) -> int | None:
    """Correct the text the track's frames agreed on."""
    state = open_review(store, job)
    before = _item(state, TRACK, track_id)
    text = _text(text, f"track {track_id}")
    after = _edited(state, TRACK, before, text=text) if text != before["text"] else before
    return _log(store, state, "set_text", [(TRACK, before["id"], before, after)])


def merge_tracks(store: JobStore, job: Job | str, track_id: int, other_id: int) -> int:
    """Two tracks of one object (the tracker switched ids): the first takes the other's frames."""
    state = open_review(store, job)
    a, b = _item(state, TRACK, track_id), _item(state, TRACK, other_id)
    if a["id"] == b["id"]:
        raise ReviewError(f"Track {track_id} cannot be merged with itself.")
    if a["first_frame"] <= b["last_frame"] and b["first_frame"] <= a["last_frame"]:
        raise ReviewError(f"Tracks {track_id} and {other_id} are both seen between frames "
                          f"{max(a['first_frame'], b['first_frame'])} and "
                          f"{min(a['last_frame'], b['last_frame'])}; one object cannot be two "
                          "tracks at once, so they are not merged.")
    lo, hi = (a, b) if a["first_frame"] < b["first_frame"] else (b, a)
    merged = _edited(state, TRACK, a, text=a["text"] or b["text"],
                     first_frame=lo["first_frame"], start_s=lo["start_s"],
                     last_frame=hi["last_frame"], end_s=hi["end_s"],
                     sources=a["sources"] + b["sources"])
    return _log(store, state, "merge", [(TRACK, a["id"], a, merged),
                                        (TRACK, b["id"], b, {**b, "merged_into": a["id"]})])


def split_track(store: JobStore, job: Job | str, track_id: int, frame: int) -> int:
    """Cut a track in two at `frame`: a new track (the next free id) holds it from there on."""
    return _split(store, job, TRACK, track_id, frame)


# -- the review workflow ------------------------------------------------------------------------

@dataclass
class Progress:
    total: int
    verified: int
    rejected: int
    added: int
    edited: int

    @property
    def unreviewed(self) -> int:
        return self.total - self.verified - self.rejected - self.added

    @property
    def text(self) -> str:
        return f"{self.verified} of {self.total} verified, {self.rejected} rejected"

    def as_dict(self) -> dict:
        return {"total": self.total, "verified": self.verified, "rejected": self.rejected,
                "added": self.added, "edited": self.edited, "unreviewed": self.unreviewed}


def progress(state: ReviewState, kind: str | None = None) -> Progress:
    """Counts over the job's segments and tracks (or one kind): how far its review is."""
    items = [it for k in ((kind,) if kind else (SEGMENT, TRACK)) for it in state.live(k)]
    states = [it["review_state"] for it in items]
    return Progress(len(items), states.count("verified"), states.count("rejected"),
                    states.count("added"), sum("edited_at" in it for it in items))


def ordered(state: ReviewState, kind: str = SEGMENT, order: str = "reading", *,
            unreviewed_only: bool = False) -> list[dict]:
    """The kind's items in reading order, unreviewed ones first, or lowest confidence first."""
    items = state.live(kind)
    if unreviewed_only:
        items = [it for it in items if it["review_state"] == "unreviewed"]
    if order == "unreviewed":
        items.sort(key=lambda it: it["review_state"] != "unreviewed")
    elif order == "confidence":
        items.sort(key=lambda it: it.get("confidence") if it.get("confidence") is not None
                   else 1.0)
    elif order != "reading":
        raise ReviewError(f"Unknown order “{order}”; use one of {', '.join(ORDERS)}.")
    return items


def next_unreviewed(state: ReviewState, after: int | None = None, kind: str = SEGMENT, *,
                    backwards: bool = False) -> dict | None:
    """The next (or previous) unreviewed item in reading order after the item `after` (from
    the start, or the end, when None); None when there is none that way."""
    return next_unreviewed_in(state.live(kind), after, backwards=backwards)


def next_unreviewed_in(items: list[dict], after: int | None = None, *,
                       backwards: bool = False) -> dict | None:
    """`next_unreviewed` over `items` in the order given (a list as the window shows it)."""
    items = list(reversed(items)) if backwards else items
    ids = [it["id"] for it in items]
    start = ids.index(after) + 1 if after in ids else 0
    return next((it for it in items[start:] if it["review_state"] == "unreviewed"), None)
