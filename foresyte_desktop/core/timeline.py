"""What a job's timeline strip shows: per-class object density over time, and bars for text
segments. Plain numbers, for the window to paint."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from foresyte_desktop.core.model import FrameResult
from foresyte_desktop.core.segments import merge_segments


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
