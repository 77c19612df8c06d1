"""Reliability benchmarks: a soak through the real worker pool, the cost of process isolation
(for analysis, and for the viewer's frames), and the speed of store operations with a long queue.

    python -m foresyte_desktop.bench.reliability soak [--videos 50]
    python -m foresyte_desktop.bench.reliability isolation [--jobs 3]
    python -m foresyte_desktop.bench.reliability viewer [--frames 200]
    python -m foresyte_desktop.bench.reliability store [--jobs 500]

Each prints a table and writes the same figures as JSON under .bench/ (git-ignored).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil

from foresyte_desktop.core.model import FrameResult, JobSpec, OcrLine
from foresyte_desktop.core.paths import confine_third_party_files
from foresyte_desktop.core.runner import JobRunner
from foresyte_desktop.core.store import JobStore

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / ".bench"
SAMPLE = ROOT / "resources" / "sample.mp4"


def rss_mb(include_children: bool = True) -> float:
    """Resident memory of this process and (by default) its analysis child processes."""
    me = psutil.Process()
    procs = [me, *me.children(recursive=True)] if include_children else [me]
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total / 2**20


def make_clips(folder: Path, n: int) -> list[Path]:
    import cv2
    import numpy as np
    paths = []
    for i in range(n):
        path = folder / f"clip {i:03d}.mp4"
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10, (320, 180))
        for _ in range(10):
            img = np.full((180, 320, 3), 30, np.uint8)
            cv2.putText(img, f"CLIP {i}", (30, 100), cv2.FONT_HERSHEY_SIMPLEX, 1.4,
                        (255, 255, 255), 3)
            writer.write(img)
        writer.release()
        paths.append(path)
    return paths


def soak(videos: int) -> dict:
    """`videos` short clips back to back through the window's worker pool (JobQueue)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication, QTimer

    from foresyte_desktop.workers.job_queue import JobQueue
    work = Path(tempfile.mkdtemp(prefix="foresyte-soak-"))
    data = work / "data"
    data.mkdir()
    confine_third_party_files(data)
    clips = make_clips(work, videos)
    app = QCoreApplication.instance() or QCoreApplication([])
    store = JobStore.open(data)
    queue = JobQueue(store, data)
    ended, rss = [], []
    t0 = time.perf_counter()

    def on_ended(job):
        ended.append(job.status)
        rss.append(rss_mb())
    queue.job_ended.connect(on_ended)
    queue.drained.connect(app.quit)
    QTimer.singleShot(600_000, app.quit)  # a bound, whatever happens
    queue.add_paths([str(p) for p in clips], JobSpec("", frame_stride=2))
    queue.start()
    app.exec()
    wall = time.perf_counter() - t0
    queue.shutdown()
    queue.wait(5000)
    statuses = [j.status for j in store.list_jobs()]
    store.close()
    return {"videos": videos, "wall_s": round(wall, 1),
            "completed": statuses.count("completed"), "jobs_in_store": len(statuses),
            "lost_or_failed": len(statuses) - statuses.count("completed"),
            "rss_after_first_job_mb": round(rss[0], 1) if rss else None,
            "rss_after_last_job_mb": round(rss[-1], 1) if rss else None,
            "rss_median_mb": round(statistics.median(rss), 1) if rss else None}


def isolation(jobs: int) -> dict:
    """The same jobs in-process and in the supervised child process, alternating rounds."""
    data = Path(tempfile.mkdtemp(prefix="foresyte-iso-"))
    confine_third_party_files(data)
    store = JobStore.open(data)
    rows: dict[str, dict[str, list[float]]] = {}
    for mode in ("in-process", "isolated") * 2:
        with JobRunner(store, data, isolate=mode == "isolated") as runner:
            t0 = time.perf_counter()
            for n in range(jobs):
                job = store.add_job(JobSpec(str(SAMPLE), frame_stride=3))
                started, first = time.perf_counter(), []
                runner.run_next(progress=lambda p: first.append(time.perf_counter())
                                if p.frame and not first else None, job_ids=[job.job_id])
                key = "first job start-up s" if n == 0 else "later job start-up s"
                rows.setdefault(mode, {}).setdefault(key, []).append(first[0] - started)
            rows[mode].setdefault("wall s", []).append(time.perf_counter() - t0)
    store.close()
    result = {mode: {k: round(statistics.median(v), 2) for k, v in r.items()}
              for mode, r in rows.items()}
    result["throughput isolated / in-process"] = round(
        statistics.median(rows["in-process"]["wall s"]) /
        statistics.median(rows["isolated"]["wall s"]), 2)
    result["jobs per round"] = jobs
    return result


