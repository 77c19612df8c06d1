"""Opening video files: the intake check with its plain-language refusals, and the frame iterator.

A file is accepted only if it carries an ISO-BMFF `ftyp` box in its first 64 bytes (MP4, and
QuickTime `.mov`, which is the same container family and decodes the same) and OpenCV can open
it and decode its first frame. Frames are decoded one at a time, so memory stays flat however
long the video is; `prefetched` moves the decoding onto a thread of its own, a few frames ahead.
"""
from __future__ import annotations

import math
import os
import queue
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from foresyte_desktop.core.errors import VideoError
from foresyte_desktop.core.model import VideoInfo

VIDEO_SUFFIXES = (".mp4", ".m4v", ".mov")
_VIDEO_HANDLER = re.compile(rb"hdlr.{8}vide", re.S)
_DAMAGED = object()  # stands for a frame the decoder could not produce
MAX_DAMAGED_RUN = 300  # consecutive undecodable frames after which the rest is given up
PREFETCH = 4  # frames decoded ahead of the consumer by `prefetched`
# FFmpeg's threads for an analysis' decoding. OpenCV gives one per CPU; twice as many keep
# frames in flight while the decoding thread converts the last one (the same frames, bit for
# bit): the reader took 6 % less time on dev_portrait_zh, whose decoding bounds it.
ANALYSIS_DECODER_THREADS = min(16, 2 * (os.cpu_count() or 1))
# A start further ahead than this is sought (the keyframe before, then decoding forward)
# rather than reached by grabbing every frame on the way: a chunk an hour in starts at once.
SEEK_FRAMES = 64


class VideoRefused(VideoError):
    """A file refused at intake; `reason` is the short phrase ("not an MP4 file")."""

    def __init__(self, path: str | os.PathLike, reason: str, detail: str = ""):
        self.path = str(path)
        self.reason = reason
        self.detail = detail
        super().__init__(f"“{Path(path).name}” {detail or 'was refused: ' + reason}.")

    def __reduce__(self):  # crosses back from the decode child whole
        return type(self), (self.path, self.reason, self.detail)


def check_readable_mp4(path: str | os.PathLike) -> None:
    """Cheap checks that need no decoder: the file exists, is readable and looks like MP4."""
    p = Path(path)
    if not p.exists():
        raise VideoRefused(p, "file not found", "was not found (file not found)")
    if p.is_dir():
        raise VideoRefused(p, "is a folder", "is a folder, not a video file")
    try:
        with open(p, "rb") as fh:
            head = fh.read(64)
    except PermissionError:
        raise VideoRefused(p, "permission denied",
                           "cannot be read: permission denied") from None
    except OSError as exc:
        raise VideoRefused(p, "cannot be read", f"cannot be read: {exc.strerror}") from None
    if not head:
        raise VideoRefused(p, "empty file", "is empty (0 bytes), not an MP4 file")
    if b"ftyp" not in head:
        raise VideoRefused(p, "not an MP4 file", "is not an MP4 file")


def _has_index_without_video(path: Path) -> bool:
    """True when the container's index (`moov`) is there but lists no video track.

    Tells "no video stream" (audio only) from "damaged or incomplete" (no index at all, as in
    a truncated download) after OpenCV has refused a file.
    """
    tail, moov = b"", False
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            window = tail + chunk
            if _VIDEO_HANDLER.search(window):
                return False
            moov = moov or b"moov" in window
            tail = chunk[-16:]
    return moov


@dataclass
class Frame:
    index: int
    time_s: float
    image: np.ndarray


