"""Review benchmark: the time to apply one edit to a completed job of 10,000 analysed frames.

Run with `python -m foresyte_desktop.bench.review` (or `make bench-review`). The job is
synthetic, written through JobStore.commit_batch like a real run: two subtitle-like lines a
frame, each kept 40 frames (500 segments). One edit is one call of the core function the window
and the CLI use (review.set_text, review.verify): it reads the review state, checks the input
and appends to the log in its own transaction. Reported: the first use (which stores the run's
segments), the median and worst of many edits, the median as the log grows long, and building
the corrected results document once, what the window recomputes after an edit (the review
applied to the job's frames), and, for the machine's pace, one read of a job row.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from foresyte_desktop.core import review
from foresyte_desktop.core.model import FrameResult, JobSpec, OcrLine, VideoInfo
from foresyte_desktop.core.results import build_results
from foresyte_desktop.core.review_apply import review_view
from foresyte_desktop.core.store import JobStore

GOAL_MS = 50.0


def make_job(store: JobStore, frames: int) -> str:
    job = store.add_job(JobSpec("/videos/review-bench.mp4"))
    store.claim_next([job.job_id])
    store.begin(job.job_id, VideoInfo("/videos/review-bench.mp4", 1280, 720, 25.0, frames,
                                      frames / 25), frames)
    top = [[100.0, 560.0], [1180.0, 560.0], [1180.0, 610.0], [100.0, 610.0]]
    low = [[100.0, 620.0], [1180.0, 620.0], [1180.0, 670.0], [100.0, 670.0]]
    batch = []
    for fi in range(frames):
        n = fi // 40
        batch.append(FrameResult(fi, fi / 25, [OcrLine(f"Line {n} on top, G0ING N0W", 0.9, top),
                                               OcrLine(f"Line {n} below, B0ARDING", 0.8, low)]))
        if len(batch) == 500 or fi == frames - 1:
            store.commit_batch(job.job_id, batch, frames_done=fi + 1, checkpoint_frame=fi)
            batch = []
    store.finish(job.job_id, "completed")
    return job.job_id


def _ms(work) -> float:
    t0 = time.perf_counter()
    work()
    return (time.perf_counter() - t0) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m foresyte_desktop.bench.review")
    parser.add_argument("--frames", type=int, default=10_000)
    parser.add_argument("--edits", type=int, default=200, help="edits timed (default 200)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp, JobStore(Path(tmp) / "bench.duckdb") as store:
        job_id = make_job(store, args.frames)
        first_ms = _ms(lambda: review.open_review(store, job_id))
        segments = len(review.open_review(store, job_id).live(review.SEGMENT))
        times = []
        for n in range(args.edits):
            seg = 1 + n % segments
            if n % 2:
                times.append(_ms(lambda: review.verify(store, job_id, seg)))
            else:
                times.append(_ms(lambda: review.set_text(store, job_id, seg, f"Edit {n}")))
        late = [_ms(lambda: review.set_text(store, job_id, 1 + n % segments, f"Late {n}"))
                for n in range(50)]
        log_rows = len(review.open_review(store, job_id).log)
        # The machine's pace: one read of a job row, which every edit also does.
        query = statistics.median(_ms(lambda: store.get_job(job_id)) for _ in range(50))
        doc_ms = _ms(lambda: build_results(store, store.get_job(job_id)))
        # What the window does after each edit: the review applied to the machine's frames.
        frames, job = list(store.frame_results(job_id)), store.get_job(job_id)
        view_ms = statistics.median(_ms(lambda: review_view(store, job, frames))
                                    for _ in range(5))
    figures = {"frames": args.frames, "segments": segments, "edits": args.edits,
               "first_use_ms": round(first_ms, 1),
               "edit_median_ms": round(statistics.median(times), 2),
               "edit_worst_ms": round(max(times), 2),
               "edit_median_ms_long_log": round(statistics.median(late), 2),
               "log_rows": log_rows, "job_read_ms": round(query, 2),
               "results_document_ms": round(doc_ms, 1),
               "window_refresh_ms": round(view_ms, 1),
               "goal_ms": GOAL_MS}
    print(f"Job of {args.frames:,} analysed frames, {segments} text segments")
    print(f"  first use (stores the segments):   {first_ms:8.1f} ms")
    print(f"  one edit, median of {args.edits}:          {figures['edit_median_ms']:8.2f} ms  "
          f"(goal under {GOAL_MS:.0f} ms; worst {figures['edit_worst_ms']:.2f} ms)")
    print(f"  one edit with {log_rows} rows in the log: "
          f"{figures['edit_median_ms_long_log']:8.2f} ms")
    print(f"  corrected results document:        {doc_ms:8.1f} ms")
    print(f"  the window's view after an edit:    {view_ms:8.1f} ms")
    print(f"  for scale, one read of a job row:   {query:8.2f} ms "
          f"(an edit costs {figures['edit_median_ms'] / max(query, 1e-6):.1f} of them)")
    if args.json:
        print(json.dumps(figures, indent=1))
    return 0 if figures["edit_median_ms"] < GOAL_MS else 1


if __name__ == "__main__":
    sys.exit(main())
