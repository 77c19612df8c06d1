"""`make bench-scale`: a 10-minute hardsub through the engines side by side, and what more
workers would give.

    python -m foresyte_desktop.bench.scale [--stride 2] [--minutes 10] [--no-ray]

Rows: `local` with 1 process (one pass, the reference), `local` with 2 processes (chunks), and
`ray` on a 2-node `ray.cluster_utils.Cluster` on this machine, one CPU per node, its workers
sent the file through the object store as a worker on another computer would be. Each row:
wall time, × realtime, whether the stitched results equal the one pass frame for frame and
segment for segment, the chunk overhead (frames analysed and text detections against the one
pass; the sum of chunk times against the one pass's time), the bytes shipped, and the
driver's time storing what came back. Then the frames per second one driver can absorb
(its cost per stitched frame at full load, `absorb_rate`),
Ray's batch sizes on the first minute (1 frame per streamed item, 16, a whole chunk as one),
and the scaling to 8 and 32 workers extrapolated from the measured chunk times and the
driver's rate. JSON in .bench/scale.json.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import tempfile
import time
from pathlib import Path

from foresyte_desktop.bench import dev_videos
from foresyte_desktop.bench.reliability import OUT


def long_hardsub(minutes: float) -> Path:
    """The 10-minute hardsub (dev_videos), cut shorter by stream copy when asked."""
    shared, cache = dev_videos.shared_dir(), dev_videos.cache_dir()
    path = dev_videos._long_video(cache / "hardsub_720p30.mp4", shared / "truth" /
                                  "dev_subs.srt", cache).path
    if minutes >= 10:
        return path
    short = cache / f"hardsub_720p30_{minutes:g}min.mp4"
    if not short.is_file():
        dev_videos._ffmpeg("-i", str(path), "-c", "copy", "-t", str(60 * minutes), str(short))
    return short


def comparable(doc: dict):
    return ([(r["frame_index"], r["time_s"], r["ocr"]) for r in doc["results"]],
            doc["text_segments"])


def run_once(video: Path, stride: int, engine, label: str) -> dict:
    """One job on `engine`, timed from the claim to its results."""
    from foresyte_desktop.core.model import JobSpec
    from foresyte_desktop.core.runner import CancelToken, JobRunner
    from foresyte_desktop.core.store import JobStore
    data = Path(tempfile.mkdtemp(prefix="foresyte-scale-"))
    with JobStore.open(data) as store:
        store.add_job(JobSpec(str(video), "ocr_only", frame_stride=stride))
        with JobRunner(store, data, engine=engine) as runner:
            print(f"  {label} ...", flush=True)
            started = time.perf_counter()
            job = runner.run_next(CancelToken())
            wall = time.perf_counter() - started
            assert job.status == "completed", job.error_message
            chunked = runner.last_chunked
            return {"label": label, "wall_s": wall, "frames": job.frames_done,
                    "results": list(store.frame_results(job.job_id)),
                    "stats": runner.last_stats, "doc": runner.last_results,
                    "chunks": sorted(chunked.chunk_seconds.items()) if chunked else [],
                    "chunk_frames": {c.index: c.frames for c in _plan(store, job)},
                    "driver_s": chunked.driver_seconds if chunked else None,
                    "shipped": getattr(engine, "bytes_put", 0) + getattr(engine,
                                                                          "bytes_fetched", 0)}


def _plan(store, job):
    from foresyte_desktop.core.chunks import Chunk
    return [Chunk(*row[:5]) for row in store.chunk_plan(job.job_id, [])]


def absorb_rate(results: list, copies: int = 10, batch: int = 50) -> dict:
    """The driver's own cost per stitched frame, at full load: `copies` of one job's results
    (enough frames for a steady rate) unpickled as they arrive from a worker (in items of 16)
    and stored in batches of `batch` into a fresh store as one chunk, then the tracks
    stitched; frames per second of that."""
    import pickle
    from dataclasses import replace
    span = results[-1].frame_index + 1
    frames = [replace(f, frame_index=f.frame_index + k * span) for k in range(copies)
              for f in results]

    from foresyte_desktop.core.chunked_run import stitch_tracks
    from foresyte_desktop.core.chunks import Chunk
    from foresyte_desktop.core.model import JobSpec
    from foresyte_desktop.core.store import JobStore
    items = [pickle.dumps(frames[i:i + 16]) for i in range(0, len(frames), 16)]
    data = Path(tempfile.mkdtemp(prefix="foresyte-absorb-"))
    with JobStore.open(data) as store:
        job = store.add_job(JobSpec("/bench/absorb.mp4", "ocr_only"))
        chunk = Chunk(0, 0, None, len(frames))
        store.chunk_plan(job.job_id, [chunk])
        started = time.perf_counter()
        pending: list = []
        for item in items:
            pending.extend(pickle.loads(item))
            if len(pending) >= batch:
                store.commit_chunk(job.job_id, chunk, pending, frames_done=0, done=False)
                pending = []
        store.commit_chunk(job.job_id, chunk, pending, frames_done=len(frames), done=True)
        stitch_tracks(store, job.job_id, [chunk], 1)
        seconds = time.perf_counter() - started
    return {"frames": len(frames), "seconds": seconds, "frames_per_s": len(frames) / seconds}


def ray_cluster(nodes: int):
    """`nodes` Ray nodes of one CPU each on this machine, and this process connected."""
    import ray
    from ray.cluster_utils import Cluster
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1,
                                                            "include_dashboard": False})
    for _ in range(nodes - 1):
        cluster.add_node(num_cpus=1)
    ray.init(address=cluster.address, log_to_driver=False)
    return cluster


def extrapolate(row: dict, absorb: float, duration_s: float, fps: float, stride: int,
                workers: list[int]) -> list[dict]:
    """Wall time for this video and an archive's throughput with N workers like the
    measured ones: chunks as planned for N, each taking the measured time per analysed frame
    (chunk time / its frames, median), the whole bounded by the driver's absorb rate."""
    from foresyte_desktop.core.chunks import plan_chunks
    per_frame = statistics.median(t / row["chunk_frames"][i] for i, t in row["chunks"])
    frame_count = round(duration_s * fps)
    out = []
    for n in workers:
        chunks = plan_chunks(frame_count, fps, stride, None, workers=n)
        rounds = math.ceil(len(chunks) / n)
        wall = max(rounds * max(c.frames for c in chunks) * per_frame, row["frames"] / absorb)
        archive_fps = min(n / per_frame, absorb)  # analysed frames per second, many jobs
        out.append({"workers": n, "chunks": len(chunks), "wall_s": wall,
                    "x_realtime": duration_s / wall,
                    "archive_x_realtime": archive_fps * stride / fps,
                    "driver_bound": n / per_frame > absorb})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench-scale")
    parser.add_argument("--stride", type=int, default=2)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--no-ray", action="store_true", help="the local rows only")
    args = parser.parse_args(argv)
    from foresyte_desktop.core.engines import make_engine
    from foresyte_desktop.core.video import probe
    video = long_hardsub(args.minutes)
    info = probe(video)
    print(f"bench-scale: {video.name}, {info.duration_s:.0f} s at {info.fps:g} fps, "
          f"stride {args.stride}, {os.cpu_count()} cores", flush=True)
    rows = []
    for label, engine in (("local, 1 process (one pass)", make_engine("local", workers=1)),
                          ("local, 2 processes", make_engine("local", workers=2))):
        try:
            rows.append(run_once(video, args.stride, engine, label))
        finally:
            engine.close()
    batches = []
    if not args.no_ray:
        import ray
        cluster = ray_cluster(2)
        try:
            engine = make_engine("ray", workers=2, ship="always")
            try:
                rows.append(run_once(video, args.stride, engine,
                                     "ray, 2 nodes, file sent to the workers"))
            finally:
                engine.close()
            minute = long_hardsub(1)
            for batch, name in ((1, "streamed, 1 frame an item"),
                                (16, "streamed, 16 frames an item"),
                                (10**6, "a whole chunk as one item")):
                engine = make_engine("ray", workers=2, batch=batch, chunk_s=10)
                try:
                    batches.append({"batch": name, **_brief(
                        run_once(minute, args.stride, engine, f"ray batches: {name}"))})
                finally:
                    engine.close()
        finally:
            ray.shutdown()
            cluster.shutdown()
    reference = rows[0]
    same = comparable(reference["doc"])
    table = []
    for row in rows:
        stats, ref = row["stats"], reference["stats"]
        table.append({
            "engine": row["label"], "wall_s": round(row["wall_s"], 1),
            "x_realtime": round(info.duration_s / row["wall_s"], 2),
            "identical": comparable(row["doc"]) == same,
            "chunks": len(row["chunks"]) or 1,
            "frames_analysed_ratio": round(stats.get("frames_analysed", 0) /
                                           max(1, ref.get("frames_analysed", 1)), 3),
            "detections_ratio": round(stats.get("frames_detected", 0) /
                                      max(1, ref.get("frames_detected", 1)), 3),
            "chunk_time_ratio": round(sum(t for _, t in row["chunks"]) /
                                      reference["wall_s"], 2) if row["chunks"] else 1.0,
            "bytes_shipped": row["shipped"],
            "driver_s": round(row["driver_s"], 2) if row["driver_s"] else None,
        })
    absorb = absorb_rate(rows[1]["results"])
    scaling = extrapolate(rows[1], absorb["frames_per_s"], info.duration_s, info.fps,
                          args.stride, [1, 2, 8, 32])
    load = os.getloadavg()[0]
    _print(table, batches, scaling, info, args.stride, absorb, load)
    OUT.mkdir(exist_ok=True)
    (OUT / "scale.json").write_text(json.dumps(
        {"video": video.name, "duration_s": info.duration_s, "stride": args.stride,
         "cpus": os.cpu_count(), "load_average": load, "rows": table, "ray_batches": batches,
         "absorb": absorb, "scaling": scaling},
        indent=1))
    print(f"\nJSON: {OUT / 'scale.json'}")
    return 0