class VideoReader:
    """An opened, validated video. Use as a context manager, or call close()."""

    def __init__(self, path: str | os.PathLike, decoder_threads: int | None = None):
        """decoder_threads: FFmpeg's threads, OpenCV's choice (one per CPU) when None."""
        self.path = Path(path)
        check_readable_mp4(self.path)
        self._cap = cv2.VideoCapture(str(self.path), cv2.CAP_FFMPEG,
                                     [cv2.CAP_PROP_N_THREADS, decoder_threads]
                                     if decoder_threads else [])
        if not self._cap.isOpened():
            self._cap.release()
            if _has_index_without_video(self.path):
                raise VideoRefused(self.path, "no video stream", "has no video stream")
            raise VideoRefused(self.path, "cannot decode",
                               "cannot be decoded: the file is damaged or incomplete")
        ok, first = self._cap.read()
        if not ok or first is None:
            self._cap.release()
            raise VideoRefused(self.path, "cannot decode",
                               "cannot be decoded: not even its first frame could be read")
        fps = self._cap.get(cv2.CAP_PROP_FPS)
        self.fps = fps if fps and math.isfinite(fps) and 0 < fps < 1000 else 25.0
        self.frame_count = max(int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0), 1)
        self.height, self.width = first.shape[:2]
        self._first = first
        self._pos = 1  # index of the next frame the decoder will produce
        self.frames_decoded = 1  # frames decoded without error
        self._damaged_run = 0
        self._after_seek = False

    @property
    def info(self) -> VideoInfo:
        return VideoInfo(path=str(self.path), width=self.width, height=self.height,
                         fps=round(self.fps, 3), frame_count=self.frame_count,
                         duration_s=round(self.frame_count / self.fps, 3))

    def planned_frames(self, stride: int = 1, max_frames: int | None = None,
                       start: int = 0) -> int:
        """How many frames `frames()` is expected to yield (the container's count may be off)."""
        n = max(0, math.ceil((self.frame_count - start) / max(1, stride)))
        return min(n, max_frames) if max_frames else n

    def frames(self, stride: int = 1, max_frames: int | None = None,
               start: int = 0) -> Iterator[Frame]:
        """Every `stride`-th frame from `start`, at most `max_frames`, with decoder timestamps.

        Frames in between are grabbed (decoded, not converted), which is the cheapest way past
        them that stays frame-exact; a `start` SEEK_FRAMES or more ahead is sought, kept only
        where the decoder's timestamp proves it landed there. A damaged frame is skipped and
        the decoder resynchronises after it when it can; it stops at the end of the stream or
        where it cannot.
        `frame_count - frames_decoded` is then the number of frames lost.
        """
        stride = max(1, int(stride))
        yielded = 0
        index = start
        seek = True  # to `start` only: the frames after it are grabbed, which counts them all
        while max_frames is None or yielded < max_frames:
            image = self._read_at(index, seek)
            seek = False
            if image is None:
                return
            if image is not _DAMAGED:
                yield Frame(index, self._time_of(index), image)
                yielded += 1
            index += stride

    def _time_of(self, index: int) -> float:
        if index == 0:
            return 0.0
        msec = self._cap.get(cv2.CAP_PROP_POS_MSEC)
        if msec and math.isfinite(msec) and msec > 0:
            return round(msec / 1000.0, 4)
        return round(index / self.fps, 4)

    def _read_at(self, index: int, seek: bool = False) -> np.ndarray | None:
        """The image of frame `index`, _DAMAGED if that frame cannot be decoded, None at the end."""
        if index == 0 and self._first is not None:
            image, self._first = self._first, None
            return image
        self._first = None
        if index < self._pos:  # only rewinds when a caller restarts; exact by design
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            self._pos = 0
        if seek and index - self._pos >= SEEK_FRAMES and self._seek(index):
            ok, image = self._cap.retrieve()
            if ok and image is not None:
                self._pos += 1
                return image
            self._rewind()
        while self._pos < index:
            if self._step(retrieve=False) is None:
                return None
        return self._step(retrieve=True)

    def _seek(self, index: int) -> bool:
        """Jump to frame `index` and grab it; True only when the decoder's timestamp proves it
        landed there. The frames jumped over count as decoded."""
        if not self._cap.set(cv2.CAP_PROP_POS_FRAMES, index) or not self._cap.grab():
            self._rewind()
            return False
        landed = self._cap.get(cv2.CAP_PROP_POS_MSEC) / 1000 * self.fps
        if abs(landed - index) > 0.5:
            self._rewind()
            return False
        self.frames_decoded += index - self._pos + 1
        self._pos = index
        return True

    def _rewind(self) -> None:
        """Back to frame 0, from where frames are grabbed one by one (exact by design)."""
        self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
        self._pos = 0
        self.frames_decoded = 0

    def _step(self, *, retrieve: bool):
        """Decode the frame at `_pos`; on a decode error skip past it and count it unreadable."""
        ok = self._cap.grab()
        if ok and self._after_seek:
            # Seeking in a damaged file can land on the wrong frame: trust only exact times.
            self._after_seek = False
            if abs(self._cap.get(cv2.CAP_PROP_POS_MSEC) / 1000 - self._pos / self.fps) > \
                    0.5 / self.fps:
                return None
        if ok:
            image = None
            if retrieve:
                ok, image = self._cap.retrieve()
        if ok and (image is not None or not retrieve):
            self._pos += 1
            self.frames_decoded += 1
            self._damaged_run = 0
            return image if retrieve else True
        if self._pos >= self.frame_count - 1 or self._damaged_run >= MAX_DAMAGED_RUN:
            return None
        self._pos += 1
        self._damaged_run += 1
        self._cap.set(cv2.CAP_PROP_POS_FRAMES, self._pos)
        self._after_seek = True
        return _DAMAGED

    def close(self) -> None:
        self._cap.release()

    def __enter__(self) -> "VideoReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def probe(path: str | os.PathLike) -> VideoInfo:
    """Validate a file as the intake does and return what it holds; raises VideoRefused."""
    with VideoReader(path) as reader:
        return reader.info


class _Failed:
    def __init__(self, exc: BaseException):
        self.exc = exc


_END = object()


def prefetched(frames: Iterator[Frame], prepare: Callable[[Frame], object] = lambda f: f,
               depth: int = PREFETCH) -> Iterator:
    """`prepare(frame)` for each of `frames`, computed on a decoding thread of its own.

    FFmpeg and OpenCV release the GIL, so decoding (and the per-frame work in `prepare`)
    overlaps the consumer's inference; at most `depth` frames wait in between, so memory
    stays bounded. Errors are raised in the consumer; closing the iterator stops the thread.
    """
    ahead: queue.Queue = queue.Queue(maxsize=max(1, depth))
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                ahead.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for frame in frames:
                if not put(prepare(frame)):
                    return
            put(_END)
        except BaseException as exc:  # handed to the consumer, which raises it
            put(_Failed(exc))

    thread = threading.Thread(target=produce, name="foresyte-decode", daemon=True)
    thread.start()
    try:
        while (item := ahead.get()) is not _END:
            if isinstance(item, _Failed):
                raise item.exc
            yield item
    finally:
        stop.set()
        thread.join()
