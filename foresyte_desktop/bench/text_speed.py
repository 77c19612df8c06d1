"""How fast and how well ForeSyte reads the text in video, side by side with a naive loop.

    python -m foresyte_desktop.bench [--videos a,b] [--extra VIDEO[=TRUTH.srt] ...]
        [--threads 2,4] [--naive-stride N] [--repeat N] [--long] [--out FILE]
    python -m foresyte_desktop.bench --reference [--reference-stride N] [--videos a,b]
        [--extra VIDEO ...]

For each video it runs, one after the other in the same run, each in a process of its own:
decoding alone (decode.py: every frame through the reader ForeSyte uses), ForeSyte's `ocr_only`
with its default settings as `foresyte run` does (text_job.py), once per inference thread count
of `--threads` (FORESYTE_OCR_THREADS), and the naive loop (naive.py), which reads every
`--naive-stride`-th frame in full. Reading every frame naively would take days on long videos,
so its time is extrapolated: the naive loop's model loading and decoding of every frame, plus
its measured OCR time per frame times the number of frames. Each wall time includes starting
Python and loading the models; peak memory is the sum over the process and its children,
sampled every 50 ms. Quality is scored with the shared score_subtitles.py against the
ground-truth SRT, for ForeSyte and the naive loop alike; the ticker, whose text moves, is scored
by the share of its words read; videos with no labels are not scored.

The videos: the development set (dev_videos.py) by default; `--videos` picks by name among
them, the 10-minute one (`--long`) and the real clips of ../shared/bench/real; `--extra` adds
any video by path, labelled by `=TRUTH.srt` or an SRT of the same name beside it, or not.

`--reference` is the dense reference mode, for videos with or without labels: by default on
the real clips and the development videos, the naive loop reads every `--reference-stride`-th
frame in full (default 3) and ForeSyte's text is compared with it on those frames
(reference.py): the reference lines ForeSyte missed or read differently, and every stretch
over 0.25 s where its text on screen differs, stale (ForeSyte reports a line the reference does
not see), unsteady (the same, where the reference itself flickers between readings of the
place and never gave ForeSyte's) or missing.

A table goes to stdout and the same figures as JSON to .bench/text-speed.json, or
.bench/text-reference.json in reference mode (git-ignored).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from foresyte_desktop.bench.dev_videos import DEV_NAMES, ROOT, TICKER_WORDS, BenchVideo, \
    build, cache_dir, extra_video, real_clips, shared_dir
from foresyte_desktop.bench.reference import MIN_S, compare, fmt_report

OUT = ROOT / ".bench" / "text-speed.json"
OUT_REFERENCE = ROOT / ".bench" / "text-reference.json"
GOALS = {"realtime_x": 2.0, "line_recall_exact": 0.97, "frame_coverage_exact": 0.95,
         "seg_precision": 0.95, "timing_max_s": 0.25, "cer": 0.02, "stale_s": MIN_S,
         "vs_naive": 15.0, "rss_mb": 1024.0, "ticker_words": 0.9}
SCORED = ("dev_subs", "dev_slides", "dev_styled", "dev_portrait_zh", "hardsub_720p30")
# The development videos: each must be read at least GOALS["realtime_x"] times realtime.
DEVELOPMENT = (*DEV_NAMES, "hardsub_720p30", "hardsub_720p30_10min")
DEFAULT_THREADS = "2,4"
REFERENCE_STRIDE = 3


def measured(cmd: list[str], env: dict | None = None) -> tuple[float, dict, str]:
    """Run `cmd`: its wall time, the peaks of resident memory in MB (`total` over the process
    and its children at one moment, `main` the process alone, `children` the rest), stdout."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT, env={**os.environ, **(env or {})})
    top = psutil.Process(proc.pid)
    peak = {"total": 0, "main": 0, "children": 0}
    while proc.poll() is None:
        try:
            main = top.memory_info().rss
            children = sum(p.memory_info().rss for p in top.children(recursive=True))
        except psutil.Error:
            main = children = 0
        for key, value in (("total", main + children), ("main", main),
                           ("children", children)):
            peak[key] = max(peak[key], value)
        time.sleep(0.05)
    wall = time.perf_counter() - started
    out, err = proc.communicate()
    if proc.returncode:
        raise SystemExit(f"bench: {' '.join(cmd[2:4])} failed:\n{err.strip()}")
    return wall, {k: round(v / 2**20) for k, v in peak.items()}, out


