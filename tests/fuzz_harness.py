"""Runs video intake and the frame reader over every file in a folder, one line per file.

Usage: python -m tests.fuzz_harness FOLDER
Prints "START name" before each file, then "OK name frames", "REFUSED name reason", or
"ERROR name exception" (a Python exception other than a refusal: a bug). If native code
crashes, the process dies and the last START names the file that did it.
"""
import sys
from pathlib import Path

from foresyte_desktop.core.paths import confine_third_party_files
from foresyte_desktop.core.video import VideoReader, VideoRefused


def main(folder: str) -> None:
    for path in sorted(Path(folder).iterdir()):
        print("START", path.name, flush=True)
        try:
            with VideoReader(path) as reader:
                frames = sum(1 for _ in reader.frames(max_frames=10))
            print("OK", path.name, frames, flush=True)
        except VideoRefused as exc:
            print("REFUSED", path.name, exc.reason, flush=True)
        except Exception as exc:  # noqa: BLE001 - reported, the test fails on it
            print("ERROR", path.name, type(exc).__name__, exc, flush=True)


if __name__ == "__main__":
    confine_third_party_files(Path(sys.argv[1]).parent)
    main(sys.argv[1])
