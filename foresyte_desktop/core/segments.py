"""Merging each line of text over the consecutive analysed frames in which it stays.

OCR of the same line varies a little from frame to frame (a dropped accent, `l` for `1`), and a
detector now and then misses a line for one frame; neither may split a segment. Lines are
matched by fuzzy text similarity, preferring the one whose box overlaps, and a segment
survives one analysed frame without a sighting. But a reading that holds for `STABLE` frames
and then gives way to another that holds as long is another line, however alike the two are
("Gate 14" then "Gate 15"): the segment is split there. A reading seen on one frame only, that
no other segment has, is dropped unless its confidence is at least `LONE_CONFIDENCE`.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from foresyte_desktop.core.model import FrameResult, OcrLine
from foresyte_desktop.core.text import normalise, squeezed
from foresyte_desktop.core.tracks import boxes_overlap, quad_bounds

SIMILAR = 80.0  # rapidfuzz ratio (0-100) above which two readings are the same line
MAX_MISSED = 1  # analysed frames a segment may go unseen and still continue
STABLE = 3  # analysed frames a reading must hold to stand as a line of its own
LONE_CONFIDENCE = 0.9  # a one-frame reading found nowhere else needs this confidence


@dataclass
class _Open:
    first_frame: int
    start_s: float
    last_frame: int
    end_s: float
    box: list[list[float]]
    best_conf: float
    votes: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    confs: list[float] = field(default_factory=list)
    missed: int = 0
    seen: list[tuple[FrameResult, OcrLine]] = field(default_factory=list)

    def add(self, frame: FrameResult, line: OcrLine) -> None:
        self.last_frame, self.end_s = frame.frame_index, frame.time_s
        self.votes[line.text.strip()] += max(line.confidence, 0.01)
        self.confs.append(line.confidence)
        self.missed = 0
        self.seen.append((frame, line))
        if line.confidence >= self.best_conf:
            self.best_conf, self.box = line.confidence, line.box

    def split(self) -> list[_Open]:
        """This segment cut where one reading held for STABLE frames and another as long
        follows it; the frames between two such readings go with the first."""
        runs: list[list[int]] = []  # [start, end) into seen, one per run of one reading
        for i, (_, line) in enumerate(self.seen):
            if runs and squeezed(self.seen[runs[-1][0]][1].text) == squeezed(line.text):
                runs[-1][1] = i + 1
            else:
                runs.append([i, i + 1])
        stable = [r for r in runs if r[1] - r[0] >= STABLE]
        cuts = [b[0] for a, b in zip(stable, stable[1:])
                if squeezed(self.seen[a[0]][1].text) != squeezed(self.seen[b[0]][1].text)]
        if not cuts:
            return [self]
        parts = []
        for lo, hi in zip([0, *cuts], [*cuts, len(self.seen)]):
            frame, line = self.seen[lo]
            part = _Open(frame.frame_index, frame.time_s, frame.frame_index, frame.time_s,
                         line.box, line.confidence)
            for frame, line in self.seen[lo:hi]:
                part.add(frame, line)
            parts.append(part)
        return parts

    @property
    def text(self) -> str:
        return max(self.votes.items(), key=lambda kv: kv[1])[0]

    def similarity(self, line: OcrLine) -> float:
        return fuzz.ratio(normalise(self.text), normalise(line.text))

    def as_dict(self) -> dict:
        return {"text": self.text, "start_s": round(self.start_s, 3), "end_s": round(self.end_s, 3),
                "first_frame": self.first_frame, "last_frame": self.last_frame,
                "confidence": round(sum(self.confs) / len(self.confs), 4), "box": self.box}


def merge_segments(frames: Iterable[FrameResult]) -> list[dict]:
    """Text segments (dicts in the results-JSON shape) from frame results in frame order."""
    return [seg for seg, _ in segments_with_lines(frames)]


def segments_with_lines(frames: Iterable[FrameResult]) -> list[tuple[dict, list[tuple[int, int]]]]:
    """Each text segment of `merge_segments` with the (frame_index, line number) of every OCR
    line it was merged from."""
    open_: list[_Open] = []
    done: list[_Open] = []
    for frame in frames:
        matched: set[int] = set()
        for line in frame.ocr:
            if not line.text.strip():
                continue
            best, best_key = None, (SIMILAR, False)
            for i, seg in enumerate(open_):
                if i in matched:
                    continue
                sim = seg.similarity(line)
                key = (sim, boxes_overlap(seg.box, line.box))
                if sim >= SIMILAR and (best is None or key[::-1] > best_key[::-1]):
                    best, best_key = i, key
            if best is None:
                seg = _Open(frame.frame_index, frame.time_s, frame.frame_index, frame.time_s,
                            line.box, line.confidence)
                seg.add(frame, line)
                open_.append(seg)
                matched.add(len(open_) - 1)
            else:
                open_[best].add(frame, line)
                matched.add(best)
        still = []
        for i, seg in enumerate(open_):
            if i not in matched:
                seg.missed += 1
            (still if seg.missed <= MAX_MISSED else done).append(seg)
        open_ = still
    done = [part for seg in done + open_ for part in seg.split()]
    texts: dict[str, int] = defaultdict(int)
    for seg in done:
        texts[squeezed(seg.text)] += 1
    done = [seg for seg in done if len(seg.seen) > 1 or texts[squeezed(seg.text)] > 1 or
            seg.best_conf >= LONE_CONFIDENCE]
    done.sort(key=lambda s: (s.first_frame, quad_bounds(s.box)[1]))
    return [(s.as_dict(), [(frame.frame_index, next(n for n, o in enumerate(frame.ocr)
                                                    if o is line)) for frame, line in s.seen])
            for s in done]
