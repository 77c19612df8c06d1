"""RapidOCR, one engine per thread, turned into OcrLine records."""
from __future__ import annotations

import numpy as np

from foresyte_desktop.core.model import OcrLine
from foresyte_desktop.core.pipelines.base import per_thread


def _make_engine():
    # Imported here: onnxruntime is heavy and only worker threads need it.
    from rapidocr_onnxruntime import RapidOCR
    return RapidOCR()


def ocr_engine():
    return per_thread("rapidocr", _make_engine)


def read_text(image: np.ndarray) -> list[OcrLine]:
    """Every text line RapidOCR finds in a BGR image, with its confidence and 4-point box."""
    result, _ = ocr_engine()(image)
    return [OcrLine(text=str(text), confidence=round(float(score), 4),
                    box=[[round(float(x), 1), round(float(y), 1)] for x, y in box])
            for box, text, score in (result or []) if str(text).strip()]
