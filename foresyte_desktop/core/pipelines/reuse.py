"""Reading a video's text once per change, and reusing that reading on the frames in between.

Every analysed frame gets the cheap change signal inside each known line box
(change_signal.py). Text detection runs on a frame only when a line changed, at least every
`PROBE_S` to find text that appeared where there was none, and at every refresh point. A line
found by a detection is traced back, frame by frame, through the buffered frames since the
previous detection to the exact frame it appeared on; a line whose signal changes (two frames
in a row, so that one noisy frame does not count) ends on the frame before. Each still line is
recognised once, from the mean of its first `READ_FRAMES` frames, which averages a moving
background away; the frames after it carry that reading with `reused_from`. Text that moves in
every frame (a ticker) is recognised afresh at every detection instead of being reused as if
unchanged.

Frames are held back until a detection has covered them and their lines are read, at most
about `PROBE_S` plus `READ_FRAMES` frames, so memory stays flat. Every `REFRESH_S` all lines
are read afresh and nothing before that point is used any more: a job resumed after a crash
restarts from the refresh point before its checkpoint and gives the same results as a run
that was never interrupted.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import cv2
import numpy as np

from foresyte_desktop.core.model import FrameResult, OcrLine
from foresyte_desktop.core.pipelines.change_signal import CHANGED, Signature, signal_scale, \
    small_grey
from foresyte_desktop.core.pipelines.ocr import TextEngine, crop, ocr_line
from foresyte_desktop.core.roi import Roi, roi_pixels
from foresyte_desktop.core.video import Frame, VideoReader, prefetched

PROBE_S = 0.5  # a text detection at least this often, to find text that appeared ...
PROBE_MAX_S = 3.0  # ... unless the probe gate sees nothing new; then at least this often
REFRESH_S = 10.0  # every line is read afresh this often; resuming restarts from such a frame
READ_FRAMES = 4  # a still line is recognised from the mean of its first frames
REF_FRAMES = 8  # a line's signal compares against the mean of up to this many frames
YOUNG_S = 0.15  # a line changing again this soon after a change is moving text
MATCH_IOU = 0.5  # a detected box this much like a known line's box is that line
PAD = 0.1  # recognition crops get this share of the line height as margin on each side
# The probe gate: a block of GATE_BLOCK² grey pixels with a GATE share of pixels that differ
# by NEW_DIFF from the last detection is new content; where more than LOCAL of the picture
# changed by MOVED_DIFF, such content counts only if it also stood still (within STILL_DIFF)
# for GATE_STILL frames.
GATE_BLOCK = 8
GATE = 0.12
NEW_DIFF = 60
MOVED_DIFF = 20
LOCAL = 0.1
STILL_DIFF = 12
GATE_STILL = 4


@dataclass
class _Slot:
    """An analysed frame held until its text is known."""
    pos: int  # position in this run's sequence of analysed frames
    index: int
    time_s: float
    image: np.ndarray
    small: np.ndarray


@dataclass(eq=False)
class _Line:
    quad: np.ndarray
    sig: Signature
    created: int  # position of the detection that found it
    born_of_change: bool  # found by a detection that a changed line triggered
    first: int = 0
    last: int | None = None  # None while on screen
    moving_from: int | None = None  # where it started moving: its reading stays stale
    pending: int | None = None  # where a change began that the next frame should confirm
    read: bool = False
    reading: OcrLine | None = None
    read_at: int | None = None  # frame index the reading belongs to
    rect: tuple = field(default=())

    def __post_init__(self) -> None:
        x0, y0 = self.quad.min(0)
        x1, y1 = self.quad.max(0)
        self.rect = (float(x0), float(y0), float(x1), float(y1))

    def on(self, pos: int) -> bool:
        return self.first <= pos and (self.last is None or pos <= self.last)


def _iou(a: tuple, b: tuple) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def _overlap(a: tuple, b: tuple) -> float:
    """The intersection as a share of the smaller box."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w * h / max(smaller, 1e-6)


