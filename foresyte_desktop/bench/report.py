"""Report benchmark: the time to build the report of a case of 10 reviewed jobs.

Run with `python -m foresyte_desktop.bench.report` (or `make bench-report`). Each job has a
real video of its own (720p, 25 fps, a subtitle every 3 s, drawn with OpenCV) and synthetic
results written through JobStore.commit_batch like a real run (every 5th frame analysed, the
subtitle's line where it is drawn), then a review as an analyst makes one: every segment
verified, three corrected, two rejected, three bookmarks and two notes. Timed: building the
content (hashing each file, the results document, the timeline, the thumbnails decoded in the
decode child), the HTML, and the PDF; the first report of the case (which takes the files'
SHA-256) and a second one.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from foresyte_desktop.core import cases, notes, review
from foresyte_desktop.core.model import FrameResult, JobSpec, OcrLine
from foresyte_desktop.core.report import build_report
from foresyte_desktop.core.report_html import render_html
from foresyte_desktop.core.store import JobStore
from foresyte_desktop.core.video import probe

FPS, SIZE, STRIDE, EVERY_S = 25, (1280, 720), 5, 3


def make_video(path: Path, seconds: int, seed: int) -> list[tuple[int, int, str, list]]:
    """Write the video; returns its subtitles as (first frame, last frame, text, box)."""
    w, h = SIZE
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), FPS, SIZE)
    lines, per = [], EVERY_S * FPS
    for n in range(seconds // EVERY_S):
        text = f"CLIP {seed} LINE {n} SEEN AT GATE {10 + n}"
        (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 1.4, 3)
        x, y = (w - tw) // 2, h - 80
        lines.append((n * per, (n + 1) * per - 1, text,
                      [[x, y - th], [x + tw, y - th], [x + tw, y + 8], [x, y + 8]]))
        for _ in range(per):
            image = np.full((h, w, 3), 60 + seed * 10, np.uint8)
            cv2.putText(image, text, (x, y), cv2.FONT_HERSHEY_SIMPLEX, 1.4, (255, 255, 255), 3)
            writer.write(image)
    writer.release()
    return lines


def make_job(store: JobStore, path: Path, lines: list) -> str:
    job = store.add_job(JobSpec(str(path), "ocr_only", STRIDE))
    store.claim_next([job.job_id])
    info = probe(path)
    store.begin(job.job_id, info, -(-info.frame_count // STRIDE))
    frames = [FrameResult(fi, fi / FPS, [OcrLine(text, 0.9, [list(map(float, p)) for p in box])
                                         for first, last, text, box in lines
                                         if first <= fi <= last])
              for fi in range(0, info.frame_count, STRIDE)]
    store.commit_batch(job.job_id, frames, frames_done=len(frames),
                       checkpoint_frame=frames[-1].frame_index)
    store.finish(job.job_id, "completed")
    review.set_text(store, job.job_id, 1, lines[0][2].replace("GATE", "GATE NO."))
    for seg in (2, 3):
        review.set_text(store, job.job_id, seg, lines[seg - 1][2] + " (checked)")
    for seg in (4, 5):
        review.reject(store, job.job_id, seg)
    review.verify(store, job.job_id, "all")
    for fi in (40, 200, 400):
        notes.add_bookmark(store, job.job_id, fi, f"frame {fi} shows the gate")
    notes.add_note(store, job.job_id, "the number is hard to read", segment=1)
    notes.add_note(store, job.job_id, "same line as in the other clip", segment=6)
    return job.job_id


def _s(work) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = work()
    return time.perf_counter() - t0, out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m foresyte_desktop.bench.report")
    parser.add_argument("--jobs", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=60, help="length of each video")
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp, JobStore(Path(tmp) / "bench.duckdb") as store:
        t0 = time.perf_counter()
        cases.new_case(store, "Case 2291")
        ids = []
        for n in range(args.jobs):
            video = Path(tmp) / f"camera {n + 1}.mp4"
            ids.append(make_job(store, video, make_video(video, args.seconds, n)))
        cases.set_case(store, ids, "Case 2291")
        setup = time.perf_counter() - t0
        first, report = _s(lambda: build_report(store, [], case="Case 2291"))
        second, report = _s(lambda: build_report(store, [], case="Case 2291"))
        html_s, html = _s(lambda: render_html(report))
        figures = {"jobs": args.jobs, "video_seconds": args.seconds, "setup_s": round(setup, 1),
                   "first_report_s": round(first, 2), "report_s": round(second, 2),
                   "html_s": round(html_s, 3), "html_mb": round(len(html) / 1e6, 2),
                   "segments": sum(len(v.segments) for v in report.videos),
                   "pictures": html.count("data:image")}
        if not args.no_pdf:
            from foresyte_desktop.report_pdf import write_pdf
            pdf_s, pages = _s(lambda: write_pdf(report, Path(tmp) / "report.pdf"))
            figures.update(pdf_s=round(pdf_s, 2), pdf_pages=pages)
    if args.json:
        print(json.dumps(figures))
        return 0
    print(f"Case of {args.jobs} reviewed jobs, {args.seconds} s of 720p video each "
          f"({figures['segments']} verified segments, {figures['pictures']} pictures)")
    print(f"  content, first report (takes the SHA-256): {figures['first_report_s']:8.2f} s")
    print(f"  content, a later report:                   {figures['report_s']:8.2f} s "
          f"({figures['report_s'] / args.jobs:.2f} s a job)")
    print(f"  HTML:                                      {figures['html_s']:8.3f} s "
          f"({figures['html_mb']} MB)")
    if "pdf_s" in figures:
        print(f"  PDF:                                       {figures['pdf_s']:8.2f} s "
              f"({figures['pdf_pages']} pages)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
