"""Pipelines for tests (loaded through FORESYTE_PIPELINES, so the analysis child process
registers them too): one crashes the way native code does, one is slow enough that a test can
act on a job while it runs, one tracks objects a stand-in detector finds."""
import os
import time
from types import SimpleNamespace

from foresyte_desktop.core.pipelines.ocr_only import OcrOnlyPipeline
from foresyte_desktop.core.pipelines.yolo_ocr import YoloOcrPipeline


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


class SquareDetector:
    """Finds the white squares of tests.videos.make_square_video, as ultralytics' predict
    gives them: a stand-in for trained weights (offline tests have only untrained ones, which
    find nothing), so that the real ByteTrack has objects to track."""

    names = {0: "square"}

    def predict(self, image, conf=0.25, verbose=False, stream=False):
        import cv2
        import numpy as np
        import torch
        from ultralytics.engine.results import Boxes
        bright = (cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) > 220).astype(np.uint8)
        _, _, stats, _ = cv2.connectedComponentsWithStats(bright)
        rows = [[x, y, x + w, y + h, 0.9, 0] for x, y, w, h, area in stats[1:] if area > 100]
        boxes = Boxes(torch.tensor(rows, dtype=torch.float32).reshape(-1, 6), image.shape[:2])
        yield SimpleNamespace(names=self.names, boxes=boxes)


class SquareTrackingPipeline(YoloOcrPipeline):
    """yolo_ocr with SquareDetector for its detector; everything else is the real pipeline."""

    pipeline_id = "test_squares"
    needs_model = False

    def model(self):
        return SquareDetector()
