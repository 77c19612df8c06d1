"""RapidOCR's three models driven one by one: text detection, cropping and recognition.

Detection is the costly step, so its input is capped (`DET_MAX_SIDE`) and shrunk with area
averaging, which keeps text edges and averages busy backgrounds away instead of aliasing them.
Recognition reads crops of the full-resolution frame, in one batch, and may be given the mean
of several frames' crops of a line that stands still, which washes a moving background out.
The angle classifier is not used: text burned into video is upright.
"""
from __future__ import annotations

import os

import cv2
import numpy as np

from foresyte_desktop.core.model import OcrLine
from foresyte_desktop.core.pipelines.base import per_thread

DET_MAX_SIDE = 800  # longest side of the detector's input, in pixels
MIN_SCORE = 0.5  # recognitions below this confidence are dropped (RapidOCR's text_score)
THREADS = 2  # onnxruntime threads per model: a laptop's two cores (decoding fills the gaps)


def default_threads() -> int:
    """onnxruntime threads per model: FORESYTE_OCR_THREADS when set (the benchmark's rows),
    else THREADS."""
    value = os.environ.get("FORESYTE_OCR_THREADS", "")
    return int(value) if value.isdigit() and int(value) > 0 else THREADS


class TextEngine:
    """One thread's RapidOCR models, with the counters the pipelines report."""

    def __init__(self, det_max_side: int = DET_MAX_SIDE, threads: int | None = None):
        # Imported here: onnxruntime is heavy and only analysis threads need it.
        from rapidocr_onnxruntime import RapidOCR
        threads = max(1, min(threads or default_threads(), os.cpu_count() or 1))
        engine = RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1)
        self._det = engine.text_det
        self._rec = engine.text_rec
        self._sort = engine.sorted_boxes
        self.det_max_side = det_max_side

    def detect(self, image: np.ndarray) -> list[np.ndarray]:
        """Text line quadrilaterals (4×2 float32, frame pixels), top to bottom, left to right."""
        h, w = image.shape[:2]
        scale = min(1.0, self.det_max_side / max(h, w))
        size = (max(32, round(w * scale / 32) * 32), max(32, round(h * scale / 32) * 32))
        small = cv2.resize(image, size, interpolation=cv2.INTER_AREA if scale < 1
                           else cv2.INTER_LINEAR)
        blob = (small.astype(np.float32) * (2 / 255.0) - 1.0).transpose(2, 0, 1)[None]
        pred = self._det.infer(blob)[0]
        boxes, _ = self._det.postprocess_op(pred, (h, w))
        boxes = self._det.filter_tag_det_res(boxes, (h, w))
        return [np.asarray(b, np.float32) for b in self._sort(boxes)] if len(boxes) else []

    def recognise(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """(text, confidence) for each crop, in one batched run."""
        if not crops:
            return []
        results, _ = self._rec(crops)
        return [(str(r[0]), float(r[1])) for r in results]

    def read(self, image: np.ndarray) -> list[OcrLine]:
        """Every text line in one image: detection, then recognition of each line."""
        quads = self.detect(image)
        return [line for quad, (text, score) in zip(quads, self.recognise(
                [crop(image, q) for q in quads]))
                if (line := ocr_line(text, score, quad)) is not None]


def crop(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """The line's quadrilateral warped upright (RapidOCR's crop, with its rotation rule)."""
    width = int(max(np.linalg.norm(quad[0] - quad[1]), np.linalg.norm(quad[2] - quad[3])))
    height = int(max(np.linalg.norm(quad[0] - quad[3]), np.linalg.norm(quad[1] - quad[2])))
    width, height = max(width, 1), max(height, 1)
    target = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    out = cv2.warpPerspective(image, cv2.getPerspectiveTransform(quad, target),
                              (width, height), borderMode=cv2.BORDER_REPLICATE,
                              flags=cv2.INTER_CUBIC)
    return np.rot90(out) if height / width >= 1.5 else out


def ocr_line(text: str, score: float, quad: np.ndarray) -> OcrLine | None:
    """An OcrLine, or None for an empty or unconfident reading."""
    text = text.strip()
    if score < MIN_SCORE or not text:
        return None
    return OcrLine(text=text, confidence=round(score, 4),
                   box=[[round(float(x), 1), round(float(y), 1)] for x, y in quad])


def text_engine() -> TextEngine:
    return per_thread("text-engine", TextEngine)


def read_text(image: np.ndarray) -> list[OcrLine]:
    """Every text line in a BGR image, with its confidence and 4-point box."""
    return text_engine().read(image)
