"""The results JSON (schema in docs/results-schema.md), built from the store's per-frame tables.

A completed job's document is its review's corrected state (review_apply.py); building it the
first time stores the run's segments and tracks under their ids (review_log.py).
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from foresyte_desktop.core.model import FrameResult, Job
from foresyte_desktop.core.review_apply import (
    machine_segments, review_record, reviewed_frames, reviewed_segments, reviewed_tracks,
)
from foresyte_desktop.core.review_log import load, run_lines, store_run
from foresyte_desktop.core.segments import merge_segments
from foresyte_desktop.core.store import JobStore
from foresyte_desktop.core.tracks import attach_lines, build_tracks

# 2: a yolo_ocr frame's carried detections are named by `objects_from`; `reused_from` is
# about its text only, as in ocr_only.
# 3: the analyst's review: review_state, machine_text, edited_at and the `review` object.
SCHEMA_VERSION = 3


def _iso(ts: datetime | None) -> str | None:
    return ts.isoformat(timespec="milliseconds") + "Z" if ts else None


def frame_record(frame: FrameResult) -> dict:
    ocr = [asdict(o) for o in frame.ocr]
    for line in ocr:
        if line["machine_text"] is None:  # as read: the segments say what was corrected
            del line["machine_text"]
    for line, owner in zip(ocr, attach_lines(frame)):
        if owner is not None:  # the index of the detection the text is written on
            line["detection"] = owner
    record = {"frame_index": frame.frame_index, "time_s": round(frame.time_s, 4),
              "ocr": ocr, "detections": [asdict(d) for d in frame.detections]}
    if frame.reused_from is not None:
        record["reused_from"] = frame.reused_from
    if frame.checked is not None:
        record["checked"] = frame.checked
    if frame.objects_from is not None:
        record["objects_from"] = frame.objects_from
    return record


def build_results(store: JobStore, job: Job, *, machine: bool = False) -> dict:
    """The whole results document of a job, from what the store holds now: for a completed
    job, with its review applied, or (`machine`) as the machine read it."""
    frames = list(store.frame_results(job.job_id))
    video = store.video_info(job.job_id)
    records, review = None, None
    if job.status != "completed":
        segments, tracks = merge_segments(frames), build_tracks(frames)
    else:
        store_run(store, job, frames)
        state = load(store, job)
        if machine:
            segments, tracks = machine_segments(state), build_tracks(frames)
        else:
            corrected, owners = reviewed_frames(state, run_lines(store, job.job_id, state.run),
                                                frames)
            records = [frame_record(f) for f in corrected]
            for record, ids in zip(records, owners):
                for line, segment in zip(record["ocr"], ids):
                    if segment is not None:
                        line["segment"] = segment
            segments, tracks = reviewed_segments(state), reviewed_tracks(state, frames)
            review = review_record(state)
    doc = {
        "schema_version": SCHEMA_VERSION,
        "job": {"job_id": job.job_id, "pipeline_id": job.pipeline_id,
                "frame_stride": job.frame_stride, "max_frames": job.max_frames,
                "model_path": job.model_path, "status": job.status,
                "created_at": _iso(job.created_at), "finished_at": _iso(job.finished_at),
                "frames_done": job.frames_done, "unreadable_frames": job.unreadable_frames,
                "resume_count": job.resume_count, "error_message": job.error_message,
                "roi": list(job.roi) if job.roi else None},
        "video": asdict(video) if video else {"path": job.input_path, "width": None,
                                              "height": None, "fps": None,
                                              "frame_count": None, "duration_s": None},
        "results": records if records is not None else [frame_record(f) for f in frames],
        "text_segments": segments,
        "tracks": tracks,
    }
    if review is not None:
        doc["review"] = review
    return doc


def write_json(doc: dict, path: str | os.PathLike) -> Path:
    """Write atomically (temp file, then rename), so a crash never leaves half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, ensure_ascii=False, indent=1)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