def _extends(new: tuple, old: tuple) -> bool:
    """Whether `new` reaches well past `old` (a line that grew), beyond detection jitter."""
    slack = 0.5 * (old[3] - old[1])
    return new[0] < old[0] - slack or new[2] > old[2] + slack or \
        new[1] < old[1] - slack or new[3] > old[3] + slack


def _padded(quad: np.ndarray) -> np.ndarray:
    m = PAD * float(quad[:, 1].max() - quad[:, 1].min())
    centre = quad.mean(0)
    out = quad.copy()
    out[:, 0] += np.where(quad[:, 0] < centre[0], -m, m)
    out[:, 1] += np.where(quad[:, 1] < centre[1], -m, m)
    return out


def _densest(mask: np.ndarray) -> float:
    """The largest share of set pixels in any GATE_BLOCK² block."""
    return float(cv2.blur(mask.astype(np.float32), (GATE_BLOCK, GATE_BLOCK)).max())


def _empty_stats() -> dict:
    return dict.fromkeys((
        "frames_analysed", "frames_compared", "frames_detected", "detections_on_change",
        "detections_on_probe", "detections_on_refresh", "probes_skipped", "boxes_detected",
        "boxes_recognised", "lines_read", "frames_with_reuse", "lines_reused"), 0)


class ChangeDrivenReader:
    """One video's text, read on change. `stats` counts the work done and the work skipped."""

    def __init__(self, engine: TextEngine, reader: VideoReader, *, stride: int,
                 roi: Roi | None = None):
        per_s = reader.fps / max(1, stride)  # analysed frames per second
        self.engine = engine
        self.reader = reader
        self.stride = max(1, stride)
        self.probe = max(1, round(PROBE_S * per_s))
        self.probe_max = max(self.probe, round(PROBE_MAX_S * per_s))
        self.refresh = max(self.probe, round(REFRESH_S * per_s))
        self.young = max(2, round(YOUNG_S * per_s))
        # Text is read inside the region of interest only; boxes are moved back to the frame.
        x1, y1, x2, y2 = roi_pixels(roi, reader.width, reader.height) if roi else \
            (0, 0, reader.width, reader.height)
        self._region = (slice(y1, y2), slice(x1, x2))
        self._offset = np.float32([x1, y1])
        self.scale = signal_scale(y2 - y1)
        self.stats = _empty_stats()

    def since_refresh(self, index: int) -> int:
        """How many analysed frames frame `index` comes after the last refresh point."""
        return index // self.stride % self.refresh

    def run(self, *, max_frames: int | None, start: int = 0
            ) -> Iterator[tuple[_Slot, FrameResult]]:
        """(frame, result) for the analysed frames from the refresh point at or before
        `start` (which a resumed run needs to begin from) until `max_frames` from `start`."""
        lead = self.since_refresh(start)
        begin = start - lead * self.stride
        frames = prefetched(self.reader.frames(self.stride, None if max_frames is None
                                               else lead + max_frames, begin), self._prepare)
        try:
            yield from self.process(frames)
        finally:
            frames.close()  # stops the decoding thread before the reader is looked at
            self.stats["frames_decoded"] = self.reader.frames_decoded

    def _prepare(self, frame: Frame) -> tuple[Frame, np.ndarray]:
        # On the decoding thread: the grey copy for the change signal costs no inference time.
        return frame, small_grey(frame.image[self._region], self.scale)

    # -- the state machine --------------------------------------------------------------------

    def process(self, frames: Iterable[tuple[Frame, np.ndarray]]
                ) -> Iterator[tuple[_Slot, FrameResult]]:
        """(frame, result) for each (frame, small grey copy), in order."""
        self._buffer: deque[_Slot] = deque()
        self._lines: list[_Line] = []
        self._covered = -1  # the last frame whose new text a detection has looked for
        self._last_probe = -1
        self._det_small: np.ndarray | None = None  # the grey frame of the last detection
        self._det_pos = -1
        pos = -1
        for pos, (frame, small) in enumerate(frames):
            self._step(_Slot(pos, frame.index, frame.time_s, frame.image, small))
            self._read_ready(pos)
            yield from self._emit()
        if pos >= 0:
            if self._covered < pos:  # text that appeared after the last detection
                self._detect(self._buffer[-1], "probe")
            for line in self._lines:
                line.pending = None
            self._read_ready(pos, force=True)
            yield from self._emit()

    def _slot(self, pos: int) -> _Slot:
        return self._buffer[pos - self._buffer[0].pos]

    def _active(self) -> list[_Line]:
        return [line for line in self._lines if line.last is None]

    def _step(self, slot: _Slot) -> None:
        self._buffer.append(slot)
        self.stats["frames_analysed"] += 1
        pos = slot.pos
        if pos == 0 or self.since_refresh(slot.index) == 0:
            for line in self._active():
                self._end(line, pos - 1)
            self._detect(slot, "refresh")
            return
        self.stats["frames_compared"] += 1
        changed_at = None
        for line in self._active():
            began = self._observe(line, slot)
            if began is not None and self._ends(line, began):
                changed_at = began if changed_at is None else min(changed_at, began)
        if changed_at is not None:
            # Detect on the first changed frame, so that text in motion is found there too.
            self._detect(self._slot(max(changed_at, self._covered + 1)), "change")
        elif pos - self._last_probe >= self.probe:
            if self._worth_probing(slot):
                self._detect(slot, "probe")
            else:
                self.stats["probes_skipped"] += 1
                self._last_probe = pos
                # Nothing new stood still for GATE_STILL frames; newer frames stay open.
                self._covered = max(self._covered, pos - GATE_STILL)

    def _observe(self, line: _Line, slot: _Slot) -> int | None:
        """Compare one frame with the line; the frame a confirmed change began on, or None."""
        if line.moving_from is not None:
            return None
        if line.sig.score(slot.small) <= CHANGED:
            line.pending = None
            if line.sig.frames < REF_FRAMES:
                line.sig.learn(slot.small)
            return None
        if line.pending is None:
            line.pending = slot.pos  # confirmed, or dismissed, by the next frame
            return None
        began, line.pending = line.pending, None
        return began

    def _ends(self, line: _Line, began: int) -> bool:
        """Settle a line that changed from frame `began`: it ends there, unless it has been
        changing since it was found, which makes it moving text, read at each detection."""
        if (line.born_of_change or line.first == line.created) and \
                began - line.created < self.young:
            line.moving_from = began
            return False
        self._end(line, began - 1)
        return True

    def _worth_probing(self, slot: _Slot) -> bool:
        """Whether anything new showed up outside the known lines since the last detection:
        new content that stands still (text on a moving background), or new content in a
        part of an otherwise unchanged picture (text moving over a still one). Change all
        over the picture, as a moving background makes, is looked at every PROBE_MAX_S."""
        if self._det_small is None or slot.pos - self._det_pos >= self.probe_max or \
                any(line.moving_from is not None for line in self._active()):
            return True
        small = slot.small.astype(np.int16)
        diff = np.abs(small - self._det_small)
        for line in self._active():
            sig = line.sig
            diff[max(0, sig.y0 - 1):sig.y1 + 1, max(0, sig.x0 - 1):sig.x1 + 1] = 0
        fresh = diff > NEW_DIFF
        if (diff > MOVED_DIFF).mean() < LOCAL:
            return _densest(fresh) >= GATE
        still = fresh
        for p in range(max(self._buffer[0].pos, slot.pos - GATE_STILL), slot.pos):
            still = still & (np.abs(self._slot(p).small.astype(np.int16) - small) <= STILL_DIFF)
        return _densest(still) >= GATE

    def _end(self, line: _Line, last: int) -> None:
        line.last = last
        line.pending = None
        if last < line.first:
            self._lines.remove(line)

    def _detect(self, at: _Slot, why: str) -> None:
        """Detect on frame `at`; new lines are traced back to the frame they appeared on and
        brought up to date with the frames after `at`."""
        pos = at.pos
        bound = pos if why == "refresh" else self._covered + 1
        self._covered = self._last_probe = pos
        self._det_small, self._det_pos = at.small.astype(np.int16), pos
        quads = self.engine.detect(at.image[self._region])
        self.stats["frames_detected"] += 1
        self.stats[f"detections_on_{why}"] += 1
        self.stats["boxes_detected"] += len(quads)
        for line in self._active():
            if line.moving_from is not None:  # read afresh from this detection's boxes
                self._end(line, pos - 1)
        new = []
        for quad in quads:
            line = _Line(quad, Signature(at.small, quad, self.scale), created=pos,
                         born_of_change=why == "change")
            known = [old for old in self._active() if old.pending is None or old.pending > pos]
            best = max(known, key=lambda old: _iou(old.rect, line.rect), default=None)
            if best is not None and _iou(best.rect, line.rect) >= MATCH_IOU and \
                    not _extends(line.rect, best.rect):
                continue  # a line already known, and unchanged
            line.first = self._trace_back(line, pos, bound)
            for old in self._active():
                if _overlap(old.rect, line.rect) > 0.5:  # replaced by the new line
                    self._end(old, line.first - 1)
            self._lines.append(line)
            new.append(line)
        for p in range(pos + 1, self._buffer[-1].pos + 1):
            for line in new:
                if line.last is None and \
                        (began := self._observe(line, self._slot(p))) is not None:
                    self._ends(line, began)

    def _trace_back(self, line: _Line, pos: int, bound: int) -> int:
        """The first frame since `bound` from which the line shows as it does at `pos`."""
        first, blip = pos, False
        for p in range(pos - 1, max(bound, self._buffer[0].pos) - 1, -1):
            small = self._slot(p).small
            if line.sig.score(small) > CHANGED:
                if blip:  # changed two frames in a row: the line starts after them
                    break
                blip = True  # one noisy frame, unless the one before it changed too
                continue
            blip = False
            first = p
            if line.sig.frames < REF_FRAMES:
                line.sig.learn(small)
        return first

    def _read_ready(self, pos: int, force: bool = False) -> None:
        ready: list[tuple[_Line, list[int]]] = []
        for line in self._lines:
            if line.read:
                continue
            if line.last is not None:
                end = line.last
            elif line.moving_from is not None:
                end = max(line.first, line.moving_from - 1)
            elif force:
                end = pos
            elif line.pending is None and pos >= line.first + READ_FRAMES - 1:
                end = pos
            else:
                continue
            ready.append((line, list(range(line.first, min(end, line.first + READ_FRAMES - 1)
                                           + 1))))
        if not ready:
            return
        crops = []
        for line, span in ready:
            quad = _padded(line.quad)
            stack = [crop(self._slot(p).image[self._region], quad).astype(np.float32)
                     for p in span]
            crops.append(np.mean(stack, axis=0).round().astype(np.uint8) if len(stack) > 1
                         else stack[0].astype(np.uint8))
        self.stats["boxes_recognised"] += len(crops)
        for (line, span), (text, score) in zip(ready, self.engine.recognise(crops)):
            line.read = True
            line.reading = ocr_line(text, score, line.quad + self._offset)
            line.read_at = self._slot(line.first).index
            self.stats["lines_read"] += line.reading is not None

    def _emit(self) -> Iterator[tuple[_Slot, FrameResult]]:
        while self._buffer:
            slot = self._buffer[0]
            if slot.pos > self._covered:
                return  # a later detection may still find text on it
            here = [line for line in self._lines if line.on(slot.pos)]
            if any(not line.read or (line.pending is not None and slot.pos >= line.pending)
                   for line in here):
                return
            lines = sorted((line for line in here if line.reading is not None),
                           key=lambda line: (line.rect[1], line.rect[0]))
            reused = [line.read_at for line in lines if line.read_at < slot.index]
            result = FrameResult(slot.index, slot.time_s, ocr=[line.reading for line in lines],
                                 reused_from=min(reused) if reused else None)
            self.stats["frames_with_reuse"] += bool(reused)
            self.stats["lines_reused"] += len(reused)
            self._buffer.popleft()
            self._lines = [line for line in self._lines
                           if line.last is None or line.last > slot.pos]
            yield slot, result
