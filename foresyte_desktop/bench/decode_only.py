"""A pipeline that only decodes, for measuring what the rest of a job's trip costs: it reports
one fixed text line per frame. Registered with FORESYTE_PIPELINES, which the child reads too."""
from __future__ import annotations

from foresyte_desktop.core.model import FrameResult, OcrLine
from foresyte_desktop.core.pipelines.base import Pipeline

LINE = OcrLine("SUBTITLE LINE 42", 0.98, [[10.0, 400.0], [600.0, 400.0], [600.0, 440.0],
                                         [10.0, 440.0]])


class DecodeOnlyPipeline(Pipeline):
    pipeline_id = "bench_decode_only"

    def analyse(self, frame) -> FrameResult:
        return FrameResult(frame.index, frame.time_s, ocr=[LINE])