def load_scorer(shared: Path):
    spec = importlib.util.spec_from_file_location("score_subtitles",
                                                  shared / "score_subtitles.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.score


def ticker_score(doc: dict) -> dict:
    """Moving text has no SRT: the share of the ticker's words read in some frame."""
    read = " ".join("".join(o["text"].split()).upper() for r in doc["results"] for o in r["ocr"])
    words = [w for w in TICKER_WORDS if len(w) > 2]
    return {"ticker_words": round(sum(w in read for w in words) / len(words), 3)}


def video_facts(path: Path) -> dict:
    import cv2
    cap = cv2.VideoCapture(str(path))
    fps = cap.get(cv2.CAP_PROP_FPS)
    frames = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    size = f"{int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))}x{int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))}"
    cap.release()
    return {"fps": fps, "frames": frames, "duration_s": round(frames / fps, 3), "size": size}


def quality(video: BenchVideo, result: Path, score) -> dict:
    """The scorer's figures against the video's SRT; the ticker's words; {} with no labels."""
    if video.ticker:
        return ticker_score(json.loads(result.read_text(encoding="utf-8")))
    if video.truth is None:
        return {}
    return score(str(video.truth), str(result))


def parse_threads(text: str) -> list[int]:
    try:
        counts = [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        counts = []
    if not counts or min(counts) < 1:
        raise SystemExit(f"bench: --threads takes thread counts such as 2,4, not {text!r}")
    return list(dict.fromkeys(counts))


def decode_only(video: BenchVideo) -> dict:
    wall, rss, printed = measured([sys.executable, "-m", "foresyte_desktop.bench.decode",
                                   str(video.path)])
    figures = json.loads(printed.strip().splitlines()[-1])
    return {**figures, "process_wall_s": round(wall, 2), "peak_rss_mb": rss["total"]}


def foresyte_row(video: BenchVideo, facts: dict, out: Path, score, threads: int, repeat: int,
                 decode: dict) -> dict:
    runs = []
    for _ in range(repeat):
        wall, rss, printed = measured([sys.executable, "-m", "foresyte_desktop.bench.text_job",
                                       str(video.path), str(out)],
                                      env={"FORESYTE_OCR_THREADS": str(threads)})
        # main: the job runner and store; children: the analysis process (decode, models).
        runs.append({"wall_s": round(wall, 2), "peak_rss_mb": rss["total"],
                     "runner_peak_rss_mb": rss["main"], "analysis_peak_rss_mb": rss["children"]})
    stats = json.loads(printed.strip().splitlines()[-1])["stats"]
    wall = statistics.median(r["wall_s"] for r in runs)
    fps = (stats.get("frames_decoded") or facts["frames"]) / wall
    return {"threads": threads, "threads_effective": min(threads, os.cpu_count() or 1),
            "wall_s": wall, "runs": runs, "realtime_x": round(facts["duration_s"] / wall, 2),
            "fps": round(fps, 1),
            "decode_share": round(fps / decode["fps"], 4) if decode.get("fps") else None,
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
            "analysis_peak_rss_mb": max(r["analysis_peak_rss_mb"] for r in runs),
            "runner_peak_rss_mb": max(r["runner_peak_rss_mb"] for r in runs),
            "stats": stats, "score": quality(video, out, score), "results_json": str(out)}


def bench_video(video: BenchVideo, work: Path, score, naive_stride: int | None, repeat: int,
                threads: list[int] | None = None) -> dict:
    facts = video_facts(video.path)
    threads = threads or [2]
    print(f"{video.name}: {facts['size']}, {facts['duration_s']} s — decoding alone ...",
          flush=True)
    decode = decode_only(video)
    entry = {"name": video.name, "note": video.note, **facts, "real": video.real,
             "labelled": video.truth is not None, "decode": decode, "foresyte_threads": []}
    for n in threads:
        print(f"{video.name}: ForeSyte, {n} inference threads ...", flush=True)
        out = work / f"{video.name}.foresyte.t{n}.json"
        entry["foresyte_threads"].append(foresyte_row(video, facts, out, score, n, repeat,
                                                      decode))
    entry["foresyte"] = entry["foresyte_threads"][0]  # the first count: the goals' figures
    if naive_stride:
        print(f"{video.name}: naive loop, every {naive_stride}th frame ...", flush=True)
        out = work / f"{video.name}.naive.json"
        wall, rss, _ = measured([sys.executable, "-m", "foresyte_desktop.bench.naive",
                                 str(video.path), str(out), "--stride", str(naive_stride)])
        timing = json.loads(out.read_text(encoding="utf-8"))["timing"]
        per_frame = timing["ocr_s"] / max(1, timing["frames_read"])
        # Reading every frame: the same start-up and decoding, OCR on every frame.
        every = wall - timing["ocr_s"] + per_frame * timing["frames_decoded"]
        entry["naive"] = {"stride": naive_stride, "wall_s": round(wall, 2),
                          "peak_rss_mb": rss["total"], "ocr_s_per_frame": round(per_frame, 3),
                          "frames_read": timing["frames_read"],
                          "boxes_per_frame": round(timing["boxes_recognised"] /
                                                   max(1, timing["frames_read"]), 2),
                          "every_frame_s_extrapolated": round(every, 1),
                          "score": quality(video, out, score), "results_json": str(out)}
        entry["vs_naive_every_frame"] = round(every / entry["foresyte"]["wall_s"], 1)
    return entry


def reference_check(entry: dict) -> dict:
    """ForeSyte's run (the first thread count) compared with the naive loop's as reference."""
    def load(path: str) -> dict:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    return {"stride": entry["naive"]["stride"],
            **compare(load(entry["naive"]["results_json"]),
                      load(entry["foresyte"]["results_json"]))}


def _at_most(value, limit) -> bool:
    return value is not None and value <= limit


def _at_least(value, limit) -> bool:
    return value is not None and value >= limit


def goals(entries: list[dict]) -> list[tuple[str, bool | None, str]]:
    """Each goal: (what, met or None when not measured, the figures)."""
    by = {e["name"]: e for e in entries}
    out = []
    dev = [e for e in entries if e["name"] in DEVELOPMENT]
    if dev:
        threads = {e["foresyte"]["threads"] for e in dev}
        out.append((f"Speed: ≥ {GOALS['realtime_x']:g}× realtime on every development video "
                    f"({'/'.join(map(str, sorted(threads)))} threads)",
                    all(e["foresyte"]["realtime_x"] >= GOALS["realtime_x"] for e in dev),
                    ", ".join(f"{e['name']} {e['foresyte']['realtime_x']}×" for e in dev)))
    scored = [by[n] for n in SCORED if n in by]
    checks = [("line_recall_exact", "≥", GOALS["line_recall_exact"]),
              ("frame_coverage_exact", "≥", GOALS["frame_coverage_exact"]),
              ("seg_precision", "≥", GOALS["seg_precision"]),
              ("seg_start_err_max_s", "≤", GOALS["timing_max_s"]),
              ("seg_end_err_max_s", "≤", GOALS["timing_max_s"]),
              ("cer", "≤", GOALS["cer"])]
    for key, how, limit in checks if scored else ():
        test = _at_least if how == "≥" else _at_most
        figures = []
        for e in scored:
            naive = e.get("naive", {}).get("score", {})
            beside = f" (naive {naive.get(key)})" if naive else ""
            figures.append(f"{e['name']} {e['foresyte']['score'].get(key)}{beside}")
        out.append((f"Quality: {key} {how} {limit:g}",
                    all(test(e["foresyte"]["score"].get(key), limit) for e in scored),
                    ", ".join(figures)))
    checked = [e for e in entries if "reference" in e]
    real = [e for e in checked if e["real"]]
    if checked:
        figures = ", ".join(f"{e['name']} {e['reference']['stale_stretches']} "
                            f"(longest {e['reference']['longest_stale_s']} s; where the "
                            f"reference flickers {e['reference']['unsteady_stretches']}, "
                            f"longest {e['reference']['longest_unsteady_s']} s)"
                            for e in checked)
        out.append((f"Reference: no stale stretch over {GOALS['stale_s']} s on the real clips",
                    all(e["reference"]["longest_stale_s"] <= GOALS["stale_s"] for e in real)
                    if real else None,
                    f"stale stretches: {figures}"))
    ratios = {n: e["vs_naive_every_frame"] for n, e in by.items() if "vs_naive_every_frame" in e}
    if ratios:
        out.append((f"Versus naive (earlier goal): ≥ {GOALS['vs_naive']:g}× faster than "
                    "reading every frame", min(ratios.values()) >= GOALS["vs_naive"],
                    ", ".join(f"{n} {r}×" for n, r in ratios.items())))
    rss = {n: e["foresyte"]["peak_rss_mb"] for n, e in by.items()}
    hd, long = by.get("hardsub_720p30"), by.get("hardsub_720p30_10min")
    met = max(rss.values()) <= GOALS["rss_mb"] if rss else None
    flat = ""
    if long and hd:  # flat: the 10-minute video needs little more than its 40 s original
        short_f, long_f = hd["foresyte"], long["foresyte"]
        grew = long_f["peak_rss_mb"] - short_f["peak_rss_mb"]
        met = met and grew <= 0.15 * short_f["peak_rss_mb"] + 50
        analysis = long_f["analysis_peak_rss_mb"] - short_f["analysis_peak_rss_mb"]
        runner = long_f["runner_peak_rss_mb"] - short_f["runner_peak_rss_mb"]
        flat = (f"; 10 min vs 40 s: {grew:+} MB in all (analysis process {analysis:+} MB, "
                f"job runner and results document {runner:+} MB)")
    elif met:
        met, flat = None, " (run with --long for the 10-minute check)"
    if rss:
        out.append(("Memory (earlier goal): peak RSS ≤ 1 GB, flat with video length", met,
                    ", ".join(f"{n} {v} MB" for n, v in rss.items()) + flat))
    ticker = by.get("dev_ticker")
    if ticker:
        share = ticker["foresyte"]["score"]["ticker_words"]
        out.append(("Moving text (earlier goal): the ticker is read",
                    share >= GOALS["ticker_words"], f"{share:.0%} of the ticker's words read"))
    return out


def _num(value, width: int, digits: int = 2) -> str:
    return f"{value:>{width}.{digits}f}" if isinstance(value, (int, float)) else \
        f"{'—':>{width}}"


def fmt_table(entries: list[dict]) -> str:
    """Speed and work: a row per video and thread count."""
    head = (f"{'video':21} {'thr':>3} {'dur s':>6} {'wall s':>7} {'×RT':>5} {'fps':>6} "
            f"{'dec fps':>7} {'share':>5} {'naive/N s':>9} {'naive/1 s*':>10} {'vs/1':>6} "
            f"{'RSS MB':>7}  {'decoded':>7} {'detected':>12} {'recognised':>16}")
    rows = [head, "-" * len(head)]
    for e in entries:
        naive = e.get("naive", {})
        naive_boxes = round(naive.get("boxes_per_frame", 0) * e["frames"])
        for f in e["foresyte_threads"]:
            st = f["stats"]
            frames = st.get("frames_analysed", 0)
            vs = round(naive["every_frame_s_extrapolated"] / f["wall_s"], 1) if naive else "—"
            share = f["decode_share"]
            share = "—" if share is None else f"{share:.0%}" if share >= 0.1 else f"{share:.1%}"
            rows.append(
                f"{e['name']:21} {f['threads']:>3} {e['duration_s']:>6.1f} {f['wall_s']:>7.1f} "
                f"{f['realtime_x']:>5.2f} {f['fps']:>6.1f} {_num(e['decode']['fps'], 7, 1)} "
                f"{share:>5} {naive.get('wall_s', '—'):>9} "
                f"{naive.get('every_frame_s_extrapolated', '—'):>10} {str(vs) + '×':>6} "
                f"{f['peak_rss_mb']:>7}  {st.get('frames_decoded', 0):>7} "
                f"{st.get('frames_detected', 0):>5}/{frames:<6} "
                f"{st.get('boxes_recognised', 0):>6}/{naive_boxes or '—':<9}")
    return "\n".join(rows)


def _quality_cells(s: dict) -> str:
    if "ticker_words" in s:
        return f"{s['ticker_words']:>5.2f} of the ticker's words read"
    if not s:
        return f"{'—':>5}  (no labels)"
    timing = (f"{_num(s.get('seg_start_err_max_s'), 5, 3)}/"
              f"{_num(s.get('seg_end_err_max_s'), 5, 3).strip():<5}")
    median = (f"{_num(s.get('seg_start_err_s'), 5, 3)}/"
              f"{_num(s.get('seg_end_err_s'), 5, 3).strip():<5}")
    return (f"{_num(s.get('line_recall'), 5)} {_num(s.get('seg_recall'), 5)} "
            f"{_num(s.get('seg_precision'), 5)} | {_num(s.get('line_recall_exact'), 5)} "
            f"{_num(s.get('frame_coverage_exact'), 5)} {_num(s.get('seg_recall_exact'), 5)} "
            f"{_num(s.get('cer'), 5, 3)} {timing} | {median}")


def fmt_quality(entries: list[dict]) -> str:
    """Quality: ForeSyte per thread count, and the naive loop's own figures beside them."""
    head = (f"{'video':21} {'read by':12} {'line':>5} {'seg':>5} {'prec':>5} | {'line=':>5} "
            f"{'cov=':>5} {'seg=':>5} {'cer':>5} {'start/end max':>11} | {'median s':>11}")
    rows = [head, "-" * len(head)]
    for e in entries:
        for f in e["foresyte_threads"]:
            rows.append(f"{e['name']:21} {'ForeSyte ' + str(f['threads']) + 't':12} "
                        f"{_quality_cells(f['score'])}")
        if n := e.get("naive"):
            rows.append(f"{'':21} {'naive/' + str(n['stride']):12} {_quality_cells(n['score'])}")
    return "\n".join(rows)


FOOTNOTE = """\
* thr: inference threads per model (FORESYTE_OCR_THREADS; ForeSyte uses at most one per CPU).
  fps: frames decoded ÷ ForeSyte's wall time; dec fps: decoding alone with the same reader, in
  the same run; share: ForeSyte's fps ÷ dec fps. naive/N: the naive loop as measured, reading
  every N-th frame; naive/1: reading every frame, extrapolated from it (decoding every frame +
  its OCR time per frame × all frames); vs/1 = naive/1 ÷ ForeSyte's wall. detected: frames sent
  to text detection / frames analysed; recognised: text boxes sent to recognition / what
  reading every frame would send.
  Quality (score_subtitles.py): line, seg, prec: line recall, segment recall and precision
  (fuzzy); line=, cov=, seg=: exact line recall, frame coverage and segment recall; cer:
  character error rate; start/end max: the worst segment timing errors; median: the median ones."""


def _candidates(shared: Path, cache: Path, long: bool) -> tuple[list, list]:
    """(the development videos, the real clips)."""
    return build(shared, cache, long=long), real_clips(shared)


def pick_videos(args, shared: Path) -> list[BenchVideo]:
    dev, real = _candidates(shared, cache_dir(args.cache), args.long)
    known = {v.name: v for v in dev + real}
    if args.videos:
        wanted = [n.strip() for n in args.videos.split(",") if n.strip()]
        unknown = [n for n in wanted if n not in known]
        if unknown:
            raise SystemExit(f"bench: no video named {', '.join(unknown)}; known: "
                             f"{', '.join(known)} (others by path with --extra)")
        videos = [known[n] for n in wanted]
    elif args.reference:
        videos = [v for v in real + dev if not v.name.endswith("10min")]
    else:
        videos = list(dev)
    for spec in args.extra or ():
        video = extra_video(spec)
        if video.name in known or any(v.name == video.name for v in videos):
            video.name = f"extra-{video.name}"  # not taken for the video of that name
        videos.append(video)
    return videos


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m foresyte_desktop.bench",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", help="the shared bench folder (default ../shared/bench "
                                         "beside the repository, or FORESYTE_BENCH_SHARED)")
    parser.add_argument("--cache", help="where the videos are built (default "
                                        "/tmp/foresyte-dev-videos, or FORESYTE_BENCH_CACHE)")
    parser.add_argument("--videos", help="comma-separated names among the development videos, "
                                         "the real clips (e.g. film_zh_720p) and, with --long, "
                                         "hardsub_720p30_10min; default the development "
                                         "videos (reference mode: the real clips too)")
    parser.add_argument("--extra", nargs="+", action="extend", metavar="VIDEO[=TRUTH.srt]",
                        help="more videos by path; labelled by TRUTH.srt or an SRT of the same "
                             "name beside the video, else not scored")
    parser.add_argument("--long", action="store_true",
                        help="also the 10-minute video (memory check; several minutes)")
    parser.add_argument("--threads", help="inference thread counts, a ForeSyte row each "
                                          f"(default {DEFAULT_THREADS}; reference mode: 2); "
                                          "the first is the goals' row")
    parser.add_argument("--naive-stride", type=int, default=6,
                        help="the naive loop reads every N-th frame (default 6); 0 skips it")
    parser.add_argument("--reference", action="store_true",
                        help="dense reference mode: compare ForeSyte with the naive loop "
                             "reading every --reference-stride-th frame")
    parser.add_argument("--reference-stride", type=int, default=REFERENCE_STRIDE,
                        help=f"the reference reads every N-th frame (default {REFERENCE_STRIDE})")
    parser.add_argument("--show", type=int, default=20,
                        help="reference mode: lines and stretches printed per video (default "
                             "20; all are in the JSON)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="ForeSyte runs per video and thread count; the median wall counts")
    parser.add_argument("--out", help=f"JSON output (default {OUT}; reference mode "
                                      f"{OUT_REFERENCE})")
    args = parser.parse_args(argv)
    if args.reference and args.reference_stride < 1:
        raise SystemExit("bench: --reference-stride must be at least 1")
    threads = parse_threads(args.threads or ("2" if args.reference else DEFAULT_THREADS))
    shared = shared_dir(args.shared)
    videos = pick_videos(args, shared)
    score = load_scorer(shared)
    load_before = os.getloadavg()
    entries = []
    with tempfile.TemporaryDirectory(prefix="foresyte-bench-") as work:
        for video in videos:
            naive = args.reference_stride if args.reference else args.naive_stride
            if video.name.endswith("10min"):
                naive = 0
            entry = bench_video(video, Path(work), score, naive or None, max(1, args.repeat),
                                threads)
            if args.reference and "naive" in entry:
                entry["reference"] = reference_check(entry)
            for row in [*entry["foresyte_threads"], entry.get("naive", {})]:
                row.pop("results_json", None)  # in a folder removed at the end
            entries.append(entry)
    import onnxruntime
    doc = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                       "python": platform.python_version(),
                       "onnxruntime": onnxruntime.__version__,
                       "load_avg_before": load_before, "load_avg_after": os.getloadavg()},
           "mode": "reference" if args.reference else "speed",
           "videos": entries,
           "goals": [{"goal": g, "met": met, "figures": fig} for g, met, fig in goals(entries)]}
    out = Path(args.out or (OUT_REFERENCE if args.reference else OUT))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=1, ensure_ascii=False), encoding="utf-8")
    print()
    print(fmt_table(entries))
    print()
    print(fmt_quality(entries))
    print("\n" + FOOTNOTE)
    if args.reference:
        print(f"\nReference: the naive loop on every {args.reference_stride}th frame; "
              f"ForeSyte at {threads[0]} threads, compared on the reference's frames (case, "
              f"spaces and punctuation folded), stretches over {MIN_S} s:")
        for e in entries:
            if "reference" in e:
                print(fmt_report(e["name"], e["reference"], limit=max(0, args.show)))
    print(f"\nload average before/after: {load_before[0]:.1f} / {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} CPUs")
    for goal, met, figures in goals(entries):
        mark = {True: "met", False: "NOT met", None: "not measured"}[met]
        print(f"  [{mark}] {goal}: {figures}")
    print(f"\nJSON: {out}")
    return 0
