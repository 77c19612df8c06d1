"""Pipelines that misbehave on purpose, for tests (loaded through FORESYTE_PIPELINES, so the
analysis child process registers them too): one crashes the way native code does, one is slow
enough that a test can act on a job while it runs."""
import os
import time

from foresyte_desktop.core.pipelines.ocr_only import OcrOnlyPipeline


class AbortingPipeline(OcrOnlyPipeline):
    """Reads frame 0 like ocr_only, then aborts the process as a segfaulting decoder would."""

    pipeline_id = "test_abort"

    def analyse(self, frame):
        if frame.index > 0:
            os.abort()
        return super().analyse(frame)


class SlowPipeline(OcrOnlyPipeline):
    """Reads every frame like plain OCR, taking at least 0.3 s a frame (a fake for timing the
    window's controls: the real pipeline now skips unchanged frames too fast to act on)."""

    pipeline_id = "test_slow"

    def run(self, reader, *, stride, max_frames, start=0):
        for frame in reader.frames(stride, max_frames, start):
            time.sleep(0.3)
            yield self.analyse(frame)
