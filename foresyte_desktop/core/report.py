"""The case report's content: per video, the evidence an analyst hands on, gathered without Qt.

For each completed job: the file (name, path, size, SHA-256, duration, resolution, frame rate),
how it was analysed (ForeSyte's version, the pipeline and its settings, the model files with
their SHA-256), when, who reviewed it and how far, the timeline drawn as a picture, the text
segments and tracks the analyst verified or added (with a thumbnail from the video and the
machine's reading where it was corrected), the bookmarks and notes, the watchlist hits, and the
edit log. Unreviewed and rejected items are left out unless asked for, and are then marked.

A report vouches only for the file that was analysed. The first report of a run takes the
file's SHA-256 (refusing a file whose size or modification time differ from those recorded when
it was queued) and keeps it in the store; every later report, and `verify`, refuses a file
whose SHA-256 no longer matches it. The thumbnails are decoded in the supervised decode child
(decode_process.py): a file that breaks the decoder leaves a report without pictures, never a
crashed process. Each video's part carries the SHA-256 of the results JSON it was built from
(`foresyte export JOB` writes that document while the store is unchanged).
"""
from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass, field
from datetime import datetime
from importlib.util import find_spec
from pathlib import Path

import cv2
from PIL import Image, ImageDraw, ImageFont

from foresyte_desktop import __version__
from foresyte_desktop.core import decode_process
from foresyte_desktop.core.alerts import Alert, list_alerts
from foresyte_desktop.core.cases import case_job_ids, case_of, find_case
from foresyte_desktop.core.errors import ForesyteError, VideoError
from foresyte_desktop.core.exporters import to_json
from foresyte_desktop.core.formatting import video_time
from foresyte_desktop.core.model import Job
from foresyte_desktop.core.model_trust import model_sha256, sha256_file
from foresyte_desktop.core.notes import NOTE, live_notes
from foresyte_desktop.core.paths import models_dir
from foresyte_desktop.core.results import build_results
from foresyte_desktop.core.review import open_review, progress
from foresyte_desktop.core.review_apply import corrected_results
from foresyte_desktop.core.review_log import SEGMENT, TRACK, ReviewState, run_of, user_name
from foresyte_desktop.core.store import JobStore, utcnow
from foresyte_desktop.core.timeline import build_timeline
from foresyte_desktop.core.tracks import build_tracks, quad_bounds

SHOWN = ("verified", "added")  # what a report holds by default
LINE_SIZE = (240, 40)  # a text line's crop fits in this (width, height)
OBJECT_SIZE = (120, 90)
FRAME_WIDTH = 240
TIMELINE_SIZE = (660, 22)  # width, and the height of one row
STATE_COLOURS = {"verified": (46, 125, 50), "added": (21, 101, 192),
                 "unreviewed": (239, 108, 0), "rejected": (198, 40, 40)}


class ReportError(ForesyteError):
    """No report can be made: a job not completed, a file missing or changed since it was read."""


@dataclass
class Picture:
    """An image embedded in the report (JPEG or PNG bytes)."""
    data: bytes
    mime: str
    width: int
    height: int


@dataclass
class SegmentRow:
    id: int
    state: str
    first_frame: int
    last_frame: int
    start_s: float
    end_s: float
    text: str
    machine_text: str | None  # what the machine read, where the analyst corrected it
    picture: Picture | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class TrackRow:
    id: int
    state: str
    label: str
    machine_label: str | None
    text: str | None
    machine_text: str | None
    first_frame: int
    last_frame: int
    start_s: float
    end_s: float
    picture: Picture | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        """Time on screen: from the first to the last frame it was seen on."""
        return max(0.0, self.end_s - self.start_s)


@dataclass
class BookmarkRow:
    id: int
    frame: int
    time_s: float
    text: str
    by: str
    made_at: str
    picture: Picture | None = None


@dataclass
class LogRow:
    seq: int
    at: datetime
    user: str
    op: str
    what: str
    earlier_run: bool


