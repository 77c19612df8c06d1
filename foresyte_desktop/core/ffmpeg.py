"""The system FFmpeg, run as child processes: probing a video, decoding its frames to raw BGR
pixels, and encoding raw frames as H.264 with the source's audio.

The untrusted file is opened only by these children, never by the calling process: a file that
crashes the decoder ends that child, and the caller raises a ForesyteError saying so.
"""
from __future__ import annotations

import functools
import json
import math
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from foresyte_desktop.core.errors import ForesyteError, VideoError

CRF = 20  # x264's constant quality: close to a typical source, overlays stay crisp
PRESET = "medium"
COPY_AUDIO = {"aac", "mp3", "ac3", "eac3", "alac", "opus", "flac"}  # MP4 takes these as they are
NOT_FOUND = ("Writing an annotated video needs FFmpeg, which was not found: install it (for "
             "example “sudo apt install ffmpeg”) and try again.")


def executable(name: str) -> str:
    """The path of `ffmpeg` or `ffprobe` on the PATH; ForesyteError if missing."""
    found = shutil.which(name)
    if not found:
        raise ForesyteError(NOT_FOUND)
    return found


@dataclass(frozen=True)
class Source:
    """What the encoder needs to know of a video, from ffprobe."""

    width: int
    height: int
    rate: Fraction  # frames per second, exact
    frame_count: int
    audio_codec: str | None  # the first audio stream's codec, None without audio


def probe(path: str | os.PathLike) -> Source:
    """The video stream and first audio stream of `path`; VideoError in a sentence if ffprobe
    cannot read it (or crashes on it)."""
    name = Path(path).name
    result = subprocess.run(
        [executable("ffprobe"), "-v", "error", "-print_format", "json", "-show_streams",
         "-show_format", "--", str(path)], capture_output=True, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        reason = why(result.returncode, result.stderr)
        raise VideoError(f"“{name}” cannot be read as a video: {reason}.")
    info = json.loads(result.stdout or b"{}")
    streams = info.get("streams", [])
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    if video is None or not video.get("width"):
        raise VideoError(f"“{name}” has no video stream to draw on.")
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    rate = _rate(video.get("avg_frame_rate")) or _rate(video.get("r_frame_rate")) or Fraction(25)
    width, height = int(video["width"]), int(video["height"])
    if _rotation(video) % 180 == 90:  # FFmpeg turns the picture upright, as OpenCV does
        width, height = height, width
    count = int(video.get("nb_frames") or 0)
    if not count:
        duration = float(video.get("duration") or info.get("format", {}).get("duration") or 0)
        count = max(1, math.ceil(duration * rate)) if math.isfinite(duration) else 1
    return Source(width, height, rate, count, audio.get("codec_name") if audio else None)


def _rate(text: str | None) -> Fraction | None:
    try:
        rate = Fraction(text or "0")
    except (ValueError, ZeroDivisionError):
        return None
    return rate if 0 < rate < 1000 else None


def _rotation(stream: dict) -> int:
    for side in stream.get("side_data_list", []):
        if "rotation" in side:
            return round(float(side["rotation"]))
    return round(float(stream.get("tags", {}).get("rotate", 0) or 0))


def why(returncode: int, stderr: bytes) -> str:
    """Why an FFmpeg child stopped, in words: the signal that killed it, or its last line."""
    if returncode < 0:
        return f"FFmpeg crashed on it (signal {-returncode})"
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    return lines[-1].rstrip(".") if lines else f"FFmpeg stopped with status {returncode}"


@functools.lru_cache(maxsize=1)
def h264_encoder() -> str:
    """libx264 if this FFmpeg has it, else OpenH264; ForesyteError if it has neither."""
    listed = subprocess.run([executable("ffmpeg"), "-hide_banner", "-encoders"],
                            capture_output=True, stdin=subprocess.DEVNULL).stdout.decode()
    names = {line.split()[1] for line in listed.splitlines() if len(line.split()) > 1}
    for encoder in ("libx264", "libopenh264"):
        if encoder in names:
            return encoder
    raise ForesyteError("This FFmpeg cannot encode H.264 (it has neither libx264 nor "
                        "OpenH264); install a full FFmpeg build and try again.")


class Child:
    """An FFmpeg child process whose stderr goes to a file (so it can never fill a pipe and
    stall), ended with `close` or `kill`."""

    def __init__(self, args: list[str], *, stdin=None, stdout=None):
        self._log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(args, stdin=stdin, stdout=stdout, stderr=self._log)

    def stderr(self) -> bytes:
        self._log.seek(0)
        return self._log.read()[-4000:]

    def wait(self) -> int:
        return self.process.wait()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()

    def close(self) -> None:
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()
        self.kill()
        self._log.close()


def decoder(path: str | os.PathLike, source: Source, first: int, count: int) -> Child:
    """A child that writes `count` frames from frame `first` on to its stdout, each as
    width × height × 3 bytes of BGR."""
    seek = ["-ss", f"{max(0.0, float((first - Fraction(1, 2)) / source.rate)):.6f}"] \
        if first else []  # half a frame early: the first frame at or after it is `first`
    return Child([executable("ffmpeg"), "-nostdin", "-v", "error", *seek, "-i", str(path),
                  "-map", "0:v:0", "-frames:v", str(count), "-fps_mode", "passthrough",
                  "-f", "rawvideo", "-pix_fmt", "bgr24", "-"],
                 stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)


def encoder(out: Path, source: Source, audio_from: str | os.PathLike, first: int,
            count: int) -> Child:
    """A child that reads raw BGR frames on its stdin and writes them to `out` as an H.264
    MP4 at the source's frame rate, with the source's audio for the same span."""
    args = [executable("ffmpeg"), "-nostdin", "-v", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", f"{source.width}x{source.height}",
            "-framerate", str(source.rate), "-i", "-"]
    if source.audio_codec:
        start = float(first / source.rate)
        args += ["-ss", f"{start:.6f}", "-t", f"{float(count / source.rate):.6f}",
                 "-i", str(audio_from), "-map", "1:a:0",
                 "-c:a", "copy" if source.audio_codec in COPY_AUDIO else "aac"]
    args += ["-map", "0:v:0", "-c:v", h264_encoder(), "-pix_fmt", "yuv420p"]
    if h264_encoder() == "libx264":
        args += ["-preset", PRESET, "-crf", str(CRF)]
    args += ["-movflags", "+faststart", "-f", "mp4", str(out)]
    return Child(args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
