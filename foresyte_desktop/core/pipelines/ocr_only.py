"""`ocr_only`: the text of every analysed frame, recognised once per change (reuse.py)."""
from __future__ import annotations

from collections.abc import Iterator

from foresyte_desktop.core.model import FrameResult
from foresyte_desktop.core.pipelines.base import Pipeline
from foresyte_desktop.core.pipelines.ocr import read_text, text_engine
from foresyte_desktop.core.pipelines.reuse import ChangeDrivenReader
from foresyte_desktop.core.roi import read_in_roi
from foresyte_desktop.core.video import Frame, VideoReader


class OcrOnlyPipeline(Pipeline):
    pipeline_id = "ocr_only"
    label = "Text (OCR)"

    def prepare(self) -> None:
        text_engine()

    def analyse(self, frame: Frame) -> FrameResult:
        """One frame read in full, on its own."""
        return FrameResult(frame.index, frame.time_s,
                           ocr=read_in_roi(read_text, frame.image, self.roi))

    def run(self, reader: VideoReader, *, stride: int, max_frames: int | None,
            start: int = 0) -> Iterator[FrameResult]:
        if type(self).analyse is not OcrOnlyPipeline.analyse:
            # A subclass that changes how one frame is analysed gets every frame analysed.
            yield from super().run(reader, stride=stride, max_frames=max_frames, start=start)
            return
        text = ChangeDrivenReader(text_engine(), reader, stride=stride, roi=self.roi)
        self.stats = text.stats
        for slot, result in text.run(max_frames=max_frames, start=start):
            if slot.index >= start:
                yield result
