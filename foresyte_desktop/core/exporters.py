"""Exports of a results document: JSON, subtitles (SRT, WebVTT and ASS, from text segments),
CSV (one row per OCR line) and a detections CSV (one row per detected object per frame), each
written to a temporary file and renamed. The annotated MP4 is in annotate.py."""
from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import secrets
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from foresyte_desktop.core.errors import ForesyteError

FORMATS = ("json", "srt", "vtt", "ass", "csv", "detections-csv")
SUBTITLE_FORMATS = ("srt", "vtt", "ass")
SUFFIXES = {"detections-csv": "detections.csv"}


def subtitle_cues(doc: dict) -> list[tuple[float, float, list[str]]]:
    """(start_s, end_s, lines) cues that never overlap: where segments share a span, that span
    is one cue holding their lines, top line first. A segment seen in one frame only still
    lasts one frame step."""
    video = doc.get("video") or {}
    step = (doc["job"].get("frame_stride") or 1) / (video.get("fps") or 25.0)
    spans = [(seg["start_s"], max(seg["end_s"], seg["start_s"] + step),
              min((y for _, y in seg.get("box") or []), default=0.0), seg["text"])
             for seg in doc.get("text_segments", [])]
    edges = sorted({t for start, end, _, _ in spans for t in (start, end)})
    cues: list[tuple[float, float, list[str]]] = []
    for start, end in zip(edges, edges[1:]):
        lines = [text for _, text in sorted((top, text) for s, e, top, text in spans
                                            if s <= start and end <= e)]
        if not lines:
            continue
        if cues and cues[-1][1] == start and cues[-1][2] == lines:
            cues[-1] = (cues[-1][0], end, lines)  # the same lines go on: one cue
        else:
            cues.append((start, end, lines))
    return cues


# ASS has no escape for its override braces and backslash: a player hides "{…}" and breaks
# the line at "\N". The same glyphs from the full-width and math blocks show as they read.
ASS_LOOK_ALIKES = str.maketrans({"{": "\uff5b", "}": "\uff5d", "\\": "\u29f5"})


def _cue_text(line: str, fmt: str) -> str:
    # WebVTT reads < and & as markup; the text read must come out as it was read.
    if fmt == "vtt":
        line = line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    elif fmt == "ass":
        line = line.translate(ASS_LOOK_ALIKES)
    return line


def to_subtitles(doc: dict, fmt: str) -> str:
    """The cues of `subtitle_cues` as SRT, WebVTT or ASS (one line of text per line read)."""
    import pysubs2  # here: the command line builds its parser from this module

    subs = pysubs2.SSAFile()
    video = doc.get("video") or {}
    if video.get("width") and video.get("height"):  # ASS places text on the video's grid
        subs.info["PlayResX"], subs.info["PlayResY"] = str(video["width"]), str(video["height"])
    for start, end, lines in subtitle_cues(doc):
        subs.append(pysubs2.SSAEvent(start=round(start * 1000), end=round(end * 1000),
                                     text=r"\N".join(_cue_text(t, fmt) for t in lines)))
    # keep_ssa_tags: braces in the text read are text, not styling to strip.
    options = {"keep_ssa_tags": True} if fmt in ("srt", "vtt") else {}
    return subs.to_string(fmt, **options)


def to_csv(doc: dict) -> str:
    """One row per OCR line per analysed frame: easy to filter in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["frame_index", "time_s", "text", "confidence",
                     "x1", "y1", "x2", "y2", "x3", "y3", "x4", "y4"])
    for frame in doc.get("results", []):
        for line in frame.get("ocr", []):
            writer.writerow([frame["frame_index"], frame["time_s"], line["text"],
                             line["confidence"], *[v for pt in line["box"] for v in pt]])
    return out.getvalue()


def to_detections_csv(doc: dict) -> str:
    """One row per detection per analysed frame, with its track, the text read on it in that
    frame and the text its track agreed on."""
    track_text = {t["id"]: t["text"] for t in doc.get("tracks", [])}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["frame_index", "time_s", "track_id", "label", "class_id", "confidence",
                     "x1", "y1", "x2", "y2", "text", "track_text"])
    for frame in doc.get("results", []):
        for n, det in enumerate(frame.get("detections", [])):
            text = " | ".join(line["text"] for line in frame.get("ocr", [])
                              if line.get("detection") == n)
            track = det.get("track_id")
            writer.writerow([frame["frame_index"], frame["time_s"],
                             "" if track is None else track, det["label"], det["class_id"],
                             det["confidence"], *det["box"], text, track_text.get(track) or ""])
    return out.getvalue()


def to_json(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=1)


def render(doc: dict, fmt: str) -> str:
    if fmt in SUBTITLE_FORMATS:
        return to_subtitles(doc, fmt)
    return {"json": to_json, "csv": to_csv, "detections-csv": to_detections_csv}[fmt](doc)


def suffix(fmt: str) -> str:
    return "." + SUFFIXES.get(fmt, fmt)


@contextlib.contextmanager
def replaced_atomically(path: str | os.PathLike, tmp_suffix: str = "") -> Iterator[Path]:
    """A temporary path beside `path` to write; renamed over `path` when the block ends, removed
    if it raises, so a failed or cancelled export never leaves half a file. The file is created
    by the kernel under the user's umask, like any file the user writes."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:  # a file has the name of a folder on the way
        raise ForesyteError(f"Could not write {path}: {exc.filename} is a file, not a "
                            "folder.") from None
    while True:
        tmp = path.parent / f".tmp-{secrets.token_hex(6)}{tmp_suffix}"
        try:
            os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
            break
        except FileExistsError:
            continue
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_export(doc: dict, fmt: str, path: str | os.PathLike) -> Path:
    """`doc` rendered as `fmt`, written through a temporary file; ForesyteError says why not."""
    path = Path(path)
    try:
        with replaced_atomically(path, suffix(fmt)) as tmp:
            tmp.write_text(render(doc, fmt), encoding="utf-8")
    except OSError as exc:
        raise ForesyteError(f"Could not write {path}: {exc.strerror or exc}.") from None
    return path


def safe_filename(name: str, fallback: str = "export") -> str:
    """A file name made from a video's name that is safe on every platform."""
    name = unicodedata.normalize("NFC", name)
    name = re.sub(r'[\x00-\x1f<>:"/\\|?*]+', "_", name).strip(" .")
    if re.fullmatch(r"(?i)(con|prn|aux|nul|com\d|lpt\d)(\..*)?", name):
        name = "_" + name
    return name[:150] or fallback


def export_name(video_path: str, fmt: str) -> str:
    return f"{safe_filename(Path(video_path).stem)}{suffix(fmt)}"
