"""Test videos with known text, written with OpenCV's writer (MP4, mp4v codec) or given audio
by FFmpeg, and an FFmpeg that crashes when it decodes, for tests of a hostile file."""
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


LATIN_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"  # fonts-dejavu-core
CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"  # fonts-wqy-zenhei


def make_subtitle_video(path: Path, script: list[tuple[list[tuple[str, float]], int]], *,
                        font: str, font_px: int = 30, fps: float = 25,
                        size: tuple[int, int] = (640, 360)) -> Path:
    """Write `script` as (lines, frame count) pairs over a picture that moves everywhere:
    each line is (text, height as a share of the frame), drawn centred in white with a black
    outline, as burned-in subtitles are."""
    from PIL import Image, ImageDraw, ImageFont
    w, h = size
    face = ImageFont.truetype(font, font_px)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    assert writer.isOpened(), "OpenCV cannot write MP4 here"
    yy, xx = np.mgrid[0:h, 0:w]
    n = 0
    for lines, count in script:
        for _ in range(count):
            # Colour waves that drift every frame, so no pixel of the picture stands still.
            base = np.stack([127 + 100 * np.sin((xx + 3 * n) / 37.0 + k) *
                             np.cos((yy - 2 * n) / 23.0 + k) for k in (0, 2, 4)], -1)
            image = Image.fromarray(base.clip(0, 255).astype(np.uint8))
            draw = ImageDraw.Draw(image)
            for text, at in lines:
                left, top, right, bottom = draw.textbbox((0, 0), text, font=face)
                draw.text(((w - (right - left)) / 2, at * h - (bottom - top) / 2), text,
                          font=face, fill=(255, 255, 255), stroke_width=2,
                          stroke_fill=(0, 0, 0))
            writer.write(cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR))
            n += 1
    writer.release()
    return path


def make_speckled_word_video(path: Path, word: str, rest: str, *, keep: float,
                             frames: int = 40, fps: float = 25,
                             size: tuple[int, int] = (640, 360)) -> Path:
    """A line over the moving picture of make_subtitle_video whose first word shows only a
    random `keep` share of its pixels on each frame (a busy background eating a short word),
    after and before 10 frames without text."""
    from PIL import Image, ImageDraw, ImageFont
    w, h = size
    face = ImageFont.truetype(LATIN_FONT, 30)
    word_px = Image.new("L", (w, h), 0)
    ImageDraw.Draw(word_px).text((120, 270), word, font=face, fill=255, stroke_width=2,
                                 stroke_fill=128)
    word_px = np.asarray(word_px)
    rng = np.random.default_rng(0)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    assert writer.isOpened(), "OpenCV cannot write MP4 here"
    yy, xx = np.mgrid[0:h, 0:w]
    for n in range(frames + 20):
        base = np.stack([127 + 100 * np.sin((xx + 3 * n) / 37.0 + k) *
                         np.cos((yy - 2 * n) / 23.0 + k) for k in (0, 2, 4)], -1)
        image = Image.fromarray(base.clip(0, 255).astype(np.uint8))
        if 10 <= n < 10 + frames:
            ImageDraw.Draw(image).text((180, 270), rest, font=face, fill=(255, 255, 255),
                                       stroke_width=2, stroke_fill=(0, 0, 0))
            pixels = np.asarray(image).copy()
            shown = rng.random((h, w)) < keep
            pixels[(word_px == 255) & shown] = 255
            pixels[(word_px == 128) & shown] = 0
            image = Image.fromarray(pixels)
        writer.write(cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR))
    writer.release()
    return path


def make_square_video(path: Path, frames: int = 60, *, fps: float = 10,
                      size: tuple[int, int] = (320, 180)) -> Path:
    """Two white squares crossing the frame in opposite directions under a grey caption that
    changes halfway ("TRACK ONE", then "TRACK TWO"): objects to track, text to read."""
    w, h = size
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    assert writer.isOpened(), "OpenCV cannot write MP4 here"
    for n in range(frames):
        img = np.full((h, w, 3), 30, np.uint8)
        cv2.rectangle(img, (10 + 3 * n, 20), (40 + 3 * n, 50), (255, 255, 255), -1)
        cv2.rectangle(img, (w - 40 - 2 * n, 70), (w - 10 - 2 * n, 100), (255, 255, 255), -1)
        cv2.putText(img, "TRACK ONE" if n < frames // 2 else "TRACK TWO", (20, h - 25),
                    cv2.FONT_HERSHEY_SIMPLEX, 1.0, (170, 170, 170), 2, cv2.LINE_AA)
        writer.write(img)
    writer.release()
    return path


def with_audio(video: Path, out: Path, *, crf: int = 23) -> Path:
    """`video` as H.264 with a 440 Hz tone as its AAC audio, by the system FFmpeg: a source
    like a camera's or a broadcast's."""
    import subprocess
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(video), "-f", "lavfi", "-i",
                    "sine=frequency=440:sample_rate=48000", "-map", "0:v", "-map", "1:a",
                    "-c:v", "libx264", "-crf", str(crf), "-pix_fmt", "yuv420p", "-c:a", "aac",
                    "-shortest", str(out)], check=True)
    return out


CRASHING_FFMPEG = """#!/bin/sh
# FFmpeg, except that decoding to raw frames dies of a segmentation fault after a few bytes,
# as a decoder does on a hostile file.
case " $* " in
  *" -frames:v "*) head -c 1000 /dev/zero; kill -SEGV $$ ;;
esac
exec {real} "$@"
"""


def crashing_ffmpeg(folder: Path) -> Path:
    """A folder to put first on PATH: its `ffmpeg` crashes when it decodes (see above)."""
    import shutil
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "ffmpeg"
    script.write_text(CRASHING_FFMPEG.format(real=shutil.which("ffmpeg")))
    script.chmod(0o755)
    return folder