@dataclass
class VideoReport:
    job_id: str
    name: str
    path: str
    size: int
    sha256: str
    duration_s: float | None
    width: int | None
    height: int | None
    fps: float | None
    frame_count: int | None
    version: str
    pipeline: str
    settings: list[tuple[str, str]]
    models: list[tuple[str, str]]  # (file, its SHA-256 or what it is)
    queued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    reviewers: list[str]
    counts: dict[str, dict]
    case: str | None
    timeline: Picture
    segments: list[SegmentRow]
    tracks: list[TrackRow]
    bookmarks: list[BookmarkRow]
    alerts: list[Alert]
    log: list[LogRow]
    results_sha256: str
    pictures_missing: str | None = None  # why there are no thumbnails, if there are none


@dataclass
class Report:
    title: str
    case: str | None
    made_at: datetime
    made_by: str
    version: str
    include_unreviewed: bool
    videos: list[VideoReport]
    left_out: list[str] = field(default_factory=list)  # the case's jobs not completed


# -- the input file's hash ----------------------------------------------------------------------

def checked_sha256(store: JobStore, job: Job) -> tuple[int, str]:
    """The size and SHA-256 of the job's input file, after checking it is the file that was
    analysed: the hash kept for this run, or (on the first call) the size and modification time
    recorded when it was queued; ReportError saying what changed otherwise."""
    name, run = Path(job.input_path).name, run_of(job)
    try:
        st = os.stat(job.input_path)
        digest = sha256_file(job.input_path)
    except OSError as exc:
        raise ReportError(f"“{name}” cannot be read at {job.input_path} "
                          f"({exc.strerror or exc}); a report vouches only for a file it reads, "
                          "so none was made.") from None
    kept = store.query("SELECT size, sha256 FROM input_hashes WHERE job_id = ? AND run = ?",
                       [job.job_id, run])
    if kept:
        size, sha = kept[0]
        if digest != sha:
            raise ReportError(
                f"The SHA-256 of “{name}” no longer matches the one recorded for its analysis "
                f"(now {digest}, then {sha}): the file has changed since it was analysed, so "
                "no report was made.")
        return size, sha
    if st.st_size != job.input_size or st.st_mtime != job.input_mtime:
        what = (f"its size is {st.st_size:,} bytes, not the {job.input_size:,} it had"
                if st.st_size != job.input_size else "it was modified after it was queued")
        raise ReportError(
            f"“{name}” has changed since it was analysed ({what}): its hash no longer matches "
            "the file that was read, so no report was made.")

    def work(cur):
        cur.execute("INSERT INTO input_hashes VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    [job.job_id, run, st.st_size, digest, utcnow()])
    store.transaction(work)
    return st.st_size, digest


def results_sha256(doc: dict) -> str:
    """The SHA-256 of a results document as `foresyte export` writes it (UTF-8 JSON)."""
    return hashlib.sha256(to_json(doc).encode("utf-8")).hexdigest()


# -- which jobs -----------------------------------------------------------------------------

def resolve(store: JobStore, names: list[str]) -> tuple[str | None, list[Job]]:
    """The jobs that `names` (case names or job ids, or the first characters of an id) name,
    in that order without repeats, and the case's name when `names` name one case alone (then
    `build_report(store, [], case=…)` makes the case's report). ReportError for a name that is
    neither."""
    jobs: dict[str, Job] = {}
    cases = []
    for name in names:
        case = find_case(store, name)
        if case is not None:
            cases.append(case.name)
            ids = case_job_ids(store, case.name)
            if not ids:
                raise ReportError(f"The case “{case.name}” holds no jobs yet; add some with "
                                  f"`foresyte case add \"{case.name}\" JOB…`.")
            for job_id in ids:
                jobs.setdefault(job_id, store.get_job(job_id))
            continue
        job = store.find_job(name)
        if job is None:
            raise ReportError(f"“{name}” is neither a case nor a job (see `foresyte case list` "
                              "and `foresyte jobs`).")
        jobs.setdefault(job.job_id, job)
    return (cases[0] if len(set(cases)) == 1 and len(cases) == len(names) else None), \
        list(jobs.values())


# -- building -------------------------------------------------------------------------------

def build_report(store: JobStore, jobs: list[Job | str], *, case: str | None = None,
                 include_unreviewed: bool = False, data_dir: Path | None = None,
                 title: str | None = None) -> Report:
    """The report of `jobs`, or, when `jobs` is empty, of the case named `case` (whose jobs not
    completed are left out, and named on the first page). Checked first: ReportError, before
    anything is decoded, for a job named that is not completed, or a file changed."""
    whole_case = not jobs and case is not None
    if whole_case:
        jobs = case_job_ids(store, case)
    found, left_out = [], []
    for job in jobs:
        job_id = job if isinstance(job, str) else job.job_id
        current = store.get_job(job_id)
        if current is None:
            raise ReportError(f"There is no job {job_id}; no report was made.")
        if current.status != "completed":
            if whole_case:
                left_out.append(f"“{Path(current.input_path).name}” ({current.status})")
                continue
            raise ReportError(f"“{Path(current.input_path).name}” is {current.status}; only "
                              "completed jobs go into a report.")
        found.append(current)
    if not found:
        raise ReportError("A report needs at least one completed job"
                          + (f"; the case “{case}” has none." if whole_case else "."))
    hashes = [checked_sha256(store, job) for job in found]
    videos = [_video(store, job, size, sha, include_unreviewed, data_dir)
              for job, (size, sha) in zip(found, hashes)]
    names = {v.case for v in videos}
    case = case or (names.pop() if len(names) == 1 else None)
    return Report(title or (case if case else ", ".join(v.name for v in videos)), case,
                  utcnow(), user_name(), __version__, include_unreviewed, videos, left_out)


def _shown(item: dict, include_unreviewed: bool) -> bool:
    return include_unreviewed or item["review_state"] in SHOWN


def _machine_text(item: dict, key: str = "text") -> str | None:
    machine = item.get(f"machine_{key}")
    return machine if "edited_at" in item and machine != item.get(key) else None


def _video(store: JobStore, job: Job, size: int, sha: str, include_unreviewed: bool,
           data_dir: Path | None) -> VideoReport:
    state = open_review(store, job)
    doc = build_results(store, job)
    frames, _, _ = corrected_results(store, job)
    info = doc["video"]
    notes = live_notes(state)
    on_item: dict[tuple[str, int], list[str]] = {}
    for note in notes:
        if note["on"] != "frame":
            on_item.setdefault((note["on"], note["target"]), []).append(note["text"])
    segments = [SegmentRow(s["id"], s["review_state"], s["first_frame"], s["last_frame"],
                           s["start_s"], s["end_s"], s["text"], _machine_text(s),
                           notes=on_item.get((SEGMENT, s["id"]), []))
                for s in state.live(SEGMENT) if _shown(s, include_unreviewed)]
    tracks = [TrackRow(t["id"], t["review_state"], t["label"], _machine_text(t, "label"),
                       t.get("text"), _machine_text(t), t["first_frame"], t["last_frame"],
                       t["start_s"], t["end_s"], notes=on_item.get((TRACK, t["id"]), []))
              for t in state.live(TRACK) if _shown(t, include_unreviewed)]
    bookmarks = [BookmarkRow(n["id"], n["frame"], n["time_s"], n["text"], n["by"],
                             n["made_at"]) for n in notes if n["on"] == "frame"]
    missing = _add_pictures(store, job, state, segments, tracks, bookmarks)
    shown = [{"start_s": s.start_s, "end_s": s.end_s, "text": s.text} for s in segments]
    timeline = build_timeline(frames, info.get("duration_s") or 0.0, segments=shown)
    this_run = [e for e in state.log if e.run == state.run]
    counts = {"segments": progress(state, SEGMENT).as_dict(),
              "tracks": progress(state, TRACK).as_dict(),
              "notes": {"bookmarks": len(bookmarks), "notes": len(notes) - len(bookmarks)}}
    return VideoReport(
        job.job_id, Path(job.input_path).name, str(Path(job.input_path).resolve()), size, sha,
        info.get("duration_s"), info.get("width"), info.get("height"), info.get("fps"),
        info.get("frame_count"), __version__, job.pipeline_id, _settings(job),
        _models(job, data_dir), job.created_at, job.started_at, job.finished_at,
        sorted({e.user for e in this_run}), counts, case_of(store, job),
        draw_timeline(timeline, [s.state for s in segments], [b.time_s for b in bookmarks]),
        segments, tracks, bookmarks,
        sorted(list_alerts(store, job_ids=[job.job_id]), key=lambda a: a.time_s),
        [_log_row(e, state) for e in state.log], results_sha256(doc), missing)


def _settings(job: Job) -> list[tuple[str, str]]:
    roi = ", ".join(f"{v:g}" for v in job.roi) if job.roi else "the whole frame"
    return [("pipeline", job.pipeline_id),
            ("frame stride", f"one frame in {job.frame_stride} analysed" if job.frame_stride > 1
             else "every frame analysed"),
            ("frame limit", str(job.max_frames) if job.max_frames else "none"),
            ("text region (x1, y1, x2, y2)", roi),
            ("detector model", job.model_path or "none")]


def _models(job: Job, data_dir: Path | None) -> list[tuple[str, str]]:
    """The model files the job's pipeline loads, as installed now, with their SHA-256."""
    out = []
    spec = find_spec("rapidocr_onnxruntime")
    if spec and spec.submodule_search_locations:
        folder = Path(list(spec.submodule_search_locations)[0]) / "models"
        for path in sorted(folder.glob("*.onnx")):
            if "_det_" in path.name or "_rec_" in path.name:  # the ones the text engine loads
                out.append((f"RapidOCR {path.name}", model_sha256(path)))
    if job.pipeline_id == "yolo_ocr":
        given = Path(job.model_path or "yolo11n.pt").expanduser()
        candidates = [given] + ([models_dir(Path(data_dir)) / given.name] if data_dir else [])
        path = next((p for p in candidates if p.is_file()), None)
        if path is not None:
            out.append((f"YOLO {path}", model_sha256(path)))
        elif given.suffix.lower() in (".yaml", ".yml"):
            out.append((f"YOLO {given.name}", "built from ultralytics' model definition: "
                                              "no weights file"))
        else:
            out.append((f"YOLO {given}", "not found on this computer now"))
    return out


def _log_row(entry, state: ReviewState) -> LogRow:
    before, after = entry.before or {}, entry.after or {}
    target = f"{entry.kind} {entry.target}" if entry.kind else ""
    if entry.op in ("undo", "redo"):
        what = f"{entry.op} of action {entry.undoes}"
    elif entry.kind == NOTE:
        where = after.get("on", "")
        what = (f"{target} on {where} {after.get('target') or after.get('frame')}: "
                f"“{after.get('text', '')}”" + (" (removed)" if after.get("removed") else ""))
    elif before.get("text") != after.get("text") and after.get("text") is not None:
        what = f"{target}: “{before.get('text', '')}” → “{after['text']}”" if before else \
            f"{target}: “{after['text']}”"
    elif before.get("review_state") != after.get("review_state"):
        what = f"{target}: {before.get('review_state')} → {after.get('review_state')}"
    else:
        changed = sorted(k for k in after if after.get(k) != before.get(k)
                         and k not in ("edited_at", "sources"))
        what = f"{target}: {', '.join(changed) or 'changed'}"
    return LogRow(entry.seq, entry.at, entry.user, entry.op, what, entry.run != state.run)


# -- pictures -------------------------------------------------------------------------------

def _add_pictures(store: JobStore, job: Job, state: ReviewState, segments: list[SegmentRow],
                  tracks: list[TrackRow], bookmarks: list[BookmarkRow]) -> str | None:
    """Thumbnails for the rows, decoded in the decode child; returns why there are none when
    the file could not be decoded."""
    boxes = {t["id"]: t["boxes"] for t in build_tracks(store.frame_results(job.job_id))}
    requests, rows = [], []
    for row in segments:
        box = state.items[(SEGMENT, row.id)].get("box")
        if box:
            requests.append((row.first_frame, "line", [list(p) for p in box]))
            rows.append(row)
    for row in tracks:
        held = [b for source in state.items[(TRACK, row.id)]["sources"]
                for b in boxes.get(source, ())
                if row.first_frame <= b["frame_index"] <= row.last_frame]
        if held:
            middle = sorted(held, key=lambda b: b["frame_index"])[len(held) // 2]
            requests.append((middle["frame_index"], "object", list(middle["box"])))
            rows.append(row)
    for row in bookmarks:
        requests.append((row.frame, "frame", None))
        rows.append(row)
    if not requests:
        return None
    try:
        pictures = decode_process.shared().call(
            frame_pictures, job.input_path, requests,
            timeout=decode_process.CALL_TIMEOUT_S + 2.0 * len(requests))
    except VideoError as exc:
        return str(exc)
    for row, found in zip(rows, pictures):
        if found is not None:
            row.picture = Picture(found[0], "image/jpeg", found[1], found[2])
    return None


def frame_pictures(path: str, requests: list[tuple[int, str, list | None]]
                   ) -> list[tuple[bytes, int, int] | None]:
    """JPEG thumbnails (bytes, width, height) for (frame, "line" | "object" | "frame", box)
    requests: an OCR line's corners or an object's x1, y1, x2, y2 cropped with a margin, or
    the whole frame made small; None for a frame that cannot be decoded (decode child side)."""
    out: list = [None] * len(requests)
    # In frame order, so that the open file is decoded forward between near frames.
    for n in sorted(range(len(requests)), key=lambda i: requests[i][0]):
        frame, kind, box = requests[n]
        image = decode_process.viewer_frame(path, frame)
        if image is None:
            continue
        h, w = image.shape[:2]
        if kind == "frame":
            fit = (FRAME_WIDTH, FRAME_WIDTH * h // max(1, w))
        else:
            x1, y1, x2, y2 = quad_bounds(box) if kind == "line" else box
            pad = max(4.0, 0.25 * (y2 - y1))
            x1, y1 = max(0, int(x1 - pad)), max(0, int(y1 - pad))
            x2, y2 = min(w, int(x2 + pad) + 1), min(h, int(y2 + pad) + 1)
            if x2 <= x1 or y2 <= y1:
                continue
            image = image[y1:y2, x1:x2]
            fit = LINE_SIZE if kind == "line" else OBJECT_SIZE
        scale = min(fit[0] / image.shape[1], fit[1] / image.shape[0])
        size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA if scale < 1
                           else cv2.INTER_CUBIC)
        ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 88])
        out[n] = (data.tobytes(), size[0], size[1]) if ok else None
    return out


