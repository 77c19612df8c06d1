"""Pipelines that crash the way native code does, for the isolation tests (loaded through
FORESYTE_PIPELINES, so the analysis child process registers them too)."""
import os

from foresyte_desktop.core.pipelines.ocr_only import OcrOnlyPipeline


class AbortingPipeline(OcrOnlyPipeline):
    """Reads frame 0 like ocr_only, then aborts the process as a segfaulting decoder would."""

    pipeline_id = "test_abort"

    def analyse(self, frame):
        if frame.index > 0:
            os.abort()
        return super().analyse(frame)
