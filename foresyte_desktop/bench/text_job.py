"""One ForeSyte job, the way `foresyte run FILE --out DIR` runs it: intake into a fresh job
store, the job runner with its analysis child process, the results JSON.

    python -m foresyte_desktop.bench.text_job VIDEO OUT.json [--pipeline P] [--stride N]

Prints the pipeline's work counters as one JSON line.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="text_job")
    parser.add_argument("video")
    parser.add_argument("out")
    parser.add_argument("--pipeline", default="ocr_only")
    parser.add_argument("--stride", type=int, default=1)
    args = parser.parse_args(argv)
    from foresyte_desktop.core.intake import queue_files
    from foresyte_desktop.core.model import JobSpec
    from foresyte_desktop.core.paths import confine_third_party_files, resolve_data_dir
    from foresyte_desktop.core.runner import JobRunner
    from foresyte_desktop.core.store import JobStore
    data = resolve_data_dir(tempfile.mkdtemp(prefix="foresyte-bench-"))
    try:
        confine_third_party_files(data)
        with JobStore.open(data) as store, JobRunner(store, data) as runner:
            spec = JobSpec(input_path="", pipeline_id=args.pipeline, frame_stride=args.stride)
            queue_files(store, [args.video], spec, record_refused=True)
            job = runner.run_next()
            if job is None or job.status != "completed":
                print(f"text_job: {args.video}: {job.error_message if job else 'not queued'}",
                      file=sys.stderr)
                return 1
            shutil.copyfile(job.output_path, args.out)
            print(json.dumps({"stats": runner.last_stats}))
    finally:
        shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
