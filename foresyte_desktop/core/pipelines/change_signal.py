"""The cheap per-frame checks: has a known line's text changed, and has new text come to stand?

Both run on a small grey copy of every analysed frame, `SIGNAL_HEIGHT` pixels high, where a
line the detector finds is still some 14 pixels or more: glyphs keep their shapes.

A line's `Signature` is its box over the first frames it showed (up to `REF_FRAMES`,
averaged): its ink, the pixels that stand out from the box's median grey and stay put, and its
still background. A later frame scores the share of changed ink in character-sized cells,
counting both ink that went away and new ink where the background was still, so one changed
glyph fires (a "4" that becomes a "5", or a 大 that gains the dot of 太) while a moving
background, which is neither ink nor still, hardly registers.

`Signature.moved` tells text that moved (the same ink a little to the side, as a ticker's)
from text that changed or went away. `edges` is the probe gate's evidence: strong edges that
have stood still for the last few frames and were not there when text was last detected. Text
always has such edges; a moving background's edges do not stand still and a smooth one has
none.
"""
from __future__ import annotations

import math

import cv2
import numpy as np

SIGNAL_HEIGHT = 360  # the signal's frames are this many pixels high (never enlarged)
INK = 60  # a reference pixel this far from its box's median grey is ink
STILL_STD = 20  # ... if it varies less than this over the reference frames
DIFF = 50  # an ink pixel changed when it differs this much from the reference
CHANGED = 0.3  # the line changed when more than this share of any cell's ink changed ...
CHANGED_YOUNG = 0.6  # ... or this share, judged against one frame (a noisier reference)
UNSURE = 0.12  # above this share, the line is read again to prove it unchanged
MIN_INK = 6  # cells with less ink than this are not judged alone
REF_FRAMES = 8  # the reference is the mean of up to this many frames
EDGE = 40  # a morphological gradient this strong is an edge


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


def edges(small: np.ndarray) -> np.ndarray:
    """Where the small grey frame has strong edges (a 3×3 morphological gradient)."""
    return cv2.morphologyEx(small, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)) > EDGE


class Signature:
    """A line's ink and still background at the frames it was first seen."""

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
        patch = self._patch(small).astype(np.float32)
        self._sum, self._squares = patch.copy(), patch * patch
        self.frames = 1
        self._set_reference()

    def learn(self, small: np.ndarray) -> None:
        """Fold in one more frame showing the same line: averaged over frames, a moving
        background fades to grey and varies, so it stops passing for ink or for still."""
        if self.frames >= REF_FRAMES:
            return
        patch = self._patch(small).astype(np.float32)
        self._sum += patch
        self._squares += patch * patch
        self.frames += 1
        self._set_reference()

    def _set_reference(self) -> None:
        mean = self._sum / self.frames
        self.ref = np.rint(mean).astype(np.int16)
        far = np.abs(mean - np.median(mean))
        still = np.ones(mean.shape, bool) if self.frames < 2 else \
            self._squares / self.frames - mean * mean < STILL_STD ** 2
        self.ink = (far > INK) & still
        if self.ink.sum() < MIN_INK:  # a faint or flat line: judge all of its pixels
            self.ink = np.ones_like(self.ink)
        # Background that stood still, away from any edge: new edges there are new ink.
        self.ground = (far < INK / 2) & still & ~cv2.dilate(
            edges(self.ref.clip(0, 255).astype(np.uint8)).astype(np.uint8),
            np.ones((3, 3), np.uint8)).astype(bool) if self.frames >= 2 else \
            np.zeros_like(self.ink)
        # The glyphs' fill: the ink on the far side of the median (white text on its outline).
        median = np.median(mean)
        bright, dark = self.ink & (mean > median), self.ink & (mean <= median)
        fill = bright if bright.sum() * 1.0 >= dark.sum() else dark
        self.fill = float(np.median(mean[fill])) if fill.any() else None
        # The reference gets quieter as it learns, so the bar for a change comes down.
        self.threshold = CHANGED + (CHANGED_YOUNG - CHANGED) * \
            (REF_FRAMES - self.frames) / (REF_FRAMES - 1)
        ink_cols = np.concatenate([[0], np.cumsum(self.ink.sum(0))])
        self._cell_ink = ink_cols[self._cells[:, 1]] - ink_cols[self._cells[:, 0]]
        self._judged = self._cell_ink >= MIN_INK
        if not self._judged.any():
            self._judged[:] = True

    def _patch(self, small: np.ndarray) -> np.ndarray:
        return small[self.y0:self.y1, self.x0:self.x1].astype(np.int16)

    def moved(self, small: np.ndarray) -> bool:
        """Whether the line's ink is found unchanged a little to the left or right (what of
        it stays in the frame): text that moves (a ticker), not text that changed or went."""
        reach = max(8, 2 * (self.y1 - self.y0))
        width = small.shape[1]
        rows = small[self.y0:self.y1].astype(np.int16)
        for dx in range(-reach, reach + 1):
            lo, hi = max(0, -(self.x0 + dx)), min(self.x1 - self.x0, width - self.x0 - dx)
            ink = self.ink[:, lo:hi]
            if not dx or hi - lo < (self.x1 - self.x0) // 2 or ink.sum() < MIN_INK:
                continue
            patch = rows[:, self.x0 + dx + lo:self.x0 + dx + hi]
            changed = (np.abs(patch - self.ref[:, lo:hi]) > DIFF) & ink
            # Judged cell by cell, as `score` is, over the cells that stay in the frame.
            inside = self._judged & (self._cells[:, 0] >= lo) & (self._cells[:, 1] <= hi)
            if not inside.any():
                continue
            cols = np.concatenate([[0], np.cumsum(changed.sum(0))])
            cells = self._cells[inside] - lo
            per_cell = (cols[cells[:, 1]] - cols[cells[:, 0]]) / \
                np.maximum(self._cell_ink[inside], 1)
            if per_cell.max() <= CHANGED:
                return True
        return False

    def score(self, small: np.ndarray) -> float:
        """The largest share of changed ink in any cell: near 0 unchanged, near 1 replaced."""
        patch = self._patch(small)
        changed = (np.abs(patch - self.ref) > DIFF) & self.ink
        if self.fill is not None and self.ground.any():  # new edges in the glyphs' fill
            changed |= self.ground & (np.abs(patch - self.fill) < DIFF / 2) & \
                edges(patch.clip(0, 255).astype(np.uint8))
        cols = np.concatenate([[0], np.cumsum(changed.sum(0))])
        per_cell = (cols[self._cells[:, 1]] - cols[self._cells[:, 0]]) / \
            np.maximum(self._cell_ink, 1)
        return float(per_cell[self._judged].max())
