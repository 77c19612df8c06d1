"""Results over the analysis child's pipe: one message per frame against small batches.

    python -m foresyte_desktop.bench.pipe [--seconds 60] [--rounds 2]

A synthetic 854×480, 25 fps video (a caption that changes every 2 s) is analysed in one child
process, rounds of each setting interleaved: with `ocr_only`, and with a pipeline that only
decodes (`decode_only.py`), where the pipe's share of the cost is largest. Reported per
setting (medians over the rounds): frames per second from the request to the end, the CPU time
each process spends per 1000 frames (steadier than wall time on a busy machine), and the longest
wait between two arrivals of results in the parent, which is what the live view feels. JSON in
.bench/pipe.json.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import psutil

from foresyte_desktop.bench.reliability import OUT
from foresyte_desktop.core.model import FrameResult

DECODE_ONLY = "bench_decode_only"


def make_video(path: Path, seconds: int) -> Path:
    import cv2
    import numpy as np
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 25, (854, 480))
    for n in range(seconds * 25):
        img = np.full((480, 854, 3), 40, np.uint8)
        cv2.putText(img, f"CAPTION NUMBER {n // 50}", (60, 420), cv2.FONT_HERSHEY_SIMPLEX, 1.4,
                    (255, 255, 255), 3)
        writer.write(img)
    writer.release()
    return path


def cpu_s(proc: psutil.Process) -> float:
    times = proc.cpu_times()
    return times.user + times.system


def one_run(process, video: Path, data_dir: Path, pipeline: str, batch: int) -> dict:
    from foresyte_desktop.core.analysis import AnalysisRequest
    request = AnalysisRequest(input_path=str(video), pipeline_id=pipeline, model_path=None,
                              data_dir=str(data_dir), stride=1, max_frames=None, start=0,
                              pipe_batch=batch)
    process._ensure_started()  # a benchmark's licence: the child's pid, for its CPU time
    child = psutil.Process(process._proc.pid)
    me = psutil.Process()
    started, parent_cpu, child_cpu = time.perf_counter(), cpu_s(me), cpu_s(child)
    arrivals, frames = [], 0
    for item in process.run(request, lambda: False):
        if isinstance(item, FrameResult):
            frames += 1
            arrivals.append(time.perf_counter())
    wall = time.perf_counter() - started
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:])]
    per_k = 1000 * 1000 / max(frames, 1)  # CPU ms per 1000 frames
    return {"frames": frames, "wall_s": round(wall, 3), "fps": round(frames / wall, 1),
            "parent_cpu_ms_per_1000": round((cpu_s(me) - parent_cpu) * per_k),
            "child_cpu_ms_per_1000": round((cpu_s(child) - child_cpu) * per_k),
            "longest_gap_ms": round(1000 * max(gaps, default=0), 1)}


def main(argv: list[str] | None = None) -> int:
    from foresyte_desktop.core.analysis import PIPE_BATCH_FRAMES
    from foresyte_desktop.core.analysis_process import AnalysisProcess
    from foresyte_desktop.core.paths import confine_third_party_files
    parser = argparse.ArgumentParser(prog="python -m foresyte_desktop.bench.pipe")
    parser.add_argument("--seconds", type=int, default=60, help="length of the video")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each setting")
    args = parser.parse_args(argv)
    os.environ["FORESYTE_PIPELINES"] = "foresyte_desktop.bench.decode_only:DecodeOnlyPipeline"
    table = []
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        confine_third_party_files(data_dir)
        video = make_video(data_dir / "captions.mp4", args.seconds)
        process = AnalysisProcess()
        try:
            for pipeline in (DECODE_ONLY, "ocr_only"):
                one_run(process, video, data_dir, pipeline, 1)  # the child starts, models load
                runs: dict[int, list[dict]] = {1: [], PIPE_BATCH_FRAMES: []}
                for _ in range(args.rounds):
                    for batch in runs:
                        runs[batch].append(one_run(process, video, data_dir, pipeline, batch))
                for batch, results in runs.items():
                    table.append({"pipeline": pipeline, "batch": batch,
                                  "frames": results[0]["frames"], "rounds": results})
        finally:
            process.close()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; medians of "
          f"{args.rounds} rounds")
    print(f"{'pipeline':18} {'batch':>5} {'frames':>6} {'frames/s':>9} {'parent CPU':>11} "
          f"{'child CPU':>10} {'longest gap':>12}")
    print(f"{'':37}{'':>9} {'ms/1000 fr':>11} {'ms/1000 fr':>10} {'ms':>12}")
    for row in table:
        def median(key: str) -> float:
            return statistics.median(r[key] for r in row["rounds"])
        print(f"{row['pipeline']:18} {row['batch']:>5} {row['frames']:>6} "
              f"{median('fps'):9.1f} {median('parent_cpu_ms_per_1000'):11.0f} "
              f"{median('child_cpu_ms_per_1000'):10.0f} {median('longest_gap_ms'):12.1f}")
    OUT.mkdir(exist_ok=True)
    (OUT / "pipe.json").write_text(json.dumps(table, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
