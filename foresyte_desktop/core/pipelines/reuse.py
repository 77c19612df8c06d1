"""Reading a video's text once per change, and proving on every frame that it has not changed.

Every analysed frame gets the cheap checks of change_signal.py: each known line's box is
compared with its glyphs (a single changed glyph fires), and the probe gate looks for strong
edges that have come to stand still outside the known lines. Text detection runs on a frame
where a line changed, where the gate found new text (at most every `GAP_S`, on the first frame
it found it on if that is no further back), at least every `PROBE_MAX_S`, and at every
refresh point. A line found by a detection is traced back, frame by frame,
through the buffered frames to the exact frame it appeared on; a line whose signal changes
(two frames in a row, so that one noisy frame does not count) ends on the frame before.

Each still line is recognised once, from the mean of its first `READ_FRAMES` frames, which
averages a moving background away (its box is detected again on that mean too, at the frame's
own resolution, so that a word single frames lose is read). Its crop has a margin of `PAD`
line heights, except a line read as Chinese or Japanese: that line is read again, and from
then on, without the margin. A reading less confident than `CONFIRM` is reported only once a
second one, from the frames after those, gives the same text (else the line is read afresh
from there). The frames after carry the reading with `reused_from`, and `checked` says how it
was proven there: "glyphs" when the signal saw every carried line unchanged, "read" when a
line whose signal was unsure was recognised again on that frame (at most every `VERIFY_S`;
the frames in between wait for that reading) and read the same, "moving" when a carried line
is moving text, which is not compared, only read afresh. A reading that differs ends the line
where the doubt began. Text that moves (a line whose ink moved sideways as soon as it came,
and the line before it in its place too: a ticker) is detected again every `MOVING_S` in its
own rows only, and recognised afresh.

Frames are held back until a detection has covered them and their lines are read and proven,
so memory stays flat. Every `REFRESH_S` all lines are read afresh and nothing before that
point is used any more: a job resumed after a crash restarts from the refresh point before its
checkpoint and gives the same results as a run that was never interrupted.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import cv2
import numpy as np

from foresyte_desktop.core.tracks import iou, overlap_share
from foresyte_desktop.core.model import FrameResult, OcrLine
from foresyte_desktop.core.pipelines.change_signal import UNSURE, Signature, edges, \
    signal_scale, small_grey
from foresyte_desktop.core.pipelines.ocr import Reading, TextEngine, crop, ocr_line
from foresyte_desktop.core.roi import Roi, roi_pixels
from foresyte_desktop.core.text import mostly_unspaced, normalise, squeezed
from foresyte_desktop.core.video import Frame, VideoReader, prefetched

GAP_S = 0.2  # new still edges are detected on at most this often ...
PROBE_MAX_S = 2.0  # ... and a detection runs at least this often in any case
MOVING_S = 0.5  # text that moves is detected and read again this often
VERIFY_S = 0.25  # a line whose signal is unsure is read again at most this often
REFRESH_S = 10.0  # every line is read afresh this often; resuming restarts from such a frame
# A carried reading this much less likely (in natural log units) than what the frames read
# again show is wrong there: a changed glyph scores about 15, a busy background's wavering
# between readings of the same line at most 8.
KEEP_NATS = 10.0
# A still line read less confidently than this is reported only once a second reading, from the
# mean of the frames after its first ones, gives the same text: still lines of the development
# and test videos read at 0.79 or more (short words over a moving picture), while a fire and a
# sketch in real footage read as 福 and WB at 0.53-0.6, and as something else on the next frames.
CONFIRM = 0.75
READ_FRAMES = 8  # a still line is recognised from the mean of its first frames ...
REFINE_FRAMES = 3  # ... and, where there are this many, detected again on that mean
YOUNG_S = 0.15  # a line changing again this soon after a change is moving text
YOUNG_REF = 4  # a line's reference of fewer frames than this is young ...
GONE = 0.8  # ... and a change of less than this share of its ink is proven by reading
MATCH_IOU = 0.5  # a detected box this much like a known line's box is that line
# Recognition crops get this share of the line height as margin on each side: without it the
# recogniser loses the spaces between Latin words. Chinese and Japanese have no spaces to lose,
# and their dense glyphs read better without it (subtitles in WenQuanYi Zen Hei 20 to 44 pixels
# high: 日 read as 目 with it, as 日 without), so their lines are read without it.
PAD = 0.1
# The probe gate: a block of GATE_BLOCK² signal pixels of which a GATE share are edges that
# stood still (within STILL_DIFF grey levels) for GATE_STILL frames, and were not such edges
# at the last detection, is new text.
GATE_BLOCK = 8
GATE = 0.5
GATE_STILL = 3
STILL_DIFF = 12
# ... or, where less than LOCAL of the picture changed by MOVED_DIFF since the last detection,
# a block with a GATE_MOVING share of new edges, still or not, is new text (moving over a
# still picture: 0.7-0.9, where a flickering background's new edges reach 0.6).
MOVED_DIFF = 20
LOCAL = 0.1
GATE_MOVING = 0.65


def refresh_frames(fps: float, stride: int) -> int:
    """How many analysed frames lie between two refresh points (where every line is read
    afresh) at this frame rate and stride."""
    per_s = fps / max(1, stride)
    gap = max(1, round(GAP_S * per_s))
    return max(max(gap, round(PROBE_MAX_S * per_s)), round(REFRESH_S * per_s))


@dataclass
class _Slot:
    """An analysed frame held until its text is known."""
    pos: int  # position in this run's sequence of analysed frames
    index: int
    time_s: float
    image: np.ndarray
    small: np.ndarray
    edges: np.ndarray  # the small copy's strong edges
    still: np.ndarray  # edges that stood still over this frame and the GATE_STILL - 1 before
    read_again: bool = False  # a carried line was recognised again on this frame


@dataclass(eq=False)
class _Line:
    quad: np.ndarray
    sig: Signature
    created: int  # position of the detection that found it
    born_of_change: bool  # found by a detection that a changed line triggered
    lineage: int = 0  # how many lines before it in its place changed as soon as they came
    first: int = 0
    last: int | None = None  # None while on screen
    moving_from: int | None = None  # where it started moving: its reading stays stale
    pending: int | None = None  # where a change began that the next frame should confirm
    unsure_from: int | None = None  # where its signal began to doubt the reading
    checked_at: int = -1  # the last frame it was recognised again on
    ended_young: bool = False  # it changed as soon as it came
    moved: bool = False  # its last change moved its ink sideways
    read: bool = False
    confirm: bool = False  # its reading waits for a second one (CONFIRM)
    pad: float = PAD  # the margin of its recognition crops, in line heights
    reading: OcrLine | None = None
    read_at: int | None = None  # frame index the reading belongs to
    rect: tuple = field(default=())

    def __post_init__(self) -> None:
        self.rect = _rect(self.quad)

    def on(self, pos: int) -> bool:
        return self.first <= pos and (self.last is None or pos <= self.last)


def _rect(quad: np.ndarray) -> tuple[float, float, float, float]:
    x0, y0 = quad.min(0)
    x1, y1 = quad.max(0)
    return float(x0), float(y0), float(x1), float(y1)


def _extends(new: tuple, old: tuple, others: Iterable[tuple] = ()) -> bool:
    """Whether `new` reaches well past `old` (a line that grew), beyond detection jitter and
    into anything but the boxes `others` of the lines beside it: a box that reaches into a
    neighbouring line's glyphs is the detector joining the two, not a line that grew."""
    slack = 0.5 * (old[3] - old[1])
    strips = []  # the parts of `new` past `old`, where it reaches out by more than the slack
    if new[0] < old[0] - slack:
        strips.append((new[0], new[1], old[0] - slack, new[3]))
    if new[2] > old[2] + slack:
        strips.append((old[2] + slack, new[1], new[2], new[3]))
    if new[1] < old[1] - slack:
        strips.append((new[0], new[1], new[2], old[1] - slack))
    if new[3] > old[3] + slack:
        strips.append((new[0], old[3] + slack, new[2], new[3]))
    others = list(others)
    return any(not any(overlap_share(strip, other) > 0 for other in others) for strip in strips)


