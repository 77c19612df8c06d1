"""`ocr_only`: text detection and recognition on every analysed frame."""
from __future__ import annotations

from foresyte_desktop.core.model import FrameResult
from foresyte_desktop.core.pipelines.base import Pipeline
from foresyte_desktop.core.pipelines.ocr import ocr_engine, read_text
from foresyte_desktop.core.roi import read_in_roi
from foresyte_desktop.core.video import Frame


class OcrOnlyPipeline(Pipeline):
    pipeline_id = "ocr_only"
    label = "Text (OCR)"

    def prepare(self) -> None:
        ocr_engine()

    def analyse(self, frame: Frame) -> FrameResult:
        return FrameResult(frame.index, frame.time_s,
                           ocr=read_in_roi(read_text, frame.image, self.roi))