def make_viewer_clip(path: Path, frames: int, size: tuple[int, int]) -> Path:
    """A clip whose every pixel changes every frame, so no frame decodes for free."""
    import cv2
    import numpy as np
    w, h = size
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 25, (w, h))
    rng = np.random.default_rng(0)
    for n in range(frames):
        img = rng.integers(0, 255, size=(h // 8, w // 8, 3), dtype=np.uint8)
        img = cv2.resize(img, (w, h), interpolation=cv2.INTER_LINEAR)
        cv2.putText(img, f"FRAME {n}", (40, h // 2), cv2.FONT_HERSHEY_SIMPLEX, 2,
                    (255, 255, 255), 4)
        writer.write(img)
    writer.release()
    return path


def viewer(frames: int) -> dict:
    """The viewer's frame latency: decoded in this process against in the decode child (the
    same function, `viewer_frame`, either way), stepping frame by frame and seeking at random,
    for a 640x360 and a 1280x720 clip."""
    import random

    from foresyte_desktop.core.decode_process import DecodeProcess, open_video, viewer_frame
    work = Path(tempfile.mkdtemp(prefix="foresyte-viewer-"))
    result: dict = {}
    child = DecodeProcess()
    try:
        for size in ((640, 360), (1280, 720)):
            clip = make_viewer_clip(work / f"clip {size[1]}p.mp4", frames, size)
            seeks = random.Random(0).sample(range(frames), min(40, frames))
            modes = {"in-process": lambda fn, *a: fn(str(clip), *a),
                     "decode child": lambda fn, *a: child.call(fn, str(clip), *a)}
            timings: dict[str, dict[str, list[float]]] = {}
            for _ in range(2):  # alternating rounds, the median of each
                for mode, call in modes.items():
                    call(open_video)
                    for kind, order in (("step", range(frames)), ("seek", seeks)):
                        for index in order:
                            t = time.perf_counter()
                            call(viewer_frame, index)
                            timings.setdefault(mode, {}).setdefault(kind, []).append(
                                (time.perf_counter() - t) * 1000)
            for mode, kinds in timings.items():
                for kind, ms in kinds.items():
                    ms.sort()
                    result[f"{size[1]}p {kind} {mode} median / p95 ms"] = (
                        round(statistics.median(ms), 2), round(ms[int(len(ms) * 0.95)], 2))
            for kind in ("step", "seek"):
                result[f"{size[1]}p {kind} child / in-process"] = round(
                    statistics.median(timings["decode child"][kind]) /
                    statistics.median(timings["in-process"][kind]), 2)
    finally:
        child.close()
    return result


def store_ops(jobs: int) -> dict:
    """Store operations with a long queue: the work behind the window's list and each tick."""
    data = Path(tempfile.mkdtemp(prefix="foresyte-store-"))
    timings: dict[str, float] = {}

    def timed(name, fn, repeat=1):
        t = time.perf_counter()
        for _ in range(repeat):
            out = fn()
        timings[name] = round((time.perf_counter() - t) / repeat * 1000, 2)
        return out
    with JobStore.open(data) as store:
        timed(f"add {jobs} jobs (ms each)",
              lambda: store.add_job(JobSpec(str(SAMPLE))), repeat=jobs)
        timed(f"list {jobs} jobs (ms)", store.list_jobs, repeat=20)
        job = timed("claim next (ms)", store.claim_next)
        square = [[0, 0], [9, 0], [9, 9], [0, 9]]
        frames = [FrameResult(i, i / 25, [OcrLine(f"line {i}", 0.9, square)]) for i in range(50)]
        state = {"n": 0}

        def commit():
            state["n"] += 1
            batch = [FrameResult(f.frame_index + 50 * state["n"], f.time_s, f.ocr) for f in frames]
            store.commit_batch(job.job_id, batch, frames_done=50 * state["n"],
                               checkpoint_frame=batch[-1].frame_index)
        timed("commit a 50-frame batch (ms)", commit, repeat=20)
        timed("one job's progress row (ms)", lambda: store.get_job(job.job_id), repeat=200)
    with JobStore.open(data) as store:
        timed(f"reopen with {jobs} jobs and list them (ms)", store.list_jobs)
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m foresyte_desktop.bench.reliability")
    sub = parser.add_subparsers(dest="what", required=True)
    sub.add_parser("soak").add_argument("--videos", type=int, default=50)
    sub.add_parser("isolation").add_argument("--jobs", type=int, default=3)
    sub.add_parser("viewer").add_argument("--frames", type=int, default=200)
    sub.add_parser("store").add_argument("--jobs", type=int, default=500)
    args = parser.parse_args(argv)
    result = {"soak": lambda: soak(args.videos), "isolation": lambda: isolation(args.jobs),
              "viewer": lambda: viewer(args.frames),
              "store": lambda: store_ops(args.jobs)}[args.what]()
    for key, value in result.items():
        print(f"{key:40} {value}")
    OUT.mkdir(exist_ok=True)
    (OUT / f"{args.what}.json").write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
