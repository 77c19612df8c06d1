"""The corrected state applied to what a job read: the results document's parts, and the OCR
lines search indexes.

Each OCR line merged into a segment, and each detection of a track, follows the item that now
holds it (after splits and merges: the one covering its frame). A line or a detection whose
item was rejected, or whose frame its item no longer covers, leaves; a line of a segment whose
text was corrected shows the correction, on every frame. Lines the analyst added are searched
on every analysed frame they cover.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

import numpy as np

from foresyte_desktop.core.model import Detection, FrameResult, Job, OcrLine
from foresyte_desktop.core.review import Action, Progress, history, progress
from foresyte_desktop.core.review_log import (
    SEGMENT, TRACK, ReviewState, live_notes, load, run_lines, store_run,
)
from foresyte_desktop.core.segments import merge_segments
from foresyte_desktop.core.store import JobStore
from foresyte_desktop.core.tracks import build_tracks

INTERNAL = ("sources", "merged_into")  # how the review finds an item's lines, never exported
MACHINE_ONLY = (*INTERNAL, "review_state", "id")


class _Owners:
    """Which current item holds a machine item's line or detection on a frame."""

    def __init__(self, state: ReviewState, kind: str):
        self.by_source: dict[int, list[dict]] = defaultdict(list)
        for item in state.live(kind):
            for source in item["sources"]:
                self.by_source[source].append(item)

    def at(self, source: int, frame: int) -> dict | None:
        """The item holding it, or None when it left (rejected, or outside every item)."""
        held = self.by_source.get(source, ())
        if len(held) == 1:  # most machine items: never split nor merged
            item = held[0] if held[0]["first_frame"] <= frame <= held[0]["last_frame"] else None
        else:
            item = next((it for it in held if it["first_frame"] <= frame <= it["last_frame"]),
                        None)
        return None if item is None or item["review_state"] == "rejected" else item


def _corrected(item: dict) -> bool:
    return "edited_at" in item and item["text"] != item.get("machine_text")


def _public(item: dict) -> dict:
    return {k: v for k, v in item.items() if k not in INTERNAL}


def _logged(item: dict) -> dict:
    """An item as the exported log shows it: a merged one says what it was merged into."""
    return {k: v for k, v in item.items() if k != "sources"}


def reviewed_frames(state: ReviewState, lines: dict[tuple[int, int], int],
                    frames: list[FrameResult]) -> tuple[list[FrameResult], list[list[int | None]]]:
    """The frames as corrected, and for each the segment id of each of its OCR lines. A
    corrected line keeps what the machine read in `machine_text`; the lines the analyst added
    are on every analysed frame they cover, with `machine_text` "" (nothing was read)."""
    segments, tracks = _Owners(state, SEGMENT), _Owners(state, TRACK)
    added = [s for s in state.live(SEGMENT) if s["review_state"] == "added"]
    out, ids = [], []
    for frame in frames:
        ocr, owners, changed = [], [], False
        for n, line in enumerate(frame.ocr):
            source = lines.get((frame.frame_index, n))
            owner = None if source is None else segments.at(source, frame.frame_index)
            if source is not None and owner is None:
                changed = True
                continue
            if owner is not None and _corrected(owner):
                line = OcrLine(owner["text"], line.confidence, line.box,
                               machine_text=line.text)
                changed = True
            ocr.append(line)
            owners.append(owner["id"] if owner else None)
        for seg in added:
            if seg["first_frame"] <= frame.frame_index <= seg["last_frame"]:
                ocr.append(OcrLine(seg["text"], 1.0, seg["box"], machine_text=""))
                owners.append(seg["id"])
                changed = True
        dets = []
        for det in frame.detections:
            if det.track_id is not None:
                owner = tracks.at(det.track_id, frame.frame_index)
                if owner is None:
                    changed = True
                    continue
                if (owner["label"], owner["class_id"], owner["id"]) != \
                        (det.label, det.class_id, det.track_id):
                    det = Detection(owner["label"], owner["class_id"], det.confidence, det.box,
                                    owner["id"])
                    changed = True
            dets.append(det)
        # A frame the review leaves as read is the machine's own record (no copy to make).
        out.append(replace(frame, ocr=ocr, detections=dets) if changed else frame)
        ids.append(owners)
    return out, ids


def reviewed_segments(state: ReviewState) -> list[dict]:
    """The segments in reading order, rejected ones left out."""
    return [_public(s) for s in state.live(SEGMENT) if s["review_state"] != "rejected"]


def reviewed_tracks(state: ReviewState, frames: list[FrameResult]) -> list[dict]:
    """The tracks not rejected, each with the boxes of the frames it now covers; `frames` are
    the machine's."""
    boxes = {t["id"]: t["boxes"] for t in build_tracks(frames)}
    out = []
    for item in state.live(TRACK):
        if item["review_state"] == "rejected":
            continue
        held = sorted((b for source in item["sources"] for b in boxes.get(source, ())
                       if item["first_frame"] <= b["frame_index"] <= item["last_frame"]),
                      key=lambda b: b["frame_index"])
        track = _public(item)
        if held:
            track.update(first_frame=held[0]["frame_index"], last_frame=held[-1]["frame_index"],
                         start_s=held[0]["time_s"], end_s=held[-1]["time_s"])
        track["boxes"] = held
        out.append(track)
    out.sort(key=lambda t: (t["first_frame"], t["id"]))
    return out


def machine_segments(state: ReviewState) -> list[dict]:
    """The segments as the machine read them, with their ids."""
    items = sorted((it for (kind, _), it in state.machine.items() if kind == SEGMENT),
                   key=lambda it: it["id"])
    return [{"id": it["id"], **{k: v for k, v in it.items() if k not in MACHINE_ONLY}}
            for it in items]


