"""Decoding alone: every frame of a video through the reader ForeSyte uses (core/video.py's
VideoReader.frames), nothing else done with them. The ceiling of any pipeline's speed.

    python -m foresyte_desktop.bench.decode VIDEO

Prints one JSON line: frames decoded, seconds spent decoding (after opening), frames per second
of that, and the process's time from start to end.
"""
from __future__ import annotations

import argparse
import json
import sys
import time


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()
    parser = argparse.ArgumentParser(prog="decode")
    parser.add_argument("video")
    args = parser.parse_args(argv)
    from foresyte_desktop.core.video import VideoReader
    with VideoReader(args.video) as reader:
        t = time.perf_counter()
        frames = sum(1 for _ in reader.frames())
        decode_s = time.perf_counter() - t
    print(json.dumps({"frames": frames, "decode_s": round(decode_s, 3),
                      "fps": round(frames / decode_s, 1) if decode_s else None,
                      "wall_s": round(time.perf_counter() - started, 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
