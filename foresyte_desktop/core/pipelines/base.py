"""What every pipeline offers the runner, and the per-thread cache that holds its models."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from foresyte_desktop.core.model import FrameResult
from foresyte_desktop.core.roi import Roi
from foresyte_desktop.core.video import Frame, VideoReader

T = TypeVar("T")
_thread_models = threading.local()


def per_thread(key: Any, factory: Callable[[], T]) -> T:
    """One instance per (thread, key): RapidOCR and torch models are not safe to share."""
    cache = _thread_models.__dict__.setdefault("models", {})
    if key not in cache:
        cache[key] = factory()
    return cache[key]


class Pipeline:
    """Turns a video's frames into FrameResults. Subclasses implement `analyse` (one frame at
    a time), or override `run` to carry work from frame to frame; `stats` counts that work."""

    pipeline_id = ""
    label = ""
    needs_model = False  # loads detector weights from `model_path`
    resume_state: bytes | None = None  # what a resumed run restores (FrameResult.resume_state)

    def __init__(self, *, model_path: str | None = None, data_dir: Path | None = None,
                 roi: Roi | None = None, first_track_id: int = 1):
        self.model_path = model_path
        self.data_dir = data_dir
        self.roi = roi  # OCR reads only inside it (see roi.read_in_roi)
        self.first_track_id = first_track_id  # trackers number their objects from here
        self.stats: dict[str, int] = {}

    def prepare(self) -> None:
        """Load models now, so a missing model fails the job before any frame is read."""

    def analyse(self, frame: Frame) -> FrameResult:
        raise NotImplementedError

    def run(self, reader: VideoReader, *, stride: int, max_frames: int | None,
            start: int = 0) -> Iterator[FrameResult]:
        """Results for the frames `reader.frames(...)` yields, in order.

        Resuming calls this with `start` one stride past the last stored result; the results
        from there must be those an uninterrupted run gives."""
        for frame in reader.frames(stride, max_frames, start):
            yield self.analyse(frame)
