"""Decoding video frames for the viewer on its own thread: the latest request wins.

The frames are decoded in a decode child process of the viewer's own (core/decode_process.py),
which keeps the file open between frames and sends each image back, so a file that crashes
FFmpeg fails to show with a sentence instead of taking the window down; the next request
starts a fresh child. Seeking in an H.264 file can take longer than a screen refresh, so the
GUI thread only posts the frame it wants and shows the frame when it arrives. Requests that
pile up while the user drags the slider collapse into the last one.
"""
from __future__ import annotations

import threading

from PySide6.QtCore import QThread, Signal

from foresyte_desktop.core.decode_process import DecodeProcess, open_video, viewer_frame
from foresyte_desktop.core.errors import VideoError


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
        child = DecodeProcess()
        current: str | None = None
        shown = False  # the current file opened: its frames can be asked for
        try:
            while True:
                with self._cond:
                    while self._wanted is None and not self._quit:
                        self._cond.wait()
                    if self._quit:
                        break
                    path, index = self._wanted
                    reopen, self._wanted, self._reopen = self._reopen, None, False
                try:
                    if path != current or reopen:
                        current, shown = path, False
                        info = child.call(open_video, path)
                        shown = True
                        self.opened.emit(path, info)
                    if not shown:  # this file already failed to open
                        continue
                    image = child.call(viewer_frame, path, index)
                except VideoError as exc:
                    shown = False
                    self.failed.emit(path, str(exc))
                    continue
                self.decoded.emit(path, index, image)
        finally:
            child.close()
