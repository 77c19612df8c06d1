"""What a job's timeline shows, computed without Qt: per-class object density over time, bars
for text segments, the frames where what is on screen changes, and reading a typed position."""
from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from foresyte_desktop.core.model import FrameResult
from foresyte_desktop.core.segments import merge_segments

_CLOCK = re.compile(r"^(?:(\d+):)?(?:(\d+):)?(\d+(?:[.,]\d*)?)\s*s?$")


@dataclass
class Timeline:
    duration_s: float
    bin_s: float
    # label -> per bin, the mean number of such objects in the bin's analysed frames
    density: dict[str, list[float]] = field(default_factory=dict)
    text_bars: list[tuple[float, float, str]] = field(default_factory=list)  # start, end, text
    class_ids: dict[str, int] = field(default_factory=dict)  # label -> class id, for its colour


def build_timeline(frames: Sequence[FrameResult], duration_s: float, bins: int = 200, *,
                   segments: list[dict] | None = None) -> Timeline:
    """The timeline of a job's frame results over a video `duration_s` long, in `bins` bins;
    `segments`: the frames' text segments, when the caller has merged them already."""
    duration_s = max(duration_s, frames[-1].time_s if frames else 0.0, 1e-6)
    bin_s = duration_s / bins
    analysed = [0] * bins
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * bins)
    class_ids: dict[str, int] = {}
    for frame in frames:
        b = min(bins - 1, int(frame.time_s / bin_s))
        analysed[b] += 1
        for det in frame.detections:
            counts[det.label][b] += 1
            class_ids.setdefault(det.label, det.class_id)
    density = {label: [c / n if n else 0.0 for c, n in zip(per_bin, analysed)]
               for label, per_bin in sorted(counts.items())}
    return Timeline(
        duration_s, bin_s, density,
        [(s["start_s"], s["end_s"], s["text"])
         for s in (merge_segments(frames) if segments is None else segments)], class_ids)


class Changes:
    """The frames of a job where what is on screen changes: a text segment starts, a segment
    ends (the first frame after its last one: past the video's end for a segment that lasts
    to it), or a tracked object appears; and the frames where segments start. Both sorted,
    without repeats."""

    def __init__(self, segments: Sequence[dict], tracks: Sequence[dict], stride: int):
        self.starts = sorted({s["first_frame"] for s in segments})
        self.frames = sorted({*self.starts, *(t["first_frame"] for t in tracks),
                              *(s["last_frame"] + max(1, stride) for s in segments)})

    @staticmethod
    def after(frames: list[int], index: int) -> int | None:
        """The first of `frames` after `index`."""
        i = bisect.bisect_right(frames, index)
        return frames[i] if i < len(frames) else None

    @staticmethod
    def before(frames: list[int], index: int) -> int | None:
        """The last of `frames` before `index`."""
        i = bisect.bisect_left(frames, index)
        return frames[i - 1] if i > 0 else None


def parse_position(text: str, fps: float, frame_count: int) -> int:
    """The frame index a typed position names: a time ("1:23.5", "83.5", "1:02:03", "12s") or,
    after "#", a frame number counted from 1 as the window shows it ("#120"). Held inside the
    video. Raises ValueError with a sentence saying what can be typed."""
    text = text.strip()
    if text.startswith("#"):
        if not text[1:].strip().isdigit():
            raise ValueError(f"“{text}” is not a frame number: type # and a number, like #120.")
        return max(0, min(int(text[1:]) - 1, frame_count - 1))
    match = _CLOCK.match(text)
    if not match:
        raise ValueError(f"“{text}” is not a time: type minutes and seconds like 1:23.5, "
                         "seconds like 83.5, or # and a frame number like #120.")
    first, second, seconds = match.groups()
    hours, minutes = (first, second) if second is not None else (None, first)
    total = int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds.replace(",", "."))
    return max(0, min(int(round(total * (fps or 25.0))), frame_count - 1))
