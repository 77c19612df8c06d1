"""The results of the job under review, by frame: what the viewer draws and navigates."""
from __future__ import annotations

import bisect
from collections.abc import Iterable

from foresyte_desktop.core.model import FrameResult


class ReviewResults:
    """Analysed frames of one job, filled from the store and then live from its worker."""

    def __init__(self, stride: int = 1):
        self.stride = max(1, stride)
        self.frames: dict[int, FrameResult] = {}
        self._with_results: list[int] = []  # sorted indices of frames with text or objects

    def add(self, frames: Iterable[FrameResult]) -> set[int]:
        """Merge frames in; returns the indices that are new."""
        new = set()
        for frame in frames:
            if frame.frame_index not in self.frames:
                new.add(frame.frame_index)
                if frame.ocr or frame.detections:
                    bisect.insort(self._with_results, frame.frame_index)
            self.frames[frame.frame_index] = frame
        return new

    def at(self, index: int) -> FrameResult | None:
        """The analysed frame whose results stand for frame `index` (stride > 1 skips frames)."""
        return self.frames.get(index - index % self.stride)

    def next_with_results(self, index: int) -> int | None:
        i = bisect.bisect_right(self._with_results, index)
        return self._with_results[i] if i < len(self._with_results) else None

    def previous_with_results(self, index: int) -> int | None:
        i = bisect.bisect_left(self._with_results, index)
        return self._with_results[i - 1] if i > 0 else None

    @property
    def last_index(self) -> int | None:
        return max(self.frames) if self.frames else None
