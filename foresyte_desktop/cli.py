"""The `foresyte` command: opens the window, or runs, lists and exports jobs headless.

`foresyte` or `foresyte FILE...` opens the window. The subcommands use only the Qt-free core.
Exit codes: 0 all went well, 1 a job or an export failed, 2 usage error, 3 the database is held
by another process, 128 + N when signal N (Ctrl+C, SIGTERM) stopped a run.
"""
from __future__ import annotations

import argparse
import multiprocessing
import signal
import sys
from pathlib import Path

from foresyte_desktop import __version__
from foresyte_desktop.core.exit_codes import EXIT_FAILED, EXIT_LOCKED, EXIT_OK, EXIT_USAGE

SUBCOMMANDS = ("run", "resume", "jobs", "export", "search", "roi", "review", "watch",
               "watchlist", "alerts", "note", "case", "report", "verify")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", metavar="DIR",
                        help="where the job database and outputs live "
                             "(default: FORESYTE_DATA_DIR or the per-user app data folder)")


def _job_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pipeline", default="ocr_only", choices=("ocr_only", "yolo_ocr"),
                        help="ocr_only: text only (default); yolo_ocr: objects and text")
    parser.add_argument("--stride", type=_positive, default=1, metavar="N",
                        help="analyse every N-th frame (default 1)")
    parser.add_argument("--max-frames", type=_positive, default=None, metavar="N",
                        help="analyse at most N frames per video")
    parser.add_argument("--model", metavar="PATH",
                        help="YOLO weights (.pt or .onnx) for yolo_ocr")
    parser.add_argument("--trust-model", action="store_true",
                        help="allow loading this .pt file (a pickle, which can run code); "
                             "remembered by its SHA-256")


def _engine_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--engine", choices=("local", "ray"), default="local",
                        help="local: analysis processes on this computer (default); ray: "
                             "actors on a Ray cluster (pip install 'foresyte-desktop[cluster]')")
    parser.add_argument("--workers", type=_positive, metavar="N",
                        help="analysis processes (local; default one per two cores) or Ray "
                             "actors (ray; default one per CPU of the cluster); with more than "
                             "one, a long video is cut into chunks analysed side by side")
    parser.add_argument("--ray-address", metavar="ADDR",
                        help="the Ray cluster for --engine ray, HOST:PORT (default RAY_ADDRESS)")


def _engine(args):
    """The engine the options ask for, its line printed; None (and the reason) if none."""
    import os

    from foresyte_desktop.core.engines import make_engine
    from foresyte_desktop.core.errors import ForesyteError
    try:
        engine = make_engine(args.engine, workers=args.workers,
                             address=args.ray_address or os.environ.get("RAY_ADDRESS"))
    except ForesyteError as exc:
        print(f"foresyte: {exc}", file=sys.stderr)
        return None
    print(f"Engine: {engine.describe()}", file=sys.stderr)
    return engine


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} must be 1 or more")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"“{text}” is not a time in seconds (for example 12.5)")
    return value


