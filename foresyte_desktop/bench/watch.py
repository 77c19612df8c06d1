"""Watchlist benchmark: 1,000 terms against a store of 200 jobs holding 100,000 OCR lines.

Run with `python -m foresyte_desktop.bench.watch` (or `make bench-watch`). The store is the
search benchmark's (`bench.search.fill_store`), in its two corpora: "typical" (readings repeat
while a line stays on screen) and "all distinct" (every line reads differently). The terms:
plates (half of them allowing one OCR error), words and names (exact, or up to one or two
errors), phrases, regular expressions and plate formats. Reported, in wall and CPU seconds:
adding the list (which checks every stored job), re-checking the whole store, and checking
one newly completed job of 500 lines, as the runner does when a job completes.
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

from foresyte_desktop.bench.search import WORDS, fill_store
from foresyte_desktop.core.model import FrameResult, JobSpec, OcrLine
from foresyte_desktop.core.store import JobStore
from foresyte_desktop.core.watchlists import add_terms, check, check_job, find_list, make_term

LIST_NAME = "Benchmark"


def make_terms(count: int, seed: int = 0) -> list:
    """`count` different terms in the mix described above: of every 20, 10 plates, 5 words
    or names, 3 phrases, a regular expression and a plate format (of the few there are)."""
    rng = random.Random(seed)
    letters, digits = string.ascii_uppercase, string.digits
    terms: dict = {}
    n = 0
    while len(terms) < count:
        kind = n % 20
        if kind < 10:  # a plate
            plate = "".join(rng.choices(letters, k=2)) + "-" + "".join(rng.choices(digits, k=3)) \
                + "-" + "".join(rng.choices(letters, k=2))
            term = make_term(plate, tolerance=n % 2)
        elif kind < 15:  # a name or a word, some of them in the store's text
            word = rng.choice(WORDS) if n % 3 == 0 else \
                "".join(rng.choices(string.ascii_lowercase, k=rng.randint(5, 10)))
            term = make_term(f"{word}{n}" if n % 3 else word,
                             tolerance=min(2, len(word) // 4) * (n % 2))
        elif kind < 18:  # a phrase
            term = make_term(" ".join(rng.choices(WORDS, k=2)) + f" {n}", tolerance=1)
        elif kind < 19:  # a regular expression
            term = make_term(rf"\b{rng.choice(WORDS)[:4]}\w* {n % 100}\b", regex=True)
        else:  # a plate format
            term = make_term(rng.choice(["AA-999-AA", "999-AAA", "AAA 9999", "A99 AAA"]),
                             plate=True, tolerance=n % 2)
        terms.setdefault(term, None)
        n += 1
    return list(terms)


def _timed(work) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = work()
    return time.perf_counter() - wall, time.process_time() - cpu, out


def new_job(store: JobStore, lines: int, seed: int) -> str:
    """A completed job of `lines` OCR lines (two a frame), as a run stores it."""
    rng = random.Random(seed)
    job = store.add_job(JobSpec("/videos/new.mp4"))
    frames = []
    for fi in range(lines // 2):
        ocr = [OcrLine(" ".join(rng.choices(WORDS, k=4)) + f" {rng.randint(1, 99)}", 0.9,
                       [[100, y], [900, y], [900, y + 40], [100, y + 40]]) for y in (600, 650)]
        frames.append(FrameResult(fi, fi / 25, ocr))
    store.commit_batch(job.job_id, frames, frames_done=len(frames),
                       checkpoint_frame=frames[-1].frame_index)
    store.finish(job.job_id, "completed")
    return job.job_id


def measure(store: JobStore, terms: list, rounds: int) -> dict:
    add_wall, add_cpu, (_, raised) = _timed(lambda: add_terms(store, LIST_NAME, terms))
    lists = [find_list(store, LIST_NAME)]
    rechecks = [_timed(lambda: check(store, lists)) for _ in range(rounds)]
    singles = []
    for n in range(rounds):
        job_id = new_job(store, 500, seed=n)
        singles.append(_timed(lambda: check_job(store, job_id)))
    r = lambda v: round(v, 3)  # noqa: E731
    return {"terms": len(terms), "alerts": len(raised),
            "add_list_s": r(add_wall), "add_list_cpu_s": r(add_cpu),
            "recheck_store_s": r(statistics.median(w for w, _, _ in rechecks)),
            "recheck_store_cpu_s": r(statistics.median(c for _, c, _ in rechecks)),
            "one_job_s": r(statistics.median(w for w, _, _ in singles)),
            "one_job_cpu_s": r(statistics.median(c for _, c, _ in singles)),
            "one_job_worst_s": r(max(w for w, _, _ in singles))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m foresyte_desktop.bench.watch",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--terms", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3, help="timings per figure (median)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    terms = make_terms(args.terms)
    report = {"jobs": args.jobs, "ocr_lines": args.lines, "corpora": {}}
    for name, distinct in (("typical", False), ("all distinct", True)):
        with tempfile.TemporaryDirectory() as tmp, JobStore.open(Path(tmp)) as store:
            texts = fill_store(store, jobs=args.jobs, lines=args.lines, distinct=distinct)
            report["corpora"][name] = {"distinct_texts": texts,
                                       **measure(store, terms, args.rounds)}
    if args.json:
        print(json.dumps(report, indent=1))
        return 0
    print(f"watchlists: {len(terms)} terms against {args.jobs} jobs, {args.lines} OCR lines")
    for name, r in report["corpora"].items():
        print(f"  {name} ({r['distinct_texts']} distinct readings, {r['alerts']} alerts), "
              f"wall (CPU) s:\n"
              f"    one completed job of 500 lines: {r['one_job_s']} ({r['one_job_cpu_s']}), "
              f"worst {r['one_job_worst_s']}\n"
              f"    re-check of the whole store: {r['recheck_store_s']} "
              f"({r['recheck_store_cpu_s']}); adding the list, with its check: "
              f"{r['add_list_s']} ({r['add_list_cpu_s']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
