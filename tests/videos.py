"""Test videos with known text, written with OpenCV's writer (MP4, mp4v codec)."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np


def make_text_video(path: Path, script: list[tuple[str, int]], *, fps: float = 10,
                    size: tuple[int, int] = (640, 360), scale: float = 1.6,
                    moving_background: bool = False, x_speed: float = 0.0,
                    top_text: str = "") -> Path:
    """Write `script` as (text, frame count) pairs: each text drawn large on a plain frame.

    moving_background: a noise pattern that changes every frame behind the text.
    x_speed: pixels per frame the text moves left (a ticker).
    top_text: a second line that stays near the top of every frame (a station name).
    """
    w, h = size
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    assert writer.isOpened(), "OpenCV cannot write MP4 here"
    rng = np.random.default_rng(0)
    n = 0
    for text, count in script:
        for _ in range(count):
            if moving_background:
                img = rng.integers(0, 90, size=(h, w, 3), dtype=np.uint8)
            else:
                img = np.full((h, w, 3), 40, np.uint8)
            if text:
                x = int(40 + w - (n * x_speed) % (w + 400)) if x_speed else 40
                cv2.rectangle(img, (0, h // 2 - 45), (w, h // 2 + 25), (0, 0, 0), -1)
                cv2.putText(img, text, (x, h // 2), cv2.FONT_HERSHEY_SIMPLEX, scale,
                            (255, 255, 255), 3, cv2.LINE_AA)
            if top_text:
                cv2.rectangle(img, (0, 0), (w, int(50 * scale)), (0, 0, 0), -1)
                cv2.putText(img, top_text, (20, int(38 * scale)), cv2.FONT_HERSHEY_SIMPLEX,
                            scale, (255, 255, 255), 3, cv2.LINE_AA)
            writer.write(img)
            n += 1
    writer.release()
    return path
