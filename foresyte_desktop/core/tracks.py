"""Object tracks (`yolo_ocr`) and the text read on them.

The tracker gives each detection a track id that stays with the object from frame to frame.
An OCR line belongs to the smallest detection containing its centre (a plate on a truck, a
number on a jersey). Per track, the text read in each frame is a vote and the reading most
frames agree on becomes the track's text, so one misread frame is outvoted.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from foresyte_desktop.core.model import Detection, FrameResult, OcrLine
from foresyte_desktop.core.text import normalise


def iou(a, b) -> float:
    """Intersection over union of two (x1, y1, x2, y2) boxes."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def overlap_share(a, b) -> float:
    """The intersection of two (x1, y1, x2, y2) boxes as a share of the smaller one."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w * h / max(smaller, 1e-6)


def quad_bounds(box: list[list[float]]) -> tuple[float, float, float, float]:
    """x1, y1, x2, y2 of an OCR line's four corners."""
    xs = [p[0] for p in box]
    ys = [p[1] for p in box]
    return min(xs), min(ys), max(xs), max(ys)


def boxes_overlap(a: list[list[float]], b: list[list[float]]) -> bool:
    ax1, ay1, ax2, ay2 = quad_bounds(a)
    bx1, by1, bx2, by2 = quad_bounds(b)
    return ax1 < bx2 and bx1 < ax2 and ay1 < by2 and by1 < ay2


def containing_detection(box: list[list[float]], detections: list[Detection]) -> int | None:
    """Index of the smallest detection whose box holds the centre of the OCR line `box`."""
    x1, y1, x2, y2 = quad_bounds(box)
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    best, best_area = None, float("inf")
    for i, det in enumerate(detections):
        dx1, dy1, dx2, dy2 = det.box
        area = (dx2 - dx1) * (dy2 - dy1)
        if dx1 <= cx <= dx2 and dy1 <= cy <= dy2 and area < best_area:
            best, best_area = i, area
    return best


def attach_lines(frame: FrameResult) -> list[int | None]:
    """For each OCR line of the frame, the index of the detection it is written on, or None."""
    if not frame.detections:  # text alone (ocr_only): nothing to measure
        return [None] * len(frame.ocr)
    return [containing_detection(line.box, frame.detections) for line in frame.ocr]


def _reading(lines: list[OcrLine]) -> str:
    """The lines on one object joined in reading order: rows top to bottom, each left to right."""
    rows: list[list[tuple[float, float, OcrLine]]] = []
    for line in sorted(lines, key=lambda ln: quad_bounds(ln.box)[1]):
        x1, y1, _, y2 = quad_bounds(line.box)
        mid, half = (y1 + y2) / 2, (y2 - y1) / 2
        if rows and abs(rows[-1][0][0] - mid) < half:
            rows[-1].append((mid, x1, line))
        else:
            rows.append([(mid, x1, line)])
    return " ".join(ln.text.strip() for row in rows for _, _, ln in sorted(row, key=lambda r: r[1]))


def vote(readings: list[tuple[str, float]]) -> tuple[str | None, int]:
    """The reading most frames agree on, and how many agree.

    Readings are compared ignoring case, accents, spaces and punctuation ("ABC 123" and
    "abc-123" agree); ties go to the higher summed confidence. The text returned is the most
    frequent spelling within the winning group.
    """
    groups: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for text, conf in readings:
        key = "".join(c for c in normalise(text) if c.isalnum())
        if key:
            groups[key].append((text, conf))
    if not groups:
        return None, 0
    winner = max(groups.values(), key=lambda g: (len(g), sum(c for _, c in g)))
    spelling = Counter(t for t, _ in winner).most_common(1)[0][0]
    return spelling, len(winner)


def build_tracks(frames: Iterable[FrameResult]) -> list[dict]:
    """The tracks in results-JSON shape, ordered by first sighting."""
    boxes: dict[int, list[dict]] = defaultdict(list)
    labels: dict[int, Counter] = defaultdict(Counter)
    readings: dict[int, list[tuple[str, float]]] = defaultdict(list)
    for frame in frames:
        on: dict[int, list[OcrLine]] = defaultdict(list)
        for line, owner in zip(frame.ocr, attach_lines(frame)):
            if owner is not None and line.text.strip():
                on[owner].append(line)
        for i, det in enumerate(frame.detections):
            if det.track_id is None:
                continue
            boxes[det.track_id].append({"frame_index": frame.frame_index,
                                        "time_s": round(frame.time_s, 4), "box": det.box,
                                        "confidence": det.confidence})
            labels[det.track_id][(det.label, det.class_id)] += 1
            if on[i]:
                readings[det.track_id].append(
                    (_reading(on[i]), sum(ln.confidence for ln in on[i]) / len(on[i])))
    tracks = []
    for track_id, seen in boxes.items():
        label, class_id = labels[track_id].most_common(1)[0][0]
        text, votes = vote(readings[track_id])
        tracks.append({"id": track_id, "label": label, "class_id": class_id,
                       "first_frame": seen[0]["frame_index"], "last_frame": seen[-1]["frame_index"],
                       "start_s": seen[0]["time_s"], "end_s": seen[-1]["time_s"],
                       "text": text, "text_votes": votes, "text_frames": len(readings[track_id]),
                       "boxes": seen})
    tracks.sort(key=lambda t: (t["first_frame"], t["id"]))
    return tracks


def track_texts(tracks: list[dict]) -> dict[int, str]:
    """Track id → agreed text, for drawing it next to the object."""
    return {t["id"]: t["text"] for t in tracks if t["text"]}