def _padded(quad: np.ndarray, pad: float) -> np.ndarray:
    m = pad * float(quad[:, 1].max() - quad[:, 1].min())
    centre = quad.mean(0)
    out = quad.copy()
    out[:, 0] += np.where(quad[:, 0] < centre[0], -m, m)
    out[:, 1] += np.where(quad[:, 1] < centre[1], -m, m)
    return out


def _densest(mask: np.ndarray) -> float:
    """The largest share of set pixels in any GATE_BLOCK² block."""
    sums = cv2.boxFilter(mask.view(np.uint8), cv2.CV_16U, (GATE_BLOCK, GATE_BLOCK),
                         normalize=False, borderType=cv2.BORDER_CONSTANT)
    return float(sums.max()) / GATE_BLOCK ** 2


def _empty_stats() -> dict:
    return dict.fromkeys((
        "frames_analysed", "frames_compared", "frames_detected", "detections_on_change",
        "detections_on_probe", "detections_on_refresh", "detections_on_mean", "band_detections",
        "probes_skipped", "boxes_detected", "boxes_recognised", "lines_read", "lines_read_unpadded",
        "lines_read_again", "changes_read", "frames_with_reuse", "lines_reused",
        "readings_unconfirmed"), 0)


class ChangeDrivenReader:
    """One video's text, read on change. `stats` counts the work done and the work skipped."""

    def __init__(self, engine: TextEngine, reader: VideoReader, *, stride: int,
                 roi: Roi | None = None):
        per_s = reader.fps / max(1, stride)  # analysed frames per second
        self.engine = engine
        self.reader = reader
        self.stride = max(1, stride)
        self.gap = max(1, round(GAP_S * per_s))
        self.probe_max = max(self.gap, round(PROBE_MAX_S * per_s))
        self.moving = max(1, round(MOVING_S * per_s))
        self.verify = max(1, round(VERIFY_S * per_s))
        self.refresh = refresh_frames(reader.fps, stride)
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
        # Decoding and the signal's grey copy on threads of their own: on one thread, making
        # the copy held the next frame's decoding up (7 % of the reader's time on
        # dev_portrait_zh, whose decoding bounds it; where the copy is an exact halving, the
        # hand-over costs a little more than it saves, 5 % on dev_slides).
        decoded = prefetched(self.reader.frames(self.stride, None if max_frames is None
                                                else lead + max_frames, begin))
        frames = prefetched(decoded, self._prepare)
        try:
            yield from self.process(frames)
        finally:
            frames.close()  # stops both threads before the reader is looked at
            decoded.close()
            self.stats["frames_decoded"] = self.reader.frames_decoded

    def _prepare(self, frame: Frame) -> tuple[Frame, np.ndarray, np.ndarray]:
        # On a thread of its own: the grey copy and its edges cost no inference time.
        small = small_grey(frame.image[self._region], self.scale)
        return frame, small, edges(small)

    # -- the state machine --------------------------------------------------------------------

    def process(self, frames: Iterable[tuple[Frame, np.ndarray, np.ndarray]]
                ) -> Iterator[tuple[_Slot, FrameResult]]:
        """(frame, result) for each (frame, small grey copy, its edges), in order."""
        self._buffer: deque[_Slot] = deque()
        self._lines: list[_Line] = []
        self._covered = -1  # the last frame whose new text a detection has looked for
        self._last_probe = -1
        self._det_edges: np.ndarray | None = None  # edges at the last detection, widened
        self._det_pos = -1
        self._fired: int | None = None  # the first frame since then the gate found text on
        self._gated_at = -1  # the frame on which the last detection the gate asked for ran
        self._recent: deque[tuple[np.ndarray, np.ndarray]] = deque(maxlen=GATE_STILL - 1)
        pos = -1
        for pos, (frame, small, now) in enumerate(frames):
            self._step(_Slot(pos, frame.index, frame.time_s, frame.image, small, now,
                             self._still(small, now)))
            self._read_ready(pos)
            self._confirm(pos)
            self._prove(pos)
            yield from self._emit()
        if pos >= 0:
            self._detect_fired()
            if self._covered < pos:  # text that appeared after the last detection
                self._detect(self._buffer[-1], "probe")
            for line in self._lines:
                line.pending = None
            self._read_ready(pos, force=True)
            self._confirm(pos, force=True)
            self._prove(pos, force=True)
            yield from self._emit()

    def _still(self, small: np.ndarray, now: np.ndarray) -> np.ndarray:
        """The edges of `small` that stood still over it and the GATE_STILL - 1 frames
        before: edges in the same place, with the same grey levels (a scrolling pattern keeps
        edges where it moves by a pixel, but not their grey levels)."""
        grey = small.astype(np.int16)
        # Too few frames yet to tell: nothing counts as still (so the next detection's
        # reference holds none of a moving background's edges).
        still = now.copy() if len(self._recent) == GATE_STILL - 1 else np.zeros_like(now)
        for before, before_edges in self._recent:
            still &= before_edges & (np.abs(grey - before) <= STILL_DIFF)
        self._recent.append((grey, now))
        return still

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
            self._fired = None
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
            self._detect_fired()
            self._detect(self._slot(max(changed_at, self._covered + 1)), "change")
        elif pos - self._det_pos >= self.probe_max:
            self._detect_fired()
            self._detect(slot, "probe")
        elif pos - self._last_probe >= self.moving and \
                (band := self._moving_band(slot)) is not None:
            self._detect(slot, "probe", band=band)
            self._gate(pos)
        else:
            self._gate(pos)

    def _moving_band(self, slot: _Slot) -> tuple[int, int] | None:
        """The rows, in region pixels, that the moving lines run along, a line height more on
        each side; None when no line moves."""
        moving = [line.rect for line in self._active() if line.moving_from is not None]
        if not moving:
            return None
        height = slot.image[self._region].shape[0]
        top = min(r[1] - (r[3] - r[1]) for r in moving)
        bottom = max(r[3] + (r[3] - r[1]) for r in moving)
        return max(0, int(top)), min(height, int(np.ceil(bottom)))

    def _detect_fired(self) -> None:
        """Detect where the gate found new text, before a detection on a later frame: short
        text may be gone by then."""
        if self._fired is not None:
            fired, self._fired = self._fired, None
            self._detect(self._slot(fired), "probe")

    def _gate(self, pos: int) -> None:
        """Look for new still text on frame `pos`; detect on the first frame it was seen on
        once GAP_S has passed since the last detection."""
        if self._fired is None:
            if self._new_text(self._slot(pos)):
                self._fired = pos
            else:
                self.stats["probes_skipped"] += 1
                # Text that came before the last GATE_STILL frames would stand still by now.
                self._covered = max(self._covered, pos - GATE_STILL)
                return
        if self._fired is not None and pos - self._gated_at >= self.gap:
            # On the first frame the gate fired on, unless that is more than GAP_S back (the
            # gate fires on and on): then on this one, so that detection keeps up.
            fired = self._fired if pos - self._fired <= self.gap else pos
            self._fired, self._gated_at = None, pos
            self._detect(self._slot(fired), "probe")
            for p in range(fired + 1, pos + 1):  # the frames since, against this detection
                if self._new_text(self._slot(p)):
                    self._fired = p
                    break
                self._covered = max(self._covered, p - GATE_STILL)

    def _new_text(self, slot: _Slot) -> bool:
        """Whether, outside the known lines, edges stood still on `slot` that were not there
        at the last detection (text that appeared and stays), or new edges showed up in a
        picture that otherwise stayed as it was then (text moving over a still picture)."""
        if self._det_edges is None:
            return True
        outside = np.ones(slot.small.shape, bool)
        for line in self._active():
            sig = line.sig
            # Moving text leaves its box along its row: the whole row is its own.
            x0, x1 = (0, None) if line.moving_from is not None else (max(0, sig.x0 - 1),
                                                                    sig.x1 + 1)
            outside[max(0, sig.y0 - 1):sig.y1 + 1, x0:x1] = False
        if _densest(slot.still & ~self._det_edges & outside) >= GATE:
            return True
        moved = (np.abs(slot.small.astype(np.int16) - self._det_small) > MOVED_DIFF) & outside
        return moved.mean() < LOCAL and \
            _densest(slot.edges & ~self._det_all_edges & outside) >= GATE_MOVING

    def _observe(self, line: _Line, slot: _Slot) -> int | None:
        """Compare one frame with the line; the frame a confirmed change began on, or None."""
        if line.moving_from is not None:
            return None
        score = line.sig.score(slot.small)
        # Against a reference of few frames a busy background can pass for a change; one
        # that neither took most of the ink away nor moved it is then proven by reading,
        # like an unsure one.
        if score <= line.sig.threshold or (line.sig.frames < YOUNG_REF and score < GONE and
                                           not line.sig.moved(slot.small)):
            line.pending = None
            if score <= UNSURE:
                line.sig.learn(slot.small)
            elif line.unsure_from is None:
                line.unsure_from = slot.pos  # proven or disproven by reading it again
            return None
        if line.pending is None:
            line.pending = slot.pos  # confirmed, or dismissed, by the next frame
            return None
        began, line.pending = line.pending, None
        line.moved = line.sig.moved(slot.small)
        return began

    def _ends(self, line: _Line, began: int) -> bool:
        """Settle a line that changed from frame `began`: it ends there, unless it has been
        changing since it was found and so had the line before it in its place, which makes
        it moving text, read at each detection (one line that changes as soon as it came
        has just gone away)."""
        young = (line.born_of_change or line.first == line.created) and \
            began - line.created < self.young and line.moved
        if young and line.lineage:
            line.moving_from = began
            return False
        line.ended_young = young
        self._end(line, began - 1)
        return True

    def _end(self, line: _Line, last: int) -> None:
        line.last = last
        line.pending = None
        if line.unsure_from is not None and line.unsure_from > last:
            line.unsure_from = None
        if last < line.first:
            self._lines.remove(line)

    def _prove(self, pos: int, force: bool = False) -> None:
        """Read again the lines whose signal doubts their reading, from the mean of up to
        READ_FRAMES frames since the doubt began (until frame `pos`, or the last frame of a
        line that has ended): the same text proves those frames; other text ends the line
        where the doubt began."""
        doubted = []
        for line in self._lines:
            if line.unsure_from is None or not line.read:
                continue
            last = pos if line.last is None else line.last
            if force or line.last is not None or (
                    last - line.unsure_from >= READ_FRAMES - 1 and
                    pos - line.checked_at >= self.verify):
                doubted.append((line, range(max(line.unsure_from, last - READ_FRAMES + 1),
                                            last + 1)))
        if not doubted:
            return
        crops = []
        for line, span in doubted:
            self._slot(span[-1]).read_again = True
            crops.append(self._mean_crop(line, span))
        self.stats["lines_read_again"] += len(doubted)
        changed_at = None
        for (line, span), again in zip(doubted, self.engine.recognise(crops)):
            if self._still_reads(line, again):
                line.unsure_from, line.checked_at = None, span[-1]
                for p in span:  # frames proven to show the line: a quieter reference
                    line.sig.learn(self._slot(p).small)
                continue
            began = line.unsure_from
            self.stats["changes_read"] += 1
            self._end(line, began - 1)
            line.unsure_from = None
            changed_at = began if changed_at is None else min(changed_at, began)
        if changed_at is not None:
            self._detect_fired()
            self._detect(self._slot(changed_at), "change", bound=changed_at)

    def _mean_crop(self, line: _Line, span: Iterable[int], pad: float | None = None
                   ) -> np.ndarray:
        """The line's crop (with its margin, or `pad`) averaged over the frames of `span`: a
        moving background washes out, the text stays."""
        padded = _padded(line.quad, line.pad if pad is None else pad)
        stack = [crop(self._slot(p).image[self._region], padded).astype(np.float32)
                 for p in span]
        return np.mean(stack, axis=0).round().astype(np.uint8) if len(stack) > 1 \
            else stack[0].astype(np.uint8)

    def _still_reads(self, line: _Line, again: Reading) -> bool:
        """Whether a line's reading is still what the frame read again shows: the same text,
        or one the recogniser finds about as likely there as what it read (a busy background
        makes single frames waver between readings of the same line)."""
        readable = ocr_line(again.text, again.score, line.quad) is not None
        if line.reading is None or not readable:
            return line.reading is None and not readable
        if squeezed(again.text) == squeezed(line.reading.text):
            return True
        return self.engine.still_reads(again, line.reading.text) < KEEP_NATS

    def _detect(self, at: _Slot, why: str, bound: int | None = None,
                band: tuple[int, int] | None = None) -> None:
        """Detect on frame `at`, or only in the rows `band` of it (moving text); new lines
        are traced back to the frame they appeared on (not before `bound`) and brought up to
        date with the frames after `at`."""
        pos = at.pos
        if bound is None:
            bound = pos if why == "refresh" else self._covered + 1
        self._last_probe = pos
        image = at.image[self._region]
        if band is None:
            self._covered = max(self._covered, pos)
            if self._fired is not None and self._fired <= pos:
                self._fired = None
            widen = np.ones((3, 3), np.uint8)
            self._det_edges = cv2.dilate(at.still.astype(np.uint8), widen).astype(bool)
            self._det_all_edges = cv2.dilate(at.edges.astype(np.uint8), widen).astype(bool)
            self._det_small = at.small.astype(np.int16)
            self._det_pos = max(self._det_pos, pos)
            quads = self.engine.detect(image)
        else:
            quads = [q + np.float32([0, band[0]])
                     for q in self.engine.detect(image[band[0]:band[1]])]
            self.stats["band_detections"] += 1
        self.stats["frames_detected"] += 1
        self.stats[f"detections_on_{why}"] += 1
        self.stats["boxes_detected"] += len(quads)
        for line in self._active():
            if line.moving_from is not None and (band is None or band[0] <= (
                    line.rect[1] + line.rect[3]) / 2 < band[1]):
                # Read afresh from this detection's boxes
                line.ended_young = True  # and what takes its place moves on as it did
                self._end(line, pos - 1)
        new = []
        for quad in quads:
            line = _Line(quad, Signature(at.small, quad, self.scale), created=pos,
                         born_of_change=why == "change")
            known = [old for old in self._active() if old.pending is None or old.pending > pos]
            best = max(known, key=lambda old: iou(old.rect, line.rect), default=None)
            if best is not None and iou(best.rect, line.rect) >= MATCH_IOU and \
                    not _extends(line.rect, best.rect,
                                 (old.rect for old in known if old is not best)):
                continue  # a line already known, and unchanged
            # Never back across the end of a line in the same place: those frames show it.
            before = [old for old in self._lines if old.last is not None and
                      old.last < pos and overlap_share(old.rect, line.rect) > 0.5]
            line.first = self._trace_back(line, pos, max([bound, *(b.last + 1 for b in before)]))
            line.lineage = max((b.lineage + 1 for b in before if b.ended_young and
                                b.last >= line.first - 1), default=0)
            for old in self._active():
                if overlap_share(old.rect, line.rect) > 0.5:  # replaced by the new line
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
            if line.sig.score(small) > line.sig.threshold:
                if blip:  # changed two frames in a row: the line starts after them
                    break
                blip = True  # one noisy frame, unless the one before it changed too
                continue
            blip = False
            first = p
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
        self._refine(ready)
        crops = [self._mean_crop(line, span) for line, span in ready]
        self.stats["boxes_recognised"] += len(crops)
        readings = self.engine.recognise(crops)
        # Chinese and Japanese lines: read again without the margin (PAD), and kept so where
        # that gives a reading.
        unspaced = [k for k, reading in enumerate(readings) if mostly_unspaced(reading.text)]
        if unspaced:
            self.stats["lines_read_unpadded"] += len(unspaced)
            tight = self.engine.recognise([self._mean_crop(*ready[k], pad=0.0)
                                           for k in unspaced])
            for k, reading in zip(unspaced, tight):
                if ocr_line(reading.text, reading.score, ready[k][0].quad) is not None:
                    readings[k] = reading
                    ready[k][0].pad = 0.0
        for (line, span), reading in zip(ready, readings):
            line.read = True
            line.reading = ocr_line(reading.text, reading.score, line.quad + self._offset)
            line.read_at = self._slot(line.first).index
            line.checked_at = span[-1]
            line.confirm = line.reading is not None and line.moving_from is None and \
                line.reading.confidence < CONFIRM
            self.stats["lines_read"] += line.reading is not None

    def _confirm(self, pos: int, force: bool = False) -> None:
        """Read again each line whose first reading was unconfident (CONFIRM), from the mean of
        up to READ_FRAMES frames after its first ones (until frame `pos`, or its last frame):
        the same text (case, accents and spacing aside) confirms the reading. Anything else
        drops it (its first frames show no text) and, while the line is on screen, it ends
        there and is detected and read afresh from that frame (text that faded in reads
        clearly then); with no frames after the first ones (a line that short, or the end of
        the video) the reading is dropped."""
        waiting = []
        for line in self._lines:
            if not line.confirm:
                continue
            start = line.checked_at + 1
            end = min(pos if line.last is None else line.last, start + READ_FRAMES - 1)
            if force or line.last is not None or end - start + 1 >= READ_FRAMES:
                waiting.append((line, range(start, end + 1)))
        if not waiting:
            return
        spans = [(line, span) for line, span in waiting if len(span)]
        again = self.engine.recognise([self._mean_crop(line, span) for line, span in spans])
        self.stats["lines_read_again"] += len(spans)
        # The same text, as ForeSyte compares text: case, accents and spacing aside.
        confirmed = {id(line) for (line, _), reading in zip(spans, again)
                     if squeezed(normalise(reading.text)) ==
                     squeezed(normalise(line.reading.text))}
        changed_at = None
        for line, span in waiting:
            line.confirm = False
            if id(line) in confirmed:
                continue
            line.reading = None
            self.stats["readings_unconfirmed"] += 1
            if len(span) and line.last is None and not force:
                self._end(line, span[0] - 1)
                changed_at = span[0] if changed_at is None else min(changed_at, span[0])
        if changed_at is not None:
            self._detect_fired()
            self._detect(self._slot(changed_at), "change", bound=changed_at)

    def _refine(self, ready: list[tuple[_Line, list[int]]]) -> None:
        """Detect again on the mean of the frames a new line is read from, in the rows around
        it and at the frame's own resolution, and read the line from the box found there
        when it is one box like the first one: over a busy background a single frame's
        detection, shrunk to DET_MAX_SIDE, can lose a short word at the end of a line or
        reach into the glyph of a line beside it, which the mean at full size shows apart."""
        groups: dict[tuple[int, int], list[_Line]] = {}
        for line, span in ready:
            if len(span) >= REFINE_FRAMES and line.moving_from is None:
                groups.setdefault((span[0], span[-1]), []).append(line)
        image = self._buffer[0].image[self._region]
        for (first, last), lines in groups.items():
            margin = 2 * max(line.rect[3] - line.rect[1] for line in lines)
            top = max(0, int(min(line.rect[1] for line in lines) - margin))
            bottom = min(image.shape[0], int(max(line.rect[3] for line in lines) + margin) + 1)
            total = np.zeros((bottom - top, *image.shape[1:]), np.float32)
            for p in range(first, last + 1):
                total += self._slot(p).image[self._region][top:bottom]
            mean = (total / (last - first + 1)).round().astype(np.uint8)
            found = [q + np.float32([0, top])
                     for q in self.engine.detect(mean, max_side=max(mean.shape[:2]))]
            rects = [(q, _rect(q)) for q in found]
            self.stats["frames_detected"] += 1
            self.stats["detections_on_mean"] += 1
            for line in lines:
                inside = [(q, r) for q, r in rects if overlap_share(r, line.rect) > 0.5]
                best = max(inside, key=lambda qr: iou(qr[1], line.rect), default=None)
                if best is None or iou(best[1], line.rect) < MATCH_IOU or len(inside) > 1:
                    continue  # not found again, or in pieces: the first box holds them all
                line.quad, line.rect = best[0], best[1]
                line.sig = Signature(self._slot(first).small, best[0], self.scale)
                for p in range(first + 1, last + 1):
                    line.sig.learn(self._slot(p).small)

    def _emit(self) -> Iterator[tuple[_Slot, FrameResult]]:
        while self._buffer:
            slot = self._buffer[0]
            if slot.pos > self._covered:
                return  # a later detection may still find text on it
            here = [line for line in self._lines if line.on(slot.pos)]
            if any(not line.read or line.confirm or
                   (line.pending is not None and slot.pos >= line.pending) or
                   (line.unsure_from is not None and slot.pos >= line.unsure_from)
                   for line in here):
                return
            lines = []
            for line in sorted((line for line in here if line.reading is not None),
                               key=lambda line: line.first):
                # One place shows one line: a copy of a reading found twice is dropped.
                if not any(squeezed(line.reading.text) == squeezed(kept.reading.text) and
                           overlap_share(line.rect, kept.rect) > 0.5 for kept in lines):
                    lines.append(line)
            lines.sort(key=lambda line: (line.rect[1], line.rect[0]))
            carried = [line for line in lines if line.read_at < slot.index]
            if not carried:
                checked = None
            elif any(line.moving_from is not None and line.moving_from <= slot.pos
                     for line in carried):
                checked = "moving"  # its glyphs are not compared: the frame proves nothing
            else:
                checked = "read" if slot.read_again else "glyphs"
            reused = [line.read_at for line in carried]
            result = FrameResult(slot.index, slot.time_s, ocr=[line.reading for line in lines],
                                 reused_from=min(reused) if reused else None, checked=checked)
            self.stats["frames_with_reuse"] += bool(reused)
            self.stats["lines_reused"] += len(reused)
            self._buffer.popleft()
            self._lines = [line for line in self._lines
                           if line.last is None or line.last > slot.pos]
            yield slot, result
