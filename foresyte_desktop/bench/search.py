"""Search benchmark: 200 jobs holding 100,000 OCR lines, timed over a set of queries.

Run with `python -m foresyte_desktop.bench.search` (or `make bench-search`). The store is
synthetic, written through JobStore.commit_batch like a real run: subtitle-like lines that stay
on screen for a second, with OCR misreads sprinkled in, and a tracked object under half the
jobs' text. Two corpora: "typical" (readings repeat while a line stays on screen) and
"all distinct" (every one of the 100,000 lines reads differently, the worst case for the fuzzy
matcher). Reported: the first search (which builds the normalised corpus) and the median and
worst of the searches after it, and a search right after one job stored a new batch.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import string
import sys
import tempfile
import time
from pathlib import Path

from foresyte_desktop.core.model import Detection, FrameResult, JobSpec, OcrLine
from foresyte_desktop.core.search import search
from foresyte_desktop.core.store import JobStore

WORDS = ("burgundy wine château côte road exit north paris lyon sale open news breaking live "
         "score team goal final minute weather tonight market price police station bridge "
         "crème brûlée café délice garçon naïve façade München Zürich Ørsted straße").split()
QUERIES = ["Burgundy", "burgundv", "CHATEAU", "château côte", "cafe", "creme brulee", "zurich",
           "muenchen", "police station", "xqzvw", "goal", "tonight markt", "orsted", "strasse",
           "abc", "breaking news live", "Weather Paris", "final score", "exit 42", "façade"]


def _misread(text: str, rng: random.Random) -> str:
    """One character swapped for a look-alike or a random letter, as OCR does."""
    i = rng.randrange(len(text))
    swap = {"o": "0", "l": "1", "y": "v", "e": "c", "a": "o", "i": "l"}.get(
        text[i].lower(), rng.choice(string.ascii_lowercase))
    return text[:i] + swap + text[i + 1:]


def fill_store(store: JobStore, *, jobs: int, lines: int, distinct: bool, seed: int = 0) -> int:
    """`jobs` jobs with `lines` OCR lines between them: two lines a frame, each kept 25 frames.

    Returns how many distinct readings they hold.
    """
    rng = random.Random(seed)
    readings: set[str] = set()
    frames_per_job = lines // jobs // 2
    for j in range(jobs):
        pipeline = "yolo_ocr" if j % 2 else "ocr_only"
        job = store.add_job(JobSpec(f"/videos/clip{j:03d}.mp4", pipeline))
        frames = []
        shown: list[str] = []
        for fi in range(frames_per_job):
            if fi % 25 == 0:
                shown = [" ".join(rng.choices(WORDS, k=rng.randint(2, 6))).capitalize()
                         + f" {rng.randint(1, 99)}" for _ in range(2)]
            ocr = []
            for row, text in enumerate(shown):
                if distinct:
                    text = f"{text} {j}-{fi}"
                elif rng.random() < 0.2:
                    text = _misread(text, rng)
                y = 600 + 50 * row
                readings.add(text)
                ocr.append(OcrLine(text, round(rng.uniform(0.7, 1.0), 3),
                                   [[100, y], [900, y], [900, y + 40], [100, y + 40]]))
            dets = [Detection("truck", 7, 0.8, [50, 550, 950, 720], 1)] if pipeline == "yolo_ocr" \
                else []
            frames.append(FrameResult(fi, fi / 25, ocr, dets))
        store.commit_batch(job.job_id, frames, frames_done=len(frames),
                           checkpoint_frame=frames[-1].frame_index)
        store.finish(job.job_id, "completed")
    return len(readings)


def _timed(store: JobStore, query: str) -> tuple[float, float, int]:
    """Wall and CPU milliseconds of one search (CPU time counts every thread of the process,
    so it is the steadier figure when other work shares the machine), and the hits."""
    wall, cpu = time.perf_counter(), time.process_time()
    found = search(store, query)
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000, len(found)


def time_searches(store: JobStore, rounds: int) -> dict:
    """Milliseconds: the first search, `rounds` passes over QUERIES, and the first search after
    one job stored another batch (as while a job runs)."""
    first_wall, first_cpu, _ = _timed(store, QUERIES[0])
    walls, cpus, hits = [], [], {}
    for _ in range(rounds):
        for query in QUERIES:
            wall, cpu, hits[query] = _timed(store, query)
            walls.append(wall)
            cpus.append(cpu)
    job = store.list_jobs()[0]
    line = OcrLine("Late breaking news 1", 0.9, [[100, 600], [900, 600], [900, 640], [100, 640]])
    store.commit_batch(job.job_id, [FrameResult(job.frames_done, job.frames_done / 25, [line])],
                       frames_done=job.frames_done + 1, checkpoint_frame=job.frames_done)
    changed_wall, changed_cpu, _ = _timed(store, QUERIES[0])
    r = lambda v: round(v, 1)  # noqa: E731
    return {"first_ms": r(first_wall), "first_cpu_ms": r(first_cpu),
            "median_ms": r(statistics.median(walls)), "worst_ms": r(max(walls)),
            "median_cpu_ms": r(statistics.median(cpus)), "worst_cpu_ms": r(max(cpus)),
            "after_change_ms": r(changed_wall), "after_change_cpu_ms": r(changed_cpu),
            "searches": len(walls), "hits": hits}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m foresyte_desktop.bench.search",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3, help="passes over the queries")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    report = {"jobs": args.jobs, "ocr_lines": args.lines, "corpora": {}}
    for name, distinct in (("typical", False), ("all distinct", True)):
        with tempfile.TemporaryDirectory() as tmp:
            with JobStore.open(Path(tmp)) as store:
                start = time.perf_counter()
                texts = fill_store(store, jobs=args.jobs, lines=args.lines, distinct=distinct)
                filled = time.perf_counter() - start
                figures = time_searches(store, args.rounds)
        report["corpora"][name] = {"distinct_texts": texts, "fill_s": round(filled, 1), **figures}
    if args.json:
        print(json.dumps(report, indent=1))
        return 0
    print(f"search over {args.jobs} jobs, {args.lines} OCR lines, {len(QUERIES)} queries "
          f"x {args.rounds}")
    for name, r in report["corpora"].items():
        print(f"  {name} ({r['distinct_texts']} distinct readings), wall (CPU) ms:\n"
              f"    {r['searches']} searches: median {r['median_ms']} ({r['median_cpu_ms']}), "
              f"worst {r['worst_ms']} ({r['worst_cpu_ms']})\n"
              f"    first search {r['first_ms']} ({r['first_cpu_ms']}); after one job changed "
              f"{r['after_change_ms']} ({r['after_change_cpu_ms']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
