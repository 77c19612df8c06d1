"""A decoder stand-in that aborts on open, as FFmpeg does on a hostile file: for tests.

`decode_child` and `analysis_child` run the real child loops of the decode and analysis
processes after replacing OpenCV's VideoCapture, in the child only, by one that aborts the
process when it opens a file whose name starts with "hostile". Tests put them in
`DecodeProcess.child_main` and `AnalysisProcess.child_main`.
"""
import os
from pathlib import Path

import cv2

from foresyte_desktop.core import analysis_process, decode_process

_real_capture = cv2.VideoCapture


def _aborting_capture(source, *args):
    if isinstance(source, str) and Path(source).name.startswith("hostile"):
        os.abort()
    return _real_capture(source, *args)


def decode_child(conn):
    cv2.VideoCapture = _aborting_capture
    decode_process._child_main(conn)


def analysis_child(conn, stop):
    cv2.VideoCapture = _aborting_capture
    analysis_process._child_main(conn, stop)
