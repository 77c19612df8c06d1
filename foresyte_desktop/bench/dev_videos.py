"""The benchmark's videos: the development set from the shared bench folder, built with its
script (ffmpeg), plus a 720p30 hard-subtitled video and, on request, a 10-minute one; the real
clips of the shared folder (no labels); any other video given by path.

The shared folder is `../shared/bench` beside the repository, or FORESYTE_BENCH_SHARED; the
videos are built once into FORESYTE_BENCH_CACHE (default /tmp/foresyte-dev-videos) and reused.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CACHE = Path("/tmp/foresyte-dev-videos")
LOOPS = 15  # the 10-minute video is the 40 s 720p one this many times over

# Built by the shared script; dev_portrait_zh only where a CJK font is installed.
DEV_NAMES = ("dev_subs", "dev_slides", "dev_ticker", "dev_styled", "dev_portrait_zh")

# The ticker's text (make_dev_videos.sh): moving text has no SRT, so its words are the truth.
TICKER_WORDS = ("MARKETS CLOSE HIGHER AS TECH SHARES RALLY STORM WARNING FOR THE NORTH COAST "
                "CITY COUNCIL APPROVES NEW BUDGET LIVE NEWS").split()


@dataclass
class BenchVideo:
    name: str
    path: Path
    truth: Path | None  # the SRT of its burned-in text, None for moving text or no labels
    note: str
    ticker: bool = False  # moving text: scored by the share of TICKER_WORDS read
    real: bool = False  # real footage (the shared folder's real/ clips)


def shared_dir(override: str | None = None) -> Path:
    return Path(override or os.environ.get("FORESYTE_BENCH_SHARED") or
                ROOT.parent / "shared" / "bench").resolve()


def cache_dir(override: str | None = None) -> Path:
    path = Path(override or os.environ.get("FORESYTE_BENCH_CACHE") or DEFAULT_CACHE)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def build(shared: Path, cache: Path, *, long: bool = False) -> list[BenchVideo]:
    """The benchmark videos, building what is missing; raises SystemExit with a reason."""
    script = shared / "make_dev_videos.sh"
    if not script.is_file():
        raise SystemExit(f"bench: {script} was not found; give the shared bench folder with "
                         "--shared or FORESYTE_BENCH_SHARED.")
    names = DEV_NAMES
    if not all((cache / f"{n}.mp4").is_file() for n in names) or \
            not (cache / "hardsub_720p30.mp4").is_file() or long:
        if shutil.which("ffmpeg") is None:
            raise SystemExit("bench: ffmpeg is needed to build the benchmark videos "
                             "(Debian: apt install ffmpeg fonts-dejavu-core).")
    if not all((cache / f"{n}.mp4").is_file() for n in names):
        print(f"Building the development videos into {cache} ...", flush=True)
        subprocess.run(["bash", str(script), str(cache)], check=True, stdout=subprocess.DEVNULL)
    subs = shared / "truth" / "dev_subs.srt"
    hardsub = cache / "hardsub_720p30.mp4"
    if not hardsub.is_file():
        # The dev_subs recipe at 1280x720 and 30 fps: libass subtitles over a moving background.
        print(f"Building {hardsub.name} ...", flush=True)
        tmp = hardsub.with_suffix(".part.mp4")
        _ffmpeg("-f", "lavfi", "-i", "cellauto=size=1280x720:rate=30:rule=110,format=yuv420p,"
                "hue=h=200:s=3", "-t", "40", "-vf",
                f"subtitles={subs}:force_style='FontName=DejaVu Sans'", "-c:v", "libx264",
                "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", "-movflags",
                "+faststart", "-an", str(tmp))
        tmp.replace(hardsub)
    videos = [
        BenchVideo("dev_subs", cache / "dev_subs.mp4", subs,
                   "854x480@25, subtitles over a moving background"),
        BenchVideo("dev_slides", cache / "dev_slides.mp4", shared / "truth" / "dev_slides.srt",
                   "1280x720@30, slides"),
        BenchVideo("dev_ticker", cache / "dev_ticker.mp4", None,
                   "640x360@30, scrolling ticker", ticker=True),
        BenchVideo("dev_styled", cache / "dev_styled.mp4", shared / "truth" / "dev_styled.srt",
                   "960x540@30, styled multi-line subtitles over moving gradients"),
        BenchVideo("dev_portrait_zh", cache / "dev_portrait_zh.mp4",
                   shared / "truth" / "dev_portrait_zh.srt",
                   "720x1280@30, phone video, Chinese subtitles over a moving picture"),
        BenchVideo("hardsub_720p30", hardsub, subs,
                   "1280x720@30, subtitles over a moving background"),
    ]
    for video in [v for v in videos if not v.path.is_file()]:
        print(f"bench: {video.name} skipped: {video.path} was not built (see "
              f"{script.name}'s message)", flush=True)
        videos.remove(video)
    if long:
        videos.append(_long_video(hardsub, subs, cache))
    return videos


def real_clips(shared: Path) -> list[BenchVideo]:
    """The real clips with burned-in subtitles in the shared folder's real/ (no labels)."""
    return [BenchVideo(p.stem, p, None, "real footage, no labels", real=True)
            for p in sorted((shared / "real").glob("*.mp4"))]