def _brief(row: dict) -> dict:
    return {"wall_s": round(row["wall_s"], 1), "driver_s": round(row["driver_s"], 2)}


def _print(table, batches, scaling, info, stride, absorb, load) -> None:
    print(f"\nload average {load:.1f}")
    print(f"{'engine':40} {'wall s':>7} {'× rt':>6} {'same':>5} {'chunks':>6} "
          f"{'frames':>7} {'detect':>7} {'Σchunk':>7} {'shipped':>10} {'driver s':>9}")
    for r in table:
        print(f"{r['engine']:40} {r['wall_s']:7.1f} {r['x_realtime']:6.2f} "
              f"{'yes' if r['identical'] else 'NO':>5} {r['chunks']:6d} "
              f"{r['frames_analysed_ratio']:7.3f} {r['detections_ratio']:7.3f} "
              f"{r['chunk_time_ratio']:7.2f} {r['bytes_shipped'] / 1e6:8.1f}MB "
              f"{r['driver_s'] if r['driver_s'] is not None else '-':>9}")
    print(f"\nThe driver absorbs {absorb['frames_per_s']:.0f} stitched frames/s "
          f"({absorb['frames']} frames unpickled, stored in batches of 50, tracks stitched, in "
          f"{absorb['seconds']:.2f} s)")
    if batches:
        print("\nRay, first minute, 2 workers:")
        for b in batches:
            print(f"  {b['batch']:30} wall {b['wall_s']:6.1f} s, the driver busy "
              f"{b['driver_s']:5.2f} s of it")
    print(f"\nExtrapolated ({info.duration_s:.0f} s video, stride {stride}; workers as "
          "measured here):")
    for s in scaling:
        bound = " (driver-bound)" if s["driver_bound"] else ""
        print(f"  {s['workers']:3d} workers: {s['chunks']:3d} chunks, this video in "
              f"{s['wall_s']:6.1f} s ({s['x_realtime']:.2f}× realtime); an archive at "
              f"{s['archive_x_realtime']:.2f}× realtime{bound}")


if __name__ == "__main__":
    raise SystemExit(main())