def draw_timeline(timeline, states: list[str], bookmarks: list[float]) -> Picture:
    """The timeline as a PNG: a row per object class (how many are on screen), the text
    segments coloured by review state, the bookmarks, and a time axis."""
    width, row = TIMELINE_SIZE
    left = 110
    labels = list(timeline.density)
    rows = labels + ["text", "bookmarks"]
    height = row * len(rows) + 24
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=12)
    span = width - left - 10

    def x(seconds: float) -> float:
        return left + span * min(max(seconds / timeline.duration_s, 0.0), 1.0)

    for n, name in enumerate(rows):
        top = n * row
        draw.rectangle([left, top + 3, left + span, top + row - 3], fill=(238, 238, 238))
        draw.text((4, top + row / 2), name, fill="black", font=font, anchor="lm")
        if name in timeline.density:
            values = timeline.density[name]
            peak = max(values) or 1.0
            for b, v in enumerate(values):
                if v:
                    shade = int(200 - 170 * v / peak)
                    draw.rectangle([x(b * timeline.bin_s), top + 3,
                                    x((b + 1) * timeline.bin_s), top + row - 3],
                                   fill=(shade, shade, 255))
    text_top = len(labels) * row
    for (start, end, _), state in zip(timeline.text_bars, states):
        draw.rectangle([x(start), text_top + 4, max(x(end), x(start) + 2), text_top + row - 4],
                       fill=STATE_COLOURS.get(state, (90, 90, 90)))
    mark_top = text_top + row
    for t in bookmarks:
        cx = x(t)
        draw.polygon([(cx - 5, mark_top + 4), (cx + 5, mark_top + 4), (cx, mark_top + row - 5)],
                     fill=(123, 31, 162))
    axis = len(rows) * row + 2
    draw.line([left, axis, left + span, axis], fill="black")
    for k in range(5):
        t = timeline.duration_s * k / 4
        draw.line([x(t), axis, x(t), axis + 4], fill="black")
        draw.text((x(t), axis + 7), video_time(t), fill="black", font=font,
                  anchor="ma" if 0 < k < 4 else ("la" if k == 0 else "ra"))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return Picture(buffer.getvalue(), "image/png", width, height)

