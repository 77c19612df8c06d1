"""Exports of a results document: JSON, SRT (from text segments), CSV (one row per OCR line) and
a detections CSV (one row per detected object per frame). The annotated MP4 is in annotate.py."""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from pathlib import Path

FORMATS = ("json", "srt", "csv", "detections-csv")
SUFFIXES = {"detections-csv": "detections.csv"}


def srt_time(seconds: float) -> str:
    ms = max(0, int(round(seconds * 1000)))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


def to_srt(doc: dict) -> str:
    """One cue per text segment. A segment seen in one frame only still lasts one frame step."""
    video = doc.get("video") or {}
    step = (doc["job"].get("frame_stride") or 1) / (video.get("fps") or 25.0)
    cues = []
    for n, seg in enumerate(sorted(doc.get("text_segments", []),
                                   key=lambda s: (s["start_s"], s["end_s"])), start=1):
        end = max(seg["end_s"], seg["start_s"] + step)
        cues.append(f"{n}\n{srt_time(seg['start_s'])} --> {srt_time(end)}\n{seg['text']}\n")
    return "\n".join(cues)


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


RENDERERS = {"json": to_json, "srt": to_srt, "csv": to_csv, "detections-csv": to_detections_csv}


def render(doc: dict, fmt: str) -> str:
    return RENDERERS[fmt](doc)


def safe_filename(name: str, fallback: str = "export") -> str:
    """A file name made from a video's name that is safe on every platform."""
    name = unicodedata.normalize("NFC", name)
    name = re.sub(r'[\x00-\x1f<>:"/\\|?*]+', "_", name).strip(" .")
    if re.fullmatch(r"(?i)(con|prn|aux|nul|com\d|lpt\d)(\..*)?", name):
        name = "_" + name
    return name[:150] or fallback


def export_name(video_path: str, fmt: str) -> str:
    return f"{safe_filename(Path(video_path).stem)}.{SUFFIXES.get(fmt, fmt)}"