def _roi(text: str):
    from foresyte_desktop.core.roi import parse_roi
    try:
        return parse_roi(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


ROI_HELP = ("read text only inside this rectangle, given as fractions of the frame "
            "(0,0.8,1,1: the bottom fifth, where subtitles are)")


def build_parser() -> argparse.ArgumentParser:
    from foresyte_desktop.core.exporters import FORMATS
    parser = argparse.ArgumentParser(prog="foresyte", description=(
        "Read the text and objects in video files. With no command, open the window."))
    parser.add_argument("--version", action="version", version=f"foresyte {__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help="check this installation end to end, headless, and exit")
    parser.add_argument("--licenses", action="store_true",
                        help="print the third-party notices, which begin with ForeSyte's own "
                             "licence, and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", help="analyse video files headless")
    run.add_argument("files", nargs="+", metavar="FILE", help="MP4 files or folders")
    _job_options(run)
    run.add_argument("--roi", type=_roi, metavar="X1,Y1,X2,Y2", help=ROI_HELP)
    run.add_argument("--out", metavar="DIR", help="also write <DIR>/<video name>.json")
    run.add_argument("--force", action="store_true", help="overwrite files in --out")
    _engine_options(run)
    _common(run)

    resume = sub.add_parser("resume", help="run every job still pending in the store")
    _engine_options(resume)
    _common(resume)

    jobs = sub.add_parser("jobs", help="list the jobs in the store")
    jobs.add_argument("--status", choices=("pending", "running", "completed", "failed",
                                           "cancelled"))
    _common(jobs)

    export = sub.add_parser("export", help="export a job's results")
    export.add_argument("job_id", metavar="JOB_ID", help="a job id (or its first characters)")
    export.add_argument("--format", choices=(*FORMATS, "mp4"),
                        default="json", help="srt, vtt, ass: subtitles, one cue per span of "
                        "time the same lines are on screen; csv: one row per text line; "
                        "detections-csv: one row per detected object; mp4: the video with the "
                        "results drawn on it")
    export.add_argument("-o", "--output", metavar="PATH",
                        help="file to write (default: stdout; mp4 needs a file)")
    export.add_argument("--force", action="store_true", help="overwrite an existing file")
    export.add_argument("--start", type=_seconds, metavar="SECONDS",
                        help="mp4: begin at this time (default: the start)")
    export.add_argument("--end", type=_seconds, metavar="SECONDS",
                        help="mp4: stop at this time (default: the end of the analysed part)")
    export.add_argument("--machine", action="store_true",
                        help="export what was read, without the analyst's review")
    _common(export)

    search = sub.add_parser("search", help="find text read in any job")
    search.add_argument("text", metavar="TEXT", help="what to find; case, accents and small "
                        "OCR errors do not matter")
    search.add_argument("--json", action="store_true", help="print the hits as JSON")
    search.add_argument("--limit", type=_positive, default=500, metavar="N",
                        help="at most N hits, the best ones (default 500)")
    search.add_argument("--case", metavar="CASE", help="only in the jobs of this case")
    search.add_argument("--notes", action="store_true",
                        help="find the analysts' notes and bookmarks instead of the text read")
    _common(search)

    roi = sub.add_parser("roi", help="limit the text reading of queued jobs to a rectangle")
    roi.add_argument("job_ids", nargs="+", metavar="JOB_ID", help="pending jobs (or the first "
                     "characters of their ids)")
    choice = roi.add_mutually_exclusive_group(required=True)
    choice.add_argument("--set", type=_roi, metavar="X1,Y1,X2,Y2", help=ROI_HELP)
    choice.add_argument("--clear", action="store_true", help="read the whole frame again")
    _common(roi)

    review = sub.add_parser("review", help="list, correct, reject or verify a completed job's "
                            "text segments; every change is logged and can be undone")
    review.add_argument("job_id", metavar="JOB_ID", help="a job id (or its first characters)")
    act = review.add_mutually_exclusive_group(required=True)
    act.add_argument("--list", action="store_true", help="the segments, their ids and states")
    act.add_argument("--set-text", nargs=2, metavar=("SEGMENT", "TEXT"),
                     help="correct a segment's text")
    act.add_argument("--reject", type=int, metavar="SEGMENT", help="reject a false reading")
    act.add_argument("--verify", metavar="SEGMENT|all",
                     help="confirm a segment, or every one still unreviewed")
    act.add_argument("--undo", action="store_true", help="undo the last change")
    act.add_argument("--redo", action="store_true", help="redo the last change undone")
    _common(review)
    _watch_parsers(sub)
    _report_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    multiprocessing.freeze_support()  # the analysis child process, in a frozen bundle
    argv = list(sys.argv[1:] if argv is None else argv)
    if not any(a in SUBCOMMANDS for a in argv[:1]) and \
            not {"-h", "--help", "--version", "--self-test", "--licenses"} & set(argv):
        return _open_window(argv)
    args = build_parser().parse_args(argv)
    if args.self_test:
        from foresyte_desktop.selftest import main as self_test
        return self_test()
    if args.licenses:
        return _print_licences()
    from foresyte_desktop.core.data_folder import open_data_folder
    from foresyte_desktop.core.errors import StoreError, StoreLockedError
    try:
        data_dir, store = open_data_folder(args.data_dir)
    except StoreLockedError as exc:
        print(f"foresyte: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except StoreError as exc:
        print(f"foresyte: {exc}", file=sys.stderr)
        return EXIT_FAILED
    try:
        return COMMANDS[args.command](args, store, data_dir)
    except StoreError as exc:
        print(f"foresyte: {exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        store.close()


def _print_licences() -> int:
    from foresyte_desktop.core.licences import LICENCE, NOTICES_FILE, shipped_text
    notices = shipped_text(NOTICES_FILE)
    if notices is None:
        print(f"foresyte: this copy carries no {NOTICES_FILE}; ForeSyte is under {LICENCE}.",
              file=sys.stderr)
        return EXIT_FAILED
    sys.stdout.flush()
    sys.stdout.buffer.write(notices.encode("utf-8"))  # as shipped, whatever the console's encoding
    return EXIT_OK


def _open_window(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="foresyte")
    parser.add_argument("files", nargs="*", metavar="FILE")
    _common(parser)
    args = parser.parse_args(argv)
    from foresyte_desktop.ui.app import main as window_main
    return window_main(args.files, args.data_dir)


# -- subcommands ------------------------------------------------------------------------------

def cmd_run(args, store, data_dir: Path) -> int:
    from foresyte_desktop.core.intake import queue_files
    from foresyte_desktop.core.model import JobSpec
    model = args.model
    if model and Path(model).expanduser().exists():  # stored absolute: the job may run elsewhere
        model = str(Path(model).expanduser().resolve())
    spec = JobSpec(input_path="", pipeline_id=args.pipeline, frame_stride=args.stride,
                   max_frames=args.max_frames, model_path=model, roi=args.roi)
    engine = _engine(args)
    if engine is None:
        return EXIT_USAGE
    if args.trust_model and args.pipeline == "yolo_ocr":
        _trust_model(store, model, data_dir)
    intake = queue_files(store, args.files, spec, record_refused=True, reuse_interrupted=True)
    for refusal in intake.refused:
        print(f"✗ {refusal.message}", file=sys.stderr)
    jobs = intake.resumed + intake.queued
    failed, signum = _run_jobs(store, data_dir, [j.job_id for j in jobs], args.out, args.force,
                               engine)
    if signum:
        return 128 + signum  # the shell's convention for "ended by a signal"
    return EXIT_FAILED if failed or intake.refused else EXIT_OK


def _trust_model(store, model: str | None, data_dir: Path) -> None:
    from foresyte_desktop.core.errors import ModelError
    from foresyte_desktop.core.model_trust import is_pickle, model_sha256
    from foresyte_desktop.core.pipelines.yolo import resolve_model
    try:
        path = resolve_model(model, data_dir)
    except ModelError:
        return  # the job fails with the reason and a way out
    if is_pickle(path) and Path(path).is_file():
        store.trust_model(model_sha256(path), path)


def cmd_resume(args, store, data_dir: Path) -> int:
    pending = [j.job_id for j in store.list_jobs("pending")]
    if not pending:
        print("No pending jobs.", file=sys.stderr)
        return EXIT_OK
    engine = _engine(args)
    if engine is None:
        return EXIT_USAGE
    failed, signum = _run_jobs(store, data_dir, pending, None, False, engine)
    if signum:
        return 128 + signum
    return EXIT_FAILED if failed else EXIT_OK


def _run_jobs(store, data_dir: Path, job_ids: list[str], out: str | None,
              force: bool, engine) -> tuple[int, int | None]:
    """Run the given jobs one after another on `engine` (closed here); returns how many did
    not complete, and the signal (SIGINT, SIGTERM) that stopped the run, if one did."""
    from foresyte_desktop.core.runner import CancelToken, JobRunner
    token = CancelToken()
    bar = ProgressPrinter(sys.stderr)

    stopped_by = []

    def stop(signum, _frame):
        stopped_by.append(signum)
        token.interrupt()
    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    failed = 0
    runner = JobRunner(store, data_dir, engine=engine)
    try:
        while not token.is_set:
            job = runner.run_next(token, bar.update, job_ids)
            if job is None:
                break
            bar.finish()
            _note_weights_licence(data_dir)
            failed += job.status != "completed"
            if job.status == "pending":  # interrupted: left resumable
                where = f"at frame {job.checkpoint_frame}" if job.checkpoint_frame is not None \
                    else f"after {job.frames_done} frames"
                print(f"■ {Path(job.input_path).name}: stopped {where}; "
                      "run the same command again to continue.", file=sys.stderr)
                continue
            print(_summary(job, runner.last_results, out, force))
    finally:
        runner.close()
        sent = getattr(engine, "bytes_put", 0)
        if sent:
            print(f"Sent {sent / 1e6:.1f} MB of video through Ray's object store to workers "
                  "that could not see the files.", file=sys.stderr)
        engine.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return failed, (stopped_by[0] if stopped_by else None)


def _note_weights_licence(data_dir: Path) -> None:
    from foresyte_desktop.core.licences import weights_note_due
    note = weights_note_due(data_dir)
    if note:
        print(f"Note: {note}", file=sys.stderr)


def _summary(job, doc: dict | None, out: str | None, force: bool) -> str:
    """One line for a job that ended; `doc` is the results document the runner wrote."""
    name = Path(job.input_path).name
    if job.status != "completed":
        return f"✗ {name}: {job.status} — {job.error_message or 'no reason given'}"
    from foresyte_desktop.core.exporters import export_name
    from foresyte_desktop.core.results import write_json
    target = job.output_path
    if out:
        path = Path(out).expanduser() / export_name(job.input_path, "json")
        if path.exists() and not force:
            return (f"✓ {name}: completed; {path} already exists, so results stay in "
                    f"{job.output_path} (use --force to overwrite)")
        target = str(write_json(doc, path))
    warn = f" ({job.error_message})" if job.error_message else ""
    return (f"✓ {name}: {len(doc['results'])} frames, {len(doc['text_segments'])} text segments, "
            f"{sum(len(f['detections']) for f in doc['results'])} detections → {target}{warn}")


def cmd_jobs(args, store, data_dir: Path) -> int:
    jobs = store.list_jobs(args.status)
    if not jobs:
        print("No jobs." if not args.status else f"No {args.status} jobs.")
        return EXIT_OK
    print(f"{'JOB ID':36}  {'STATUS':9}  {'PIPELINE':8}  {'FRAMES':>11}  FILE")
    for j in jobs:
        frames = f"{j.frames_done}/{j.frames_total if j.frames_total is not None else '?'}"
        line = f"{j.job_id:36}  {j.status:9}  {j.pipeline_id:8}  {frames:>11}  {j.input_path}"
        if j.error_message:
            line += f"\n{'':38}{j.error_message}"
        print(line)
    return EXIT_OK


def cmd_export(args, store, data_dir: Path) -> int:
    from foresyte_desktop.core.exporters import render, suffix
    from foresyte_desktop.core.results import build_results
    job = store.find_job(args.job_id)
    if job is None:
        print(f"foresyte: no job matches “{args.job_id}” (see `foresyte jobs`).", file=sys.stderr)
        return EXIT_FAILED
    if args.format == "mp4":
        return _export_video(store, job, args.output, args.force, args.start, args.end)
    doc = build_results(store, job, machine=args.machine)
    return _write_text(render(doc, args.format), args.output, args.force, suffix(args.format))


def _export_video(store, job, output: str | None, force: bool, start_s: float | None,
                  end_s: float | None) -> int:
    """The job's video (or the part from `start_s` to `end_s`) with its overlays burned in,
    with a progress bar."""
    from foresyte_desktop.core.annotate import write_job_video
    from foresyte_desktop.core.errors import ForesyteError
    from foresyte_desktop.core.runner import Progress
    if not output:
        print("foresyte: an MP4 export needs a file to write: add -o PATH.", file=sys.stderr)
        return EXIT_USAGE
    path = Path(output).expanduser()
    if path.exists() and not force:
        print(f"foresyte: {path} already exists; use --force to overwrite it.", file=sys.stderr)
        return EXIT_FAILED
    bar = ProgressPrinter(sys.stderr)
    try:
        write_job_video(store, job, path, start_s=start_s, end_s=end_s,
                        progress=lambda done, total: bar.update(
                            Progress(job.job_id, done, total)))
    except ForesyteError as exc:
        bar.finish()
        print(f"foresyte: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        bar.finish()
        print(f"foresyte: stopped; {path} was not written.", file=sys.stderr)
        return EXIT_FAILED
    bar.finish()
    print(f"Wrote {path}", file=sys.stderr)
    return EXIT_OK


def cmd_search(args, store, data_dir: Path) -> int:
    import json

    from foresyte_desktop.core.cases import CaseError
    from foresyte_desktop.core.formatting import video_time
    from foresyte_desktop.core.search import group_by_video, search
    if args.notes:
        return _search_notes(args, store)
    try:
        groups = group_by_video(search(store, args.text, limit=args.limit, case=args.case))
    except CaseError as exc:
        print(f"foresyte: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if args.json:
        print(json.dumps([{"job_id": job_id, "video_path": path,
                           "hits": [h.as_dict() for h in hits]} for job_id, path, hits in groups],
                         ensure_ascii=False, indent=1))
        return EXIT_OK
    if not groups:
        print(f"No text matches “{args.text}”.", file=sys.stderr)
        return EXIT_OK
    for job_id, path, hits in groups:
        print(f"{path}  (job {job_id[:8]})")
        for h in hits:
            on = f"  on {h.label}" + (f" #{h.track_id}" if h.track_id is not None else "") \
                if h.label else ""
            # Two-digit minutes keep the column straight: 00:03.4 over 12:05.0.
            print(f"  {video_time(h.time_s).zfill(7)}  frame {h.frame_index:<6}  "
                  f"{h.text}  [{h.score:.0f}]{on}")
    return EXIT_OK


def cmd_roi(args, store, data_dir: Path) -> int:
    jobs = []
    for prefix in args.job_ids:
        job = store.find_job(prefix)
        if job is None:
            print(f"foresyte: no job matches “{prefix}” (see `foresyte jobs`).", file=sys.stderr)
            return EXIT_FAILED
        jobs.append(job)
    changed = store.set_roi([j.job_id for j in jobs], None if args.clear else args.set)
    print(f"Region {'cleared' if args.clear else 'set'} on {changed} of {len(jobs)} jobs.",
          file=sys.stderr)
    if changed < len(jobs):
        print("Jobs that have started keep the region they were read with; use `foresyte run` "
              "on the file again to read it with another.", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def cmd_review(args, store, data_dir: Path) -> int:
    from foresyte_desktop.core import review
    from foresyte_desktop.core.errors import ReviewError
    job = store.find_job(args.job_id)
    if job is None:
        print(f"foresyte: no job matches “{args.job_id}” (see `foresyte jobs`).", file=sys.stderr)
        return EXIT_FAILED
    try:
        if args.list:
            state = review.open_review(store, job)
            print(f"{'ID':>4}  {'STATE':10}  {'FRAMES':>13}  TEXT")
            for seg in review.ordered(state):
                mark = "*" if "edited_at" in seg else " "
                frames = f"{seg['first_frame']}-{seg['last_frame']}"
                print(f"{seg['id']:>4}  {seg['review_state']:10}  {frames:>13} {mark}{seg['text']}")
            print(review.progress(state, review.SEGMENT).text, file=sys.stderr)
            return EXIT_OK
        if args.set_text:
            done = review.set_text(store, job, _segment_id(args.set_text[0]), args.set_text[1])
        elif args.reject is not None:
            done = review.reject(store, job, args.reject)
        elif args.verify is not None:
            target = "all" if args.verify == "all" else _segment_id(args.verify)
            done = review.verify(store, job, target)
        elif args.undo:
            done = review.undo(store, job)
        else:
            done = review.redo(store, job)
    except ReviewError as exc:
        print(f"foresyte: {exc}", file=sys.stderr)
        return EXIT_FAILED
    state = review.open_review(store, job)
    what = "Nothing to change" if done is None else "Done"
    print(f"{what}; {review.progress(state, review.SEGMENT).text}.", file=sys.stderr)
    return EXIT_OK


def _segment_id(text: str) -> int:
    from foresyte_desktop.core.errors import ReviewError
    try:
        return int(text)
    except ValueError:
        raise ReviewError(f"“{text}” is not a segment id; `foresyte review JOB_ID --list` shows "
                          "them.") from None


COMMANDS = {"run": cmd_run, "resume": cmd_resume, "jobs": cmd_jobs, "export": cmd_export,
            "search": cmd_search, "roi": cmd_roi, "review": cmd_review}


# -- watch folders, watchlists and alerts -----------------------------------------------------

def _watch_parsers(sub) -> None:
    watch = sub.add_parser("watch", help="queue the new recordings of watched folders")
    watch_sub = watch.add_subparsers(dest="watch_command", metavar="ACTION", required=True)
    add = watch_sub.add_parser("add", help="watch a folder (and its sub-folders) with these "
                               "job settings")
    add.add_argument("folder", metavar="DIR")
    _job_options(add)
    add.add_argument("--roi", type=_roi, metavar="X1,Y1,X2,Y2", help=ROI_HELP)
    add.add_argument("--poll", action="store_true", default=None,
                     help="scan the folder every few seconds instead of waiting for change "
                          "events (automatic on network shares)")
    _common(add)
    _common(watch_sub.add_parser("list", help="the watched folders and their settings"))
    remove = watch_sub.add_parser("remove", help="stop watching a folder")
    remove.add_argument("folder", metavar="DIR_OR_ID")
    _common(remove)
    run = watch_sub.add_parser("run", help="watch headless and run what is queued, until "
                               "Ctrl+C")
    run.add_argument("--settle", type=float, default=None, metavar="SECONDS",
                     help="how long a file must stop growing before it is queued (default 5)")
    _common(run)

    lists = sub.add_parser("watchlist", help="lists of words, names or plates that raise an "
                           "alert when read")
    lists_sub = lists.add_subparsers(dest="watchlist_command", metavar="ACTION", required=True)
    add = lists_sub.add_parser("add", help="add terms to a list (made if new); every stored "
                               "job is checked against it")
    add.add_argument("name", metavar="NAME")
    add.add_argument("terms", nargs="+", metavar="TERM")
    add.add_argument("--fuzzy", type=int, default=0, metavar="N",
                     help="allow up to N OCR errors (default 0: exact)")
    kind = add.add_mutually_exclusive_group()
    kind.add_argument("--regex", action="store_true",
                      help="the terms are regular expressions (case-blind)")
    kind.add_argument("--plate", action="store_true",
                      help="the terms are plate formats: A a letter, 9 a digit (AA-999-AA)")
    _common(add)
    imp = lists_sub.add_parser("import", help="add the terms of a CSV file (columns term, kind, "
                               "tolerance) to a list")
    imp.add_argument("name", metavar="NAME")
    imp.add_argument("file", metavar="FILE.csv")
    _common(imp)
    exp = lists_sub.add_parser("export", help="write a list as CSV")
    exp.add_argument("name", metavar="NAME")
    exp.add_argument("-o", "--output", metavar="PATH", help="file to write (default: stdout)")
    exp.add_argument("--force", action="store_true", help="overwrite an existing file")
    _common(exp)
    show = lists_sub.add_parser("list", help="the lists, or the terms of one")
    show.add_argument("name", nargs="?", metavar="NAME")
    _common(show)
    remove = lists_sub.add_parser("remove", help="remove a list, or some of its terms")
    remove.add_argument("name", metavar="NAME")
    remove.add_argument("terms", nargs="*", metavar="TERM")
    _common(remove)

    alerts = sub.add_parser("alerts", help="what the watchlists found")
    alerts.add_argument("--json", action="store_true", help="print the alerts as JSON")
    alerts.add_argument("--all", action="store_true", help="dismissed alerts too")
    alerts.add_argument("--acknowledge", nargs="+", type=int, metavar="ID",
                        help="mark alerts as seen")
    alerts.add_argument("--dismiss", nargs="+", type=int, metavar="ID",
                        help="hide alerts; they are not raised again")
    _common(alerts)


def cmd_watch(args, store, data_dir: Path) -> int:
    from foresyte_desktop.core.errors import ForesyteError
    from foresyte_desktop.core.watch_folders import add_watch, list_watches, remove_watch
    try:
        if args.watch_command == "run":
            return _watch_run(store, data_dir, args.settle)
        if args.watch_command == "add":
            from foresyte_desktop.core.model import JobSpec
            model = args.model
            if model and Path(model).expanduser().exists():
                model = str(Path(model).expanduser().resolve())
            if args.trust_model and args.pipeline == "yolo_ocr":
                _trust_model(store, model, data_dir)
            watch = add_watch(store, args.folder, JobSpec("", args.pipeline, args.stride,
                                                         args.max_frames, model, args.roi),
                              poll=args.poll)
            print(f"Watching {watch.path} ({_watch_settings(watch)}). "
                  "`foresyte watch run` or the window queues what lands in it.", file=sys.stderr)
        elif args.watch_command == "remove":
            watch = remove_watch(store, args.folder)
            print(f"No longer watching {watch.path}; what it queued stays queued.",
                  file=sys.stderr)
        else:
            watches = list_watches(store)
            if not watches:
                print("No folders are watched; add one with `foresyte watch add DIR`.")
            for w in watches:
                print(f"{w.watch_id[:8]}  {w.path}  ({_watch_settings(w)})")
    except ForesyteError as exc:
        print(f"foresyte: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _watch_settings(watch) -> str:
    spec = watch.spec
    every = "every frame" if spec.frame_stride == 1 else f"every {spec.frame_stride} frames"
    parts = [spec.pipeline_id, every]
    if spec.max_frames:
        parts.append(f"at most {spec.max_frames} frames")
    if spec.roi:
        parts.append("region " + ",".join(f"{v:g}" for v in spec.roi))
    if spec.model_path:
        parts.append(f"model {spec.model_path}")
    if watch.poll:
        parts.append("scanned every few seconds")
    return ", ".join(parts)


def _watch_run(store, data_dir: Path, settle: float | None) -> int:
    """Watch the folders, run every pending job whose file is there, print each alert; until
    Ctrl+C or SIGTERM, which leave a running job to resume."""
    import threading

    from foresyte_desktop.core.alerts import list_alerts
    from foresyte_desktop.core.intake import queue_files
    from foresyte_desktop.core.runner import CancelToken, JobRunner
    from foresyte_desktop.core.watch_folders import (
        SETTLE_S, FolderWatcher, list_watches, record,
    )
    watches = list_watches(store)
    if not watches:
        print("foresyte: no folders are watched; add one with `foresyte watch add DIR`.",
              file=sys.stderr)
        return EXIT_USAGE
    wake = threading.Event()
    token = CancelToken()
    stopped_by: list[int] = []

    def ready(watch, paths) -> None:
        intake = queue_files(store, paths, watch.spec, record_refused=True)
        for refusal in intake.refused:
            print(f"✗ {refusal.message}", file=sys.stderr)
            record(store, refusal.path, watch.spec, refused=refusal.reason)
        for job in intake.queued:
            print(f"+ {Path(job.input_path).name}: queued", file=sys.stderr)
            record(store, job.input_path, watch.spec, job=job)
        wake.set()

    def stop(signum, _frame) -> None:
        stopped_by.append(signum)
        token.interrupt()
        wake.set()
    watcher = FolderWatcher(store, ready, lambda text: print(f"! {text}", file=sys.stderr),
                            settle_s=SETTLE_S if settle is None else max(0.0, settle))
    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    runner = JobRunner(store, data_dir)
    bar = ProgressPrinter(sys.stderr)
    watcher.start()
    print(f"Watching {len(watches)} folder{'s' if len(watches) != 1 else ''}; Ctrl+C stops.",
          file=sys.stderr, flush=True)
    try:
        while not token.is_set:
            # A job whose folder is away (an unmounted share) waits for it to come back.
            ids = [j.job_id for j in store.list_jobs("pending") if Path(j.input_path).exists()]
            job = runner.run_next(token, bar.update, ids) if ids else None
            if job is None:
                wake.wait(1.0)
                wake.clear()
                continue
            bar.finish()
            _note_weights_licence(data_dir)
            if job.status == "pending":
                print(f"■ {Path(job.input_path).name}: stopped at frame {job.checkpoint_frame}; "
                      "it continues on the next run.", file=sys.stderr)
                continue
            print(_summary(job, runner.last_results, None, False), flush=True)
            for alert in reversed(list_alerts(store, states=("new",), job_ids=[job.job_id])):
                print(f"⚑ alert {alert.alert_id}: {alert.sentence()}", flush=True)
    finally:
        watcher.stop()
        runner.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("Stopped watching.", file=sys.stderr)
    return 128 + stopped_by[0]


def cmd_watchlist(args, store, data_dir: Path) -> int:
    from foresyte_desktop.core import watchlists as wl
    from foresyte_desktop.core.formatting import plural
    try:
        if args.watchlist_command in ("add", "import"):
            if args.watchlist_command == "add":
                terms = [wl.make_term(t, regex=args.regex, plate=args.plate,
                                      tolerance=args.fuzzy) for t in args.terms]
            else:
                terms = wl.read_csv(args.file)
            found, fresh = wl.add_terms(store, args.name, terms)
            print(f"“{found.name}” holds {plural(len(found.terms), 'term')}; checked every "
                  f"stored job: {plural(len(fresh), 'new alert')}.", file=sys.stderr)
            for alert in fresh:
                print(f"⚑ alert {alert.alert_id}: {alert.sentence()}")
        elif args.watchlist_command == "remove":
            gone, _ = wl.remove(store, args.name, args.terms)
            print(f"Removed {plural(gone, 'term')}" + ("." if args.terms else
                                                       f" and the watchlist “{args.name}”."),
                  file=sys.stderr)
        elif args.watchlist_command == "export":
            found = _named_list(wl, store, args.name)
            if found is None:
                return EXIT_FAILED
            return _write_text(wl.write_csv(found), args.output, args.force)
        elif args.name:
            found = _named_list(wl, store, args.name)
            if found is None:
                return EXIT_FAILED
            for term in found.terms:
                print(f"  {term.describe()}")
        else:
            lists = wl.watchlists(store)
            if not lists:
                print("No watchlists; add one with `foresyte watchlist add NAME TERM…`.")
            for found in lists:
                print(f"{found.name}  ({plural(len(found.terms), 'term')})")
    except wl.WatchlistError as exc:
        print(f"foresyte: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _named_list(wl, store, name: str):
    found = wl.find_list(store, name)
    if found is None:
        print(f"foresyte: there is no watchlist called “{name}” (see `foresyte watchlist "
              "list`).", file=sys.stderr)
    return found


def _write_text(text: str, output: str | None, force: bool, tmp_suffix: str = "") -> int:
    """`text` on stdout, or written to `output` through a temporary file beside it."""
    from foresyte_desktop.core.exporters import replaced_atomically
    if not output:
        sys.stdout.write(text)
        return EXIT_OK
    path = Path(output).expanduser()
    if path.exists() and not force:
        print(f"foresyte: {path} already exists; use --force to overwrite it.", file=sys.stderr)
        return EXIT_FAILED
    try:
        with replaced_atomically(path, tmp_suffix) as tmp:
            tmp.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"foresyte: could not write {path}: {exc.strerror or exc}.", file=sys.stderr)
        return EXIT_FAILED
    print(f"Wrote {path}", file=sys.stderr)
    return EXIT_OK
    path = Path(output).expanduser()
    if path.exists() and not force:
        print(f"foresyte: {path} already exists; use --force to overwrite it.", file=sys.stderr)
        return EXIT_FAILED
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"foresyte: could not write {path}: {exc.strerror}.", file=sys.stderr)
        return EXIT_FAILED
    print(f"Wrote {path}", file=sys.stderr)
    return EXIT_OK


def cmd_alerts(args, store, data_dir: Path) -> int:
    import json

    from foresyte_desktop.core.alerts import STATES, SHOWN, list_alerts, set_state
    for state, ids in (("acknowledged", args.acknowledge), ("dismissed", args.dismiss)):
        if ids:
            changed = set_state(store, ids, state)
            print(f"{changed} of {len(ids)} alerts {state}.", file=sys.stderr)
            if changed < len(ids):
                print("foresyte: some of those alert numbers do not exist (see `foresyte "
                      "alerts`).", file=sys.stderr)
                return EXIT_FAILED
    if args.acknowledge or args.dismiss:
        return EXIT_OK
    found = list_alerts(store, states=STATES if args.all else SHOWN)
    if args.json:
        print(json.dumps([a.as_dict() for a in found], ensure_ascii=False, indent=1))
        return EXIT_OK
    if not found:
        print("No alerts.", file=sys.stderr)
    for alert in found:
        print(f"{alert.alert_id:>5}  {alert.state:12}  {alert.sentence()}")
    return EXIT_OK


COMMANDS.update(watch=cmd_watch, watchlist=cmd_watchlist, alerts=cmd_alerts)


# -- notes, cases and reports -----------------------------------------------------------------

def _report_parsers(sub) -> None:
    note = sub.add_parser("note", help="bookmark a frame of a completed job, or note something "
                          "on a text segment or a track; logged like a review edit (`foresyte "
                          "review JOB --undo` takes one back)")
    note.add_argument("job_id", metavar="JOB_ID", help="a job id (or its first characters)")
    on = note.add_mutually_exclusive_group(required=True)
    on.add_argument("--list", action="store_true", help="the job's bookmarks and notes")
    on.add_argument("--frame", type=int, metavar="N", help="bookmark frame N (counted from 0)")
    on.add_argument("--segment", type=int, metavar="ID", help="a note on this text segment")
    on.add_argument("--track", type=int, metavar="ID", help="a note on this track")
    on.add_argument("--edit", type=int, metavar="NOTE", help="change a note's text")
    on.add_argument("--remove", type=int, metavar="NOTE", help="remove a bookmark or a note")
    note.add_argument("--text", default="", metavar="TEXT", help="the note")
    _common(note)

    case = sub.add_parser("case", help="group jobs into named cases; a job is in one at most")
    case_sub = case.add_subparsers(dest="case_command", metavar="ACTION", required=True)
    new = case_sub.add_parser("new", help="make a case")
    new.add_argument("name", metavar="NAME")
    _common(new)
    add = case_sub.add_parser("add", help="put jobs in a case (out of any other)")
    add.add_argument("name", metavar="CASE")
    add.add_argument("job_ids", nargs="+", metavar="JOB_ID")
    _common(add)
    remove = case_sub.add_parser("remove", help="take jobs out of a case")
    remove.add_argument("name", metavar="CASE")
    remove.add_argument("job_ids", nargs="+", metavar="JOB_ID")
    _common(remove)
    show = case_sub.add_parser("list", help="the cases, or the jobs of one")
    show.add_argument("name", nargs="?", metavar="CASE")
    _common(show)
    delete = case_sub.add_parser("delete", help="delete a case; its jobs stay, in no case")
    delete.add_argument("name", metavar="CASE")
    _common(delete)

    report = sub.add_parser("report", help="the report of a case or of jobs: one HTML file with "
                            "the file hashes, the settings, what the analyst verified, the "
                            "bookmarks and the edit log")
    report.add_argument("names", nargs="+", metavar="CASE|JOB_ID")
    report.add_argument("-o", "--output", required=True, metavar="PATH", help="the HTML file")
    report.add_argument("--pdf", action="store_true", help="also write a PDF beside it")
    report.add_argument("--include-unreviewed", action="store_true",
                        help="also the items not verified, and the rejected ones, marked so")
    report.add_argument("--force", action="store_true", help="overwrite existing files")
    _common(report)

    verify = sub.add_parser("verify", help="check a report against the store and the videos")
    verify.add_argument("path", metavar="REPORT", help="an HTML report made by ForeSyte")
    _common(verify)


def _job_or_none(store, prefix: str):
    job = store.find_job(prefix)
    if job is None:
        print(f"foresyte: no job matches “{prefix}” (see `foresyte jobs`).", file=sys.stderr)
    return job


def cmd_note(args, store, data_dir: Path) -> int:
    from foresyte_desktop.core import notes
    from foresyte_desktop.core.errors import ReviewError
    from foresyte_desktop.core.formatting import video_time
    job = _job_or_none(store, args.job_id)
    if job is None:
        return EXIT_FAILED
    try:
        if args.list:
            found = notes.notes(store, job)
            if not found:
                print("No bookmarks or notes.", file=sys.stderr)
            for n in found:
                on = "bookmark" if n["on"] == notes.FRAME else f"{n['on']} {n['target']}"
                print(f"{n['id']:>4}  {video_time(n['time_s']).zfill(7)}  frame {n['frame']:<6}  "
                      f"{on:12}  {n['text']}")
            return EXIT_OK
        if args.frame is not None:
            notes.add_bookmark(store, job, args.frame, args.text)
            what = f"Bookmarked frame {args.frame}"
        elif args.segment is not None or args.track is not None:
            notes.add_note(store, job, args.text, segment=args.segment, track=args.track)
            what = "Noted on " + (f"segment {args.segment}" if args.segment is not None
                                  else f"track {args.track}")
        elif args.edit is not None:
            done = notes.set_note_text(store, job, args.edit, args.text)
            what = f"Note {args.edit} " + ("changed" if done else "unchanged")
        else:
            notes.remove_note(store, job, args.remove)
            what = f"Removed note {args.remove}"
    except ReviewError as exc:
        print(f"foresyte: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"{what}; `foresyte review {job.job_id[:8]} --undo` takes it back.", file=sys.stderr)
    return EXIT_OK


def _search_notes(args, store) -> int:
    import json

    from foresyte_desktop.core.cases import CaseError, case_job_ids
    from foresyte_desktop.core.formatting import video_time
    from foresyte_desktop.core.notes import find_notes
    try:
        ids = case_job_ids(store, args.case) if args.case is not None else None
    except CaseError as exc:
        print(f"foresyte: {exc}", file=sys.stderr)
        return EXIT_FAILED
    hits = find_notes(store, args.text, job_ids=ids)[:args.limit]
    if args.json:
        print(json.dumps([{"job_id": h.job_id, "video_path": h.video_path, "score": h.score,
                           "note": h.note} for h in hits], ensure_ascii=False, indent=1))
        return EXIT_OK
    if not hits:
        print(f"No note matches “{args.text}”.", file=sys.stderr)
    for h in hits:
        print(f"{h.video_path}  (job {h.job_id[:8]})  {video_time(h.note['time_s']).zfill(7)}  "
              f"frame {h.note['frame']:<6}  note {h.note['id']}: {h.note['text']}")
    return EXIT_OK


def cmd_case(args, store, data_dir: Path) -> int:
    from foresyte_desktop.core import cases
    try:
        if args.case_command == "new":
            made = cases.new_case(store, args.name)
            print(f"Made the case “{made.name}”.", file=sys.stderr)
        elif args.case_command in ("add", "remove"):
            case = cases.get_case(store, args.name)
            jobs = []
            for prefix in args.job_ids:
                job = _job_or_none(store, prefix)
                if job is None:
                    return EXIT_FAILED
                jobs.append(job)
            if args.case_command == "add":
                before = cases.set_case(store, jobs, case.name)
                for job_id, old in before.items():
                    if old is not None and old != case.name:
                        print(f"Job {job_id[:8]} moved out of the case “{old}”.", file=sys.stderr)
                print(f"The case “{case.name}” holds {len(cases.case_job_ids(store, case.name))} "
                      "jobs.", file=sys.stderr)
            else:
                outside = [j.job_id for j in jobs if cases.case_of(store, j) != case.name]
                if outside:
                    print(f"foresyte: job {outside[0]} is not in the case “{case.name}”; "
                          "nothing was changed.", file=sys.stderr)
                    return EXIT_FAILED
                cases.set_case(store, jobs, None)
                print(f"Took {len(jobs)} jobs out of the case “{case.name}”.", file=sys.stderr)
        elif args.case_command == "delete":
            held = cases.delete_case(store, args.name)
            print(f"Deleted the case; its {held} jobs are in no case now.", file=sys.stderr)
        elif args.name is None:
            found = cases.list_cases(store)
            if not found:
                print("No cases.", file=sys.stderr)
            for c in found:
                print(f"{c.jobs:>5} jobs  {c.name}")
        else:
            for job in cases.case_jobs(store, args.name):
                print(f"{job.job_id}  {job.status:9}  {job.input_path}")
    except cases.CaseError as exc:
        print(f"foresyte: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def cmd_report(args, store, data_dir: Path) -> int:
    from foresyte_desktop.core.errors import ForesyteError
    from foresyte_desktop.core.report import build_report, resolve
    from foresyte_desktop.core.report_html import write_html
    html = Path(args.output).expanduser()
    if html.suffix.lower() == ".pdf":
        print("foresyte: -o names the HTML file (report.html); --pdf writes the PDF beside it.",
              file=sys.stderr)
        return EXIT_USAGE
    pdf = html.with_suffix(".pdf") if args.pdf else None
    for path in filter(None, (html, pdf)):
        if path.exists() and not args.force:
            print(f"foresyte: {path} already exists; use --force to overwrite it.",
                  file=sys.stderr)
            return EXIT_FAILED
    try:
        case, jobs = resolve(store, args.names)
        report = build_report(store, [] if case else jobs, case=case, data_dir=data_dir,
                              include_unreviewed=args.include_unreviewed)
        write_html(report, html)
        print(f"Wrote {html} ({len(report.videos)} videos)", file=sys.stderr)
        if pdf is not None:
            from foresyte_desktop.report_pdf import write_pdf  # Qt, loaded only for a PDF
            pages = write_pdf(report, pdf)
            print(f"Wrote {pdf} ({pages} pages)", file=sys.stderr)
    except ForesyteError as exc:
        print(f"foresyte: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def cmd_verify(args, store, data_dir: Path) -> int:
    from foresyte_desktop.core.report import ReportError
    from foresyte_desktop.core.report_html import verify_report
    try:
        checks = verify_report(store, Path(args.path).expanduser())
    except ReportError as exc:
        print(f"foresyte: {exc}", file=sys.stderr)
        return EXIT_FAILED
    for check in checks:
        print(f"{'ok    ' if check.ok else 'FAILED'}  {check.sentence}")
    failed = sum(not c.ok for c in checks)
    print("The report holds." if not failed else f"{failed} of {len(checks)} checks failed.",
          file=sys.stderr)
    return EXIT_OK if not failed else EXIT_FAILED


COMMANDS.update(note=cmd_note, case=cmd_case, report=cmd_report, verify=cmd_verify)


class ProgressPrinter:
    """On a terminal, tqdm's bar with the rate and the time left; piped, a line every 10%."""

    def __init__(self, stream):
        self.stream = stream
        self.tty = stream.isatty()
        self.job_id = None
        self.bar = None
        self.last_decile = -1

    def update(self, p) -> None:
        if p.job_id != self.job_id:
            self.finish()
            self.job_id, self.last_decile = p.job_id, -1
        total = max(p.frames_total, 1)
        if self.tty:
            if self.bar is None:  # from the first count seen: a resumed job's rate is its own
                from tqdm import tqdm
                self.bar = tqdm(total=total, initial=p.frames_done, unit=" frames",
                                file=self.stream, leave=False, dynamic_ncols=True)
            self.bar.total = total
            self.bar.update(p.frames_done - self.bar.n)
            return
        pct = min(100, 100 * p.frames_done // total)
        if pct // 10 != self.last_decile:
            self.last_decile = pct // 10
            self.stream.write(f"job {p.job_id[:8]}: {p.frames_done}/{total} frames ({pct}%)\n")
            self.stream.flush()

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.close()  # leave=False: the bar's line is cleared for the summary
            self.bar = None
        self.job_id = None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
