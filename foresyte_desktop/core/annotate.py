"""Results drawn over video frames: overlays, search thumbnails and the annotated MP4 export.

Drawing is OpenCV only, so the window, the command line and tests share it. Hershey fonts have
no accents or non-Latin letters: labels drawn on frames are folded to ASCII, and the exact text
stays in the exports.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import cv2
import numpy as np

from foresyte_desktop.core.errors import ForesyteError, VideoError
from foresyte_desktop.core.model import FrameResult, Job
from foresyte_desktop.core.roi import Roi, roi_pixels
from foresyte_desktop.core.store import JobStore
from foresyte_desktop.core.text import strip_accents
from foresyte_desktop.core.tracks import build_tracks, track_texts
from foresyte_desktop.core.video import VideoReader

TEXT_COLOR = (0, 215, 255)  # BGR amber: OCR lines
OBJECT_COLOR = (255, 160, 40)  # BGR blue: detections
ROI_COLOR = (80, 220, 80)
HIGHLIGHT_COLOR = (0, 0, 255)
FONT = cv2.FONT_HERSHEY_SIMPLEX

ProgressFn = Callable[[int, int], None]  # frames written, frames to write


def _label(image: np.ndarray, text: str, x: float, y: float, color: tuple[int, int, int],
           scale: float) -> None:
    """Text on a filled tag just above (x, y), kept inside the frame."""
    text = strip_accents(text).encode("ascii", "replace").decode()
    thickness = max(1, round(scale * 2))
    (w, h), base = cv2.getTextSize(text, FONT, scale, thickness)
    x = int(min(max(x, 0), max(image.shape[1] - w - 4, 0)))
    y = int(min(max(y, h + base + 4), image.shape[0]))
    cv2.rectangle(image, (x, y - h - base - 4), (x + w + 4, y), color, -1)
    cv2.putText(image, text, (x + 2, y - base - 2), FONT, scale, (0, 0, 0), thickness, cv2.LINE_AA)


def draw_overlays(image: np.ndarray, frame: FrameResult | None, *, roi: Roi | None = None,
                  track_texts: dict[int, str] | None = None,
                  highlight_track: int | None = None) -> np.ndarray:
    """A copy of the BGR `image` with the frame's text boxes, objects (with track ids and track
    text) and the region of interest drawn on it."""
    out = image.copy()
    height, width = out.shape[:2]
    scale = max(0.4, min(1.2, width / 1600))
    line = max(2, round(width / 480))
    if roi is not None:
        x1, y1, x2, y2 = roi_pixels(roi, width, height)
        cv2.rectangle(out, (x1, y1), (x2 - 1, y2 - 1), ROI_COLOR, line, cv2.LINE_AA)
    if frame is None:
        return out
    for det in frame.detections:
        color = HIGHLIGHT_COLOR if highlight_track is not None and \
            det.track_id == highlight_track else OBJECT_COLOR
        x1, y1, x2, y2 = (int(round(v)) for v in det.box)
        cv2.rectangle(out, (x1, y1), (x2, y2), color, line + 1, cv2.LINE_AA)
        tag = f"#{det.track_id} {det.label}" if det.track_id is not None else det.label
        said = (track_texts or {}).get(det.track_id)
        _label(out, f"{tag} {det.confidence:.2f}" + (f" \"{said}\"" if said else ""),
               x1, y1, color, scale)
    for ocr in frame.ocr:
        points = np.array([[round(x), round(y)] for x, y in ocr.box], np.int32)
        cv2.polylines(out, [points], True, TEXT_COLOR, line, cv2.LINE_AA)
        _label(out, ocr.text, points[:, 0].min(), points[:, 1].max() + 14 * scale + 8,
               TEXT_COLOR, scale * 0.8)
    return out


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


def write_annotated_video(video_path: str | os.PathLike, frames: Iterable[FrameResult],
                          out_path: str | os.PathLike, *, stride: int = 1, roi: Roi | None = None,
                          track_texts: dict[int, str] | None = None,
                          progress: ProgressFn | None = None,
                          cancel: Callable[[], bool] | None = None) -> Path | None:
    """The video with its overlays burned in, as an MP4 at the source's size and frame rate.

    Each analysed frame's overlays stay on for the `stride` frames it stands for. The file
    covers the video up to the last analysed frame's span. Written to a temporary file and
    renamed, so a cancelled or failed export leaves nothing behind; returns None if cancelled.
    """
    by_index = {f.frame_index: f for f in frames}
    out_path = Path(out_path)
    if out_path.resolve() == Path(video_path).resolve():
        raise ForesyteError(f"“{out_path.name}” is the video the results are drawn on; "
                            "choose another name for the annotated copy.")
    with VideoReader(video_path) as reader:
        last = max(by_index, default=-1) + stride
        total = min(reader.frame_count, last) if by_index else reader.frame_count
        out_path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=out_path.parent, prefix=".tmp-", suffix=".mp4")
        os.close(fd)
        writer = cv2.VideoWriter(tmp, cv2.VideoWriter_fourcc(*"mp4v"), reader.fps,
                                 (reader.width, reader.height))
        try:
            if not writer.isOpened():
                raise ForesyteError(f"OpenCV cannot write an MP4 video to {out_path.parent}.")
            current = None
            done = 0
            for frame in reader.frames(1, total):
                if cancel and cancel():
                    writer.release()
                    Path(tmp).unlink(missing_ok=True)
                    return None
                if frame.index in by_index:
                    current = by_index[frame.index]
                elif current is not None and frame.index >= current.frame_index + stride:
                    current = None  # past the span this analysed frame stands for
                writer.write(draw_overlays(frame.image, current, roi=roi,
                                           track_texts=track_texts))
                done += 1
                if progress:
                    progress(done, total)
            writer.release()
            os.replace(tmp, out_path)
        except BaseException:
            writer.release()
            Path(tmp).unlink(missing_ok=True)
            raise
    return out_path


def write_job_video(store: JobStore, job: Job, out_path: str | os.PathLike, *,
                    progress: ProgressFn | None = None,
                    cancel: Callable[[], bool] | None = None) -> Path | None:
    """A job's annotated MP4, drawn with its stored results, stride, region and track texts.

    ForesyteError says why it cannot be written; None if cancelled.
    """
    frames = list(store.frame_results(job.job_id))
    if not frames:
        raise ForesyteError(f"“{Path(job.input_path).name}” has no analysed frames to draw yet.")
    try:
        return write_annotated_video(
            job.input_path, frames, out_path, stride=job.frame_stride, roi=job.roi,
            track_texts=track_texts(build_tracks(frames)), progress=progress, cancel=cancel)
    except FileExistsError as exc:  # from creating the folder: a file has its name
        raise ForesyteError(f"Could not write {out_path}: {exc.filename} is a file, not a "
                            "folder.") from exc
    except OSError as exc:
        raise ForesyteError(f"Could not write {out_path}: {exc.strerror or exc}.") from exc