def review_record(state: ReviewState) -> dict:
    """The results document's `review` object: counts, the actions in effect and the whole log."""
    done, undone = history(state)
    return {
        "counts": {"segments": progress(state, SEGMENT).as_dict(),
                   "tracks": progress(state, TRACK).as_dict()},
        "run": state.run.isoformat(timespec="milliseconds") + "Z",
        "in_effect": [a.action for a in done], "undone": [a.action for a in undone],
        "log": [{"seq": e.seq, "action": e.action, "op": e.op, "kind": e.kind,
                 "target": e.target, "before": e.before and _logged(e.before),
                 "after": e.after and _logged(e.after), "undoes": e.undoes,
                 "at": e.at.isoformat(timespec="milliseconds") + "Z", "user": e.user,
                 "earlier_run": e.run != state.run} for e in state.log],
    }


def ocr_columns(store: JobStore, job_ids: list[str]) -> dict:
    """`JobStore.ocr_columns` as corrected by each job's review."""
    cols = store.ocr_columns(job_ids)
    edited = {str(r[0]) for r in store.query(
        "SELECT DISTINCT job_id FROM review_log WHERE list_contains(?, CAST(job_id AS VARCHAR))",
        [job_ids])}
    if not edited:
        return cols
    bounds = np.searchsorted(cols["job"], np.arange(len(job_ids) + 1))
    pieces: dict[str, list] = {k: [] for k in cols}
    for n, job_id in enumerate(job_ids):
        part = {k: v[bounds[n]:bounds[n + 1]] for k, v in cols.items()}
        job = store.get_job(job_id) if job_id in edited else None
        if job is not None and job.status == "completed":
            state = load(store, job)
            if state.done:
                part = _corrected_columns(store, state, n, part)
        for k in cols:
            pieces[k].append(part[k])
    return {k: np.concatenate(v) for k, v in pieces.items()}


def _corrected_columns(store: JobStore, state: ReviewState, n: int, part: dict) -> dict:
    lines = run_lines(store, state.job_id, state.run)
    owners = _Owners(state, SEGMENT)
    keep = np.ones(len(part["text"]), bool)
    texts = np.array(part["text"], dtype=object)
    line_no, previous = 0, None
    for i, frame in enumerate(part["frame_index"].tolist()):
        line_no = line_no + 1 if frame == previous else 0
        previous = frame
        source = lines.get((frame, line_no))
        if source is None:
            continue
        owner = owners.at(source, frame)
        if owner is None:
            keep[i] = False
        elif _corrected(owner):
            texts[i] = owner["text"]
    out = {k: np.asarray(v)[keep] for k, v in part.items()}
    out["text"] = texts[keep]
    added = [s for s in state.live(SEGMENT) if s["review_state"] == "added"]
    extra = []
    for seg in added:
        extra += [(fi, t, seg) for fi, t in store.query(
            "SELECT frame_index, time_s FROM frames WHERE job_id = ? AND frame_index BETWEEN ? "
            "AND ?", [state.job_id, seg["first_frame"], seg["last_frame"]])]
    if extra:
        corners = {f"{'xy'[i % 2]}{i // 2 + 1}": [s["box"][i // 2][i % 2] for _, _, s in extra]
                   for i in range(8)}
        new = {"job": [n] * len(extra), "frame_index": [fi for fi, _, _ in extra],
               "time_s": [t for _, t, _ in extra], "text": [s["text"] for _, _, s in extra],
               "confidence": [1.0] * len(extra), **corners}
        out = {k: np.concatenate([out[k], np.array(new[k], dtype=out[k].dtype)]) for k in out}
        order = np.argsort(out["frame_index"], kind="stable")
        out = {k: v[order] for k, v in out.items()}
    return out


def corrected_results(store: JobStore, job: Job) -> tuple[list[FrameResult], list[dict],
                                                         list[dict]]:
    """A job's frames, segments and tracks as reviewed, for what draws them (the annotated
    MP4, the PNG frame, the viewer); a job not completed is as read so far."""
    frames = list(store.frame_results(job.job_id))
    if job.status != "completed":
        return frames, merge_segments(frames), build_tracks(frames)
    store_run(store, job, frames)
    state = load(store, job)
    corrected, _ = reviewed_frames(state, run_lines(store, job.job_id, state.run), frames)
    return corrected, reviewed_segments(state), reviewed_tracks(state, frames)


@dataclass
class ReviewView:
    """What a window shows of a completed job's review, from the machine's frames."""
    frames: list[FrameResult]           # as corrected
    owners: dict[int, list[int | None]]  # frame index -> the segment id of each of its lines
    segments: list[dict]                # every segment in reading order, rejected ones too
    tracks: list[dict]                  # every track; rejected ones have no boxes
    progress: Progress
    done: list[Action]                  # the actions in effect, oldest first
    undone: list[Action]                # those redo brings back, the next one last
    notes: list[dict]                   # bookmarks and notes (core/notes.py), by frame


def review_view(store: JobStore, job: Job, frames: list[FrameResult]) -> ReviewView:
    """The review of a completed job as it stands, applied to its machine `frames` (all of
    them, in order)."""
    store_run(store, job, frames)
    state = load(store, job)
    corrected, ids = reviewed_frames(state, run_lines(store, job.job_id, state.run), frames)
    tracks = reviewed_tracks(state, frames) + [
        {**_public(t), "boxes": []} for t in state.live(TRACK) if t["review_state"] == "rejected"]
    done, undone = history(state)
    return ReviewView(corrected, {f.frame_index: i for f, i in zip(corrected, ids)},
                      [_public(s) for s in state.live(SEGMENT)], tracks, progress(state),
                      done, undone, live_notes(state))
