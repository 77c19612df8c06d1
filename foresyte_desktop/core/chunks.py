"""A job's frame range cut into chunks at the text pipeline's refresh points, and the chunks'
object tracks joined back into one job's.

A chunk starts at a refresh point, from where `reuse.py` reads as a resumed job does, and runs
on past its end until every frame before the next chunk's start is out
(`AnalysisRequest.end`); so each chunk's results are a one-pass run's, and stitching the text
is storing the chunks side by side. Trackers restart at each chunk, numbering from a range of
their own; `join_tracks` maps a track at a chunk's first frame to the one before the boundary
with the same label and the box it most overlaps.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from foresyte_desktop.core.tracks import iou
from foresyte_desktop.core.model import Detection
from foresyte_desktop.core.pipelines.reuse import refresh_frames

CHUNK_S = 60.0  # video seconds per chunk, unless fewer chunks than workers would result
TRACK_SPAN = 100_000  # chunk k's tracker numbers its tracks from k * TRACK_SPAN + 1
JOIN_IOU = 0.5  # a box at a chunk's first frame this much like one just before is the same


@dataclass(frozen=True)
class Chunk:
    index: int
    start: int  # first frame index, a refresh point
    end: int | None  # the next chunk's start; None: the last chunk, which runs to the end
    frames: int  # analysed frames planned in it
    max_frames: int | None = None  # the last chunk of a job with a frame limit stops there

    @property
    def first_track_id(self) -> int:
        return self.index * TRACK_SPAN + 1


def plan_chunks(frame_count: int, fps: float, stride: int, max_frames: int | None, *,
                workers: int, chunk_s: float = CHUNK_S) -> list[Chunk]:
    """Chunks covering the analysed frames (every `stride`-th of `frame_count`, at most
    `max_frames`), each a whole number of refresh periods of about `chunk_s`, shorter where
    that gives every worker a chunk."""
    stride = max(1, stride)
    total = math.ceil(frame_count / stride)
    if max_frames is not None:
        total = min(total, max_frames)
    period = refresh_frames(fps, stride)
    periods = max(1, round(chunk_s * fps / stride / period))
    periods = max(1, min(periods, math.ceil(total / (period * max(1, workers)))))
    size = period * periods  # analysed frames per chunk
    starts = list(range(0, max(total, 1), size))
    chunks = []
    for k, first in enumerate(starts):
        last = k == len(starts) - 1
        frames = (total if last else starts[k + 1]) - first
        chunks.append(Chunk(k, first * stride, None if last else starts[k + 1] * stride,
                            frames, frames if last and max_frames is not None else None))
    return chunks


def join_tracks(before: Iterable[Detection], after: Iterable[Detection]) -> dict[int, int]:
    """{track id at a chunk's first frame: track id on the frame before the boundary} for the
    pairs with the same label whose boxes overlap most (at least JOIN_IOU), each used once."""
    pairs = sorted(((iou(a.box, b.box), b.track_id, a.track_id)
                    for a in after if a.track_id is not None
                    for b in before if b.track_id is not None and b.label == a.label),
                   key=lambda p: -p[0])
    joined: dict[int, int] = {}
    taken: set[int] = set()
    for share, old, new in pairs:
        if share >= JOIN_IOU and new not in joined and old not in taken and new != old:
            joined[new] = old
            taken.add(old)
    return joined


def renumbered(first_seen: dict[int, int], joins: dict[int, int]) -> dict[int, int]:
    """New track ids, 1 up in order of first sighting, for every stored id (`first_seen`: id
    to its first frame index), a joined track taking the id of the track it continues."""
    def root(track: int) -> int:
        seen = {track}
        while joins.get(track, track) not in seen:  # ids already joined map to themselves
            track = joins[track]
            seen.add(track)
        return track
    roots = sorted({root(t) for t in first_seen}, key=lambda t: (first_seen.get(t, 0), t))
    number = {r: n for n, r in enumerate(roots, 1)}
    return {t: number[root(t)] for t in first_seen}
