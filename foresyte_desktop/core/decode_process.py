"""A supervised child process that opens and decodes the user's video files for the app.

FFmpeg runs native code on files from anywhere, and a file can crash it as it is opened. The
intake probe, the viewer's frames and the search thumbnails are therefore decoded in a
long-lived child (started with `spawn`), never in the process of the window or of the command
line: `DecodeProcess.call(fn, path, ...)` runs a plain function there and returns its answer.
If the child dies, or a call takes longer than its timeout (then it is killed), the call
raises DecodeCrashed, a sentence naming the file, and a fresh child serves the next call.
"""
from __future__ import annotations

import atexit
import logging
import signal
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from foresyte_desktop.core.child_process import SupervisedChild
from foresyte_desktop.core.errors import ForesyteError, VideoError
from foresyte_desktop.core.model import VideoInfo
from foresyte_desktop.core.video import VideoRefused, probe

log = logging.getLogger(__name__)

CALL_TIMEOUT_S = 60.0  # a probe or a frame that takes longer is taken for a hung decoder
POLL_S = 0.05
SEEK_AFTER = 48  # frames ahead beyond which a seek beats decoding every frame in between


class DecodeCrashed(VideoError):
    """The decode child died (segfault, abort, killed) or hung on a file."""

    def __init__(self, path: str | Path, detail: str):
        self.detail = detail  # what happened, after the file's name
        super().__init__(f"“{Path(path).name}” {detail}. Nothing else is affected.")


def _child_main(conn) -> None:
    """The child's loop: one call at a time until told to exit or the parent goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what stops, and when
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        number, fn, args = message
        try:
            reply = (number, True, fn(*args))
        except ForesyteError as exc:
            reply = (number, False, exc)
        except Exception as exc:  # a bug or an OpenCV error: a sentence, never a traceback
            log.error("decoding failed: %s", traceback.format_exc())
            reply = (number, False, VideoError(
                f"“{Path(args[0]).name}” could not be decoded: {type(exc).__name__}"
                + (f": {str(exc).splitlines()[0]}" if str(exc) else "")))
        try:
            conn.send(reply)
        except (BrokenPipeError, EOFError, OSError):
            return


class DecodeProcess(SupervisedChild):
    """The parent's handle on one decode child; thread-safe (calls take turns)."""

    child_main: Callable = staticmethod(_child_main)  # what the child runs
    process_name = "foresyte-decode"

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._number = 0

    def _target(self) -> Callable:
        return self.child_main

    def call(self, fn: Callable, path: str, *args: Any,
             timeout: float = CALL_TIMEOUT_S) -> Any:
        """`fn(path, *args)` in the child (fn: a module-level function, args: plain data)."""
        with self._lock:
            self._number += 1
            if not self._send_to_live_child((self._number, fn, (str(path), *args))):
                raise self._crashed(path)
            deadline = time.monotonic() + timeout
            while True:
                if self._conn.poll(POLL_S):
                    try:
                        number, ok, value = self._conn.recv()
                    except (EOFError, OSError):
                        raise self._crashed(path) from None
                    if number != self._number:  # the answer to a call that gave up
                        continue
                    if ok:
                        return value
                    raise value
                if not self._proc.is_alive():
                    raise self._crashed(path)
                if time.monotonic() > deadline:
                    self._kill()
                    raise DecodeCrashed(path, "kept the video decoder from answering: the "
                                              "file may be damaged")

    def _crashed(self, path: str) -> DecodeCrashed:
        how = self._death()
        log.error("decode process died%s on %s", how, Path(path).name)
        return DecodeCrashed(path, f"crashed the video decoder{how}: the file is damaged, or "
                                   "made to break decoders")

    def close(self) -> None:
        """Ask the child to exit, and make sure it has."""
        with self._lock:
            self._close()


_shared: DecodeProcess | None = None
_shared_lock = threading.Lock()


def shared() -> DecodeProcess:
    """The process's decode child for one-off calls (the intake probe, thumbnails); started
    on first use and stopped at exit."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = DecodeProcess()
            atexit.register(_shared.close)
        return _shared


def probe_isolated(path: str | Path) -> VideoInfo:
    """`video.probe` in the decode child; a file that crashes the decoder is refused."""
    try:
        return shared().call(probe, str(path))
    except DecodeCrashed as exc:
        raise VideoRefused(path, "crashed the decoder", exc.detail) from None


# -- run in the child ---------------------------------------------------------------------------

_viewer: dict = {}  # the viewer's open file in the child: path, capture, next frame's index


def open_video(path: str) -> VideoInfo:
    """Validate `path` as the intake does and keep it open for `viewer_frame` (child side)."""
    info = probe(path)
    _close_viewer()
    cap = cv2.VideoCapture(path, cv2.CAP_FFMPEG)
    if not cap.isOpened():
        cap.release()
        raise VideoError(f"“{Path(path).name}” cannot be opened to show its frames.")
    _viewer.update(path=path, cap=cap, position=0)
    return info


def viewer_frame(path: str, index: int) -> np.ndarray | None:
    """Frame `index` of the open file (None past its end): decoded forward when close, found
    by seeking otherwise (child side)."""
    if _viewer.get("path") != path:
        open_video(path)
    cap, position = _viewer["cap"], _viewer["position"]
    if index < position or index - position > SEEK_AFTER:
        cap.set(cv2.CAP_PROP_POS_FRAMES, index)
        position = index
    image = None
    while position < index:
        if not cap.grab():
            break
        position += 1
    else:
        ok, image = cap.read()
        if ok:
            position += 1
        else:
            image = None
    _viewer["position"] = position
    return image


def _close_viewer() -> None:
    if "cap" in _viewer:
        _viewer.pop("cap").release()
    _viewer.clear()
