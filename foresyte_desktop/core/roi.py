"""A job's region of interest: the rectangle OCR is limited to, such as a subtitle band.

It is stored as fractions of the frame size (x1, y1, x2, y2 in 0..1), so one rectangle fits
every video it is applied to, whatever its resolution. OCR reads the cropped region and its
boxes are shifted back to frame pixels.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from foresyte_desktop.core.model import OcrLine

Roi = tuple[float, float, float, float]
MIN_SIDE = 0.01  # a thinner rectangle is a slip of the mouse, not a region


def validate_roi(values: Sequence[float]) -> Roi:
    """The rectangle as a Roi, or ValueError saying what is wrong with it."""
    if len(values) != 4:
        raise ValueError("a region needs four numbers: x1,y1,x2,y2")
    x1, y1, x2, y2 = (float(v) for v in values)
    if not all(0.0 <= v <= 1.0 for v in (x1, y1, x2, y2)):
        raise ValueError("region corners are fractions of the frame, between 0 and 1")
    if x2 - x1 < MIN_SIDE or y2 - y1 < MIN_SIDE:
        raise ValueError("a region's x2 and y2 must be larger than its x1 and y1 (by at "
                         f"least {MIN_SIDE:g} of the frame)")
    return (x1, y1, x2, y2)


def parse_roi(text: str) -> Roi:
    """"x1,y1,x2,y2" as typed on the command line, e.g. "0,0.8,1,1" for the bottom fifth."""
    try:
        values = [float(v) for v in text.replace(" ", "").split(",")]
    except ValueError:
        raise ValueError(f"“{text}” is not four numbers x1,y1,x2,y2") from None
    return validate_roi(values)


def roi_from_pixels(x1: float, y1: float, x2: float, y2: float, width: int, height: int) -> Roi:
    """A rectangle drawn in frame pixels (corners in any order) as a Roi clamped to the frame."""
    xs = sorted(min(max(v / width, 0.0), 1.0) for v in (x1, x2))
    ys = sorted(min(max(v / height, 0.0), 1.0) for v in (y1, y2))
    return validate_roi((xs[0], ys[0], xs[1], ys[1]))


def roi_pixels(roi: Roi, width: int, height: int) -> tuple[int, int, int, int]:
    """The region in whole pixels of a width × height frame, never empty."""
    x1 = min(width - 1, round(roi[0] * width))
    y1 = min(height - 1, round(roi[1] * height))
    return x1, y1, max(x1 + 1, min(width, round(roi[2] * width))), \
        max(y1 + 1, min(height, round(roi[3] * height)))


def read_in_roi(read: Callable[[np.ndarray], list[OcrLine]], image: np.ndarray,
                roi: Roi | None) -> list[OcrLine]:
    """`read(image)` limited to `roi`, with boxes in the whole frame's pixels."""
    if roi is None:
        return read(image)
    height, width = image.shape[:2]
    x1, y1, x2, y2 = roi_pixels(roi, width, height)
    lines = read(np.ascontiguousarray(image[y1:y2, x1:x2]))
    return [OcrLine(line.text, line.confidence,
                    [[round(x + x1, 1), round(y + y1, 1)] for x, y in line.box])
            for line in lines]