def extra_video(spec: str) -> BenchVideo:
    """A video given by path, `VIDEO` or `VIDEO=TRUTH.srt`; without a truth, an SRT of the same
    name beside the video is its label if there is one. Raises SystemExit when not found."""
    path, _, truth = spec.partition("=")
    video = Path(path).expanduser().resolve()
    label = Path(truth).expanduser().resolve() if truth else video.with_suffix(".srt")
    if not video.is_file():
        raise SystemExit(f"bench: {video} was not found")
    if truth and not label.is_file():
        raise SystemExit(f"bench: {label} was not found")
    return BenchVideo(video.stem, video, label if label.is_file() else None,
                      "given by path" + ("" if label.is_file() else ", no labels"))


def _long_video(hardsub: Path, subs: Path, cache: Path) -> BenchVideo:
    """hardsub_720p30 looped to 10 minutes (stream copy), with its subtitles looped too."""
    path = cache / "hardsub_720p30_10min.mp4"
    truth = cache / "hardsub_720p30_10min.srt"
    if not path.is_file():
        print(f"Building {path.name} ...", flush=True)
        tmp = path.with_suffix(".part.mp4")
        _ffmpeg("-stream_loop", str(LOOPS - 1), "-i", str(hardsub), "-c", "copy", "-t",
                str(40 * LOOPS), str(tmp))
        tmp.replace(path)
    if not truth.is_file():
        truth.write_text(_looped_srt(subs.read_text(encoding="utf-8"), 40.0, LOOPS),
                         encoding="utf-8")
    return BenchVideo("hardsub_720p30_10min", path, truth,
                      "the 720p30 one looped to 10 minutes (memory check)")


def _looped_srt(text: str, period: float, loops: int) -> str:
    def shift(stamp: str, by: float) -> str:
        h, m, rest = stamp.strip().split(":")
        s, ms = rest.split(",")
        t = int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000 + by
        whole = int(t)
        return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}," \
               f"{round((t - whole) * 1000):03d}"

    blocks = [b for b in text.strip().split("\n\n") if "-->" in b]
    out, n = [], 0
    for k in range(loops):
        for block in blocks:
            lines = block.splitlines()
            i = next(j for j, line in enumerate(lines) if "-->" in line)
            a, b = lines[i].split("-->")
            n += 1
            out.append("\n".join([str(n), f"{shift(a, k * period)} --> {shift(b, k * period)}",
                                  *lines[i + 1:]]))
    return "\n\n".join(out) + "\n"
