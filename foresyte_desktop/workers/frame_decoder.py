"""Decoding video frames for the viewer on its own thread: the latest request wins.

Seeking in an H.264 file can take longer than a screen refresh, so the GUI thread only posts
the frame it wants and shows the frame when it arrives. Requests that pile up while the user
drags the slider collapse into the last one.
"""
from __future__ import annotations

import threading

import cv2
import numpy as np
from PySide6.QtCore import QThread, Signal

from foresyte_desktop.core.errors import VideoError
from foresyte_desktop.core.video import probe

SEEK_AFTER = 48  # frames ahead beyond which a seek beats decoding every frame in between


class FrameDecoder(QThread):
    """One decoder thread for the viewer. Call `request` from the GUI thread, `stop` at the end."""

    opened = Signal(str, object)        # path, VideoInfo
    decoded = Signal(str, int, object)  # path, frame index, BGR image (None past the end)
    failed = Signal(str, str)           # path, a sentence saying why it cannot be shown

    def __init__(self, parent=None):
        super().__init__(parent)
        self._cond = threading.Condition()
        self._wanted: tuple[str, int] | None = None
        self._reopen = False  # kept until served, even if later requests replace this one
        self._quit = False

    def request(self, path: str, index: int, *, reopen: bool = False) -> None:
        """Decode frame `index` of `path`; reopen: probe the file and emit `opened` again even
        if it is the one open (another job on the same video is now shown)."""
        with self._cond:
            self._wanted = (path, index)
            self._reopen = self._reopen or reopen
            self._cond.notify()

    def stop(self) -> None:
        with self._cond:
            self._quit = True
            self._cond.notify()
        self.wait()

    def run(self) -> None:
        cap: cv2.VideoCapture | None = None
        current: str | None = None
        position = 0  # the index of the frame the next read() returns
        while True:
            with self._cond:
                while self._wanted is None and not self._quit:
                    self._cond.wait()
                if self._quit:
                    break
                path, index = self._wanted
                reopen, self._wanted, self._reopen = self._reopen, None, False
            if path != current or reopen:
                if cap is not None:
                    cap.release()
                cap, current, position = None, path, 0
                try:
                    info = probe(path)
                except VideoError as exc:
                    self.failed.emit(path, str(exc))
                    continue
                cap = cv2.VideoCapture(path, cv2.CAP_FFMPEG)
                self.opened.emit(path, info)
            if cap is None:  # this file already failed to open
                continue
            image, position = _read(cap, position, index)
            self.decoded.emit(path, index, image)
        if cap is not None:
            cap.release()


def _read(cap: cv2.VideoCapture, position: int, index: int) -> tuple[np.ndarray | None, int]:
    """Frame `index`, and the new position: decode forward when close, seek otherwise."""
    if index < position or index - position > SEEK_AFTER:
        cap.set(cv2.CAP_PROP_POS_FRAMES, index)
        position = index
    while position < index:
        if not cap.grab():
            return None, position
        position += 1
    ok, image = cap.read()
    return (image, position + 1) if ok else (None, position)
