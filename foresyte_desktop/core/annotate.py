"""Results drawn over video frames: search thumbnails and the annotated MP4 export.

The MP4's frames carry the same overlays as the viewer and the PNG (overlay_draw). FFmpeg
children decode the source and encode H.264 with the source's audio (core/ffmpeg.py), so this
process never decodes the untrusted file itself; it only draws on raw pixels between the two.
"""
from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable
from pathlib import Path

import cv2
import numpy as np

from foresyte_desktop.core import ffmpeg
from foresyte_desktop.core.errors import ForesyteError, VideoError
from foresyte_desktop.core.exporters import replaced_atomically
from foresyte_desktop.core.model import FrameResult, Job
from foresyte_desktop.core.overlay_draw import OverlayOptions, draw_overlays
from foresyte_desktop.core.review_apply import corrected_results
from foresyte_desktop.core.roi import Roi
from foresyte_desktop.core.store import JobStore

HIGHLIGHT_COLOR = (0, 0, 255)

ProgressFn = Callable[[int, int], None]  # frames written, frames to write


def grab_frame(video_path: str | os.PathLike, frame_index: int) -> np.ndarray:
    """One frame of a video, found by seeking; VideoError if it cannot be read."""
    cap = cv2.VideoCapture(str(video_path), cv2.CAP_FFMPEG)
    try:
        if not cap.isOpened():
            raise VideoError(f"“{Path(video_path).name}” cannot be opened to show frame "
                             f"{frame_index}: it was moved, deleted or damaged.")
        cap.set(cv2.CAP_PROP_POS_FRAMES, frame_index)
        ok, image = cap.read()
    finally:
        cap.release()
    if not ok or image is None:
        raise VideoError(f"Frame {frame_index} of “{Path(video_path).name}” cannot be decoded.")
    return image


def thumbnail(video_path: str | os.PathLike, frame_index: int, box: list[list[float]], *,
              width: int = 320) -> np.ndarray:
    """A small BGR image of the frame with `box` (an OCR line's corners) highlighted."""
    image = grab_frame(video_path, frame_index)
    points = np.array([[round(x), round(y)] for x, y in box], np.int32)
    pad = max(2, image.shape[1] // 200)
    cv2.polylines(image, [points], True, HIGHLIGHT_COLOR, pad * 2, cv2.LINE_AA)
    height = max(1, round(image.shape[0] * width / image.shape[1]))
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)


def frame_span(source: ffmpeg.Source, analysed: Iterable[int], stride: int,
               start_s: float | None, end_s: float | None) -> tuple[int, int]:
    """[first, last) frames to write: the analysed span (up to the last analysed frame's
    stride), cut to the time range asked for."""
    indices = list(analysed)
    last = min(source.frame_count, max(indices) + stride) if indices else source.frame_count
    first = 0 if start_s is None else max(0, math.floor(start_s * source.rate + 1e-6))
    if end_s is not None:
        last = min(last, math.ceil(end_s * source.rate - 1e-6))
    return first, last


def write_annotated_video(video_path: str | os.PathLike, frames: Iterable[FrameResult],
                          out_path: str | os.PathLike, *, stride: int = 1, roi: Roi | None = None,
                          start_s: float | None = None, end_s: float | None = None,
                          progress: ProgressFn | None = None,
                          cancel: Callable[[], bool] | None = None) -> Path | None:
    """The video with its overlays burned in: H.264 at the source's size and frame rate, with
    its audio.

    Each analysed frame's overlays stay on for the `stride` frames it stands for. The file
    covers the video up to the last analysed frame's span, or the part of it from `start_s` to
    `end_s` (seconds). Written to a temporary file and renamed, so a cancelled or failed export
    leaves nothing behind; returns None if cancelled. ForesyteError says why it failed.
    """
    by_index = {f.frame_index: f for f in frames}
    out_path = Path(out_path)
    name = Path(video_path).name
    if out_path.resolve() == Path(video_path).resolve():
        raise ForesyteError(f"“{out_path.name}” is the video the results are drawn on; "
                            "choose another name for the annotated copy.")
    source = ffmpeg.probe(video_path)
    first, last = frame_span(source, by_index, stride, start_s, end_s)
    total = last - first
    if total <= 0:
        raise ForesyteError(f"“{name}” has no frames between the times asked for; choose a "
                            "start before the end of the analysed part.")
    options = OverlayOptions(region=roi)
    frame_bytes = source.width * source.height * 3
    # The overlays of the analysed frame at or before `first`, which stands for it.
    shown = max((i for i in by_index if i <= first), default=None)
    current = by_index[shown] if shown is not None and first < shown + stride else None
    try:
        with replaced_atomically(out_path, ".mp4") as tmp:
            decode = ffmpeg.decoder(video_path, source, first, total)
            encode = ffmpeg.encoder(tmp, source, video_path, first, total)
            try:
                done, broken = 0, False
                while done < total:
                    if cancel and cancel():
                        raise _Cancelled
                    raw = _read(decode.process.stdout, frame_bytes)
                    if raw is None:
                        break
                    index = first + done
                    if index in by_index:
                        current = by_index[index]
                    elif current is not None and index >= current.frame_index + stride:
                        current = None  # past the span this analysed frame stands for
                    image = np.frombuffer(raw, np.uint8).reshape(source.height, source.width, 3)
                    try:
                        encode.process.stdin.write(draw_overlays(image, current,
                                                                 options).tobytes())
                    except BrokenPipeError:
                        broken = True  # the encoder stopped: its status says why
                        break
                    done += 1
                    if progress:
                        progress(done, total)
                # Short of the frames asked for, the decoder ended: its status says how.
                decoded = decode.wait() if done < total and not broken else 0
                if decoded != 0:
                    raise ForesyteError(f"“{name}” could not be decoded past frame {first + done}"
                                        f": {ffmpeg.why(decoded, decode.stderr())}. The annotated "
                                        "video was not written.")
                if done == 0:
                    raise ForesyteError(f"No frame of “{name}” could be decoded; the annotated "
                                        "video was not written.")
                encode.process.stdin.close()
                encoded = encode.wait()
                if encoded != 0:
                    raise ForesyteError(f"FFmpeg could not write {out_path}: "
                                        f"{ffmpeg.why(encoded, encode.stderr())}.")
            finally:
                decode.close()
                encode.close()
    except _Cancelled:
        return None
    except OSError as exc:
        raise ForesyteError(f"Could not write {out_path}: {exc.strerror or exc}.") from exc
    return out_path


class _Cancelled(Exception):
    """Raised inside the export to unwind it (and remove its temporary file)."""


def _read(stream, size: int) -> bytes | None:
    """Exactly `size` bytes from the decoder, or None at its end."""
    chunks, got = [], 0
    while got < size:
        chunk = stream.read(size - got)
        if not chunk:
            return None
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def write_job_video(store: JobStore, job: Job, out_path: str | os.PathLike, *,
                    start_s: float | None = None, end_s: float | None = None,
                    progress: ProgressFn | None = None,
                    cancel: Callable[[], bool] | None = None) -> Path | None:
    """A job's annotated MP4, drawn with its stored results as the analyst's review corrected
    them, its stride and region, for the time range given (the whole analysed span by
    default).

    ForesyteError says why it cannot be written; None if cancelled.
    """
    frames, _, _ = corrected_results(store, job)
    if not frames:
        raise ForesyteError(f"“{Path(job.input_path).name}” has no analysed frames to draw yet.")
    return write_annotated_video(job.input_path, frames, out_path, stride=job.frame_stride,
                                 roi=job.roi, start_s=start_s, end_s=end_s, progress=progress,
                                 cancel=cancel)
