"""The cheap change signal: has the text inside a known line box changed since it was read?

It runs on every analysed frame, on a small grey copy of the frame, and looks only inside the
line's box and only at its ink: the pixels that stood out from the box's median grey when the
line was first seen (glyph cores and outlines). Ink stays put while text stays, whatever moves
behind it, so a moving background hardly registers; a line that changes, moves or goes away
changes most of its ink. The share of changed ink is judged in character-sized cells, so that
one changed digit of a clock or score fires too.
"""
from __future__ import annotations

import math

import cv2
import numpy as np

SIGNAL_HEIGHT = 180  # the signal's frames are this many pixels high (never enlarged)
INK = 60  # a reference pixel this far from its box's median grey is ink
DIFF = 50  # an ink pixel changed when it differs this much from the reference
CHANGED = 0.6  # the line changed when more than this share of any cell's ink changed
MIN_INK = 6  # cells with less ink than this are not judged alone


def signal_scale(frame_height: int) -> float:
    return max(1.0, frame_height / SIGNAL_HEIGHT)


def small_grey(image: np.ndarray, scale: float) -> np.ndarray:
    """The frame in grey, shrunk by `scale` with area averaging (which also averages noise)."""
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    if scale <= 1.0:
        return grey
    h, w = grey.shape
    return cv2.resize(grey, (max(1, round(w / scale)), max(1, round(h / scale))),
                      interpolation=cv2.INTER_AREA)


class Signature:
    """A line's ink at the frame it was seen, to compare later frames against."""

    def __init__(self, small: np.ndarray, quad: np.ndarray, scale: float):
        xs, ys = quad[:, 0] / scale, quad[:, 1] / scale
        h, w = small.shape
        self.x0, self.y0 = max(0, math.floor(xs.min())), max(0, math.floor(ys.min()))
        self.x1 = min(w, max(self.x0 + 1, math.ceil(xs.max()) + 1))
        self.y1 = min(h, max(self.y0 + 1, math.ceil(ys.max()) + 1))
        # Cells one box-height wide, half overlapping, so a character is never split in two.
        cell = max(2, self.y1 - self.y0)
        width = self.x1 - self.x0
        starts = list(range(0, max(1, width - cell + 1), max(1, cell // 2)))
        if starts[-1] + cell < width:
            starts.append(width - cell)
        self._cells = np.array([[s, min(width, s + cell)] for s in starts])
        self._sum = self._patch(small).astype(np.float32)
        self.frames = 1
        self._set_reference(self._patch(small))

    def learn(self, small: np.ndarray) -> None:
        """Fold in one more frame showing the same line: averaged over frames, a moving
        background fades to grey and stops passing for ink, so the signal gets quieter."""
        self._sum += self._patch(small)
        self.frames += 1
        self._set_reference(np.rint(self._sum / self.frames).astype(np.int16))

    def _set_reference(self, ref: np.ndarray) -> None:
        self.ref = ref
        self.ink = np.abs(ref - np.median(ref)) > INK
        if self.ink.sum() < MIN_INK:  # a faint or flat line: judge all of its pixels
            self.ink = np.ones_like(self.ink)
        ink_cols = np.concatenate([[0], np.cumsum(self.ink.sum(0))])
        self._cell_ink = ink_cols[self._cells[:, 1]] - ink_cols[self._cells[:, 0]]
        self._judged = self._cell_ink >= MIN_INK
        if not self._judged.any():
            self._judged[:] = True

    def _patch(self, small: np.ndarray) -> np.ndarray:
        return small[self.y0:self.y1, self.x0:self.x1].astype(np.int16)

    def score(self, small: np.ndarray) -> float:
        """The largest share of changed ink in any cell: near 0 unchanged, near 1 replaced."""
        changed = (np.abs(self._patch(small) - self.ref) > DIFF) & self.ink
        cols = np.concatenate([[0], np.cumsum(changed.sum(0))])
        per_cell = (cols[self._cells[:, 1]] - cols[self._cells[:, 0]]) / \
            np.maximum(self._cell_ink, 1)
        return float(per_cell[self._judged].max())

    def changed(self, small: np.ndarray) -> bool:
        return self.score(small) > CHANGED
