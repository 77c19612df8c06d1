"""The window's JobQueue on a data folder, with random user actions, for the chaos test.

Usage: python -m tests.chaos_queue DATA JOURNAL SEED|calm FILE...
Queues the files that have no job yet (and were not removed), starts the queue and, with a
SEED, cancels, retries, removes, pauses and resumes at random moments, for at most 20 s or
until the queue runs dry. Each action, each confirmed removal, each error the queue reports and
running dry are appended to JOURNAL (one JSON object a line, synced), which outlives a SIGKILL.
`calm` first retries the jobs that were cancelled or that a crash failed, takes no action
and runs until nothing is left.
"""
import json
import os
import random
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTimer

from foresyte_desktop.core.model import JobSpec
from foresyte_desktop.core.paths import confine_third_party_files
from foresyte_desktop.core.store import JobStore
from foresyte_desktop.workers.job_queue import JobQueue
from tests.chaos import STRIDE, crashed

RUN_S = 20


class Journal:
    def __init__(self, path: Path):
        self.path = path
        self.entries = [json.loads(line) for line in path.read_text().splitlines()
                        if line.strip()] if path.exists() else []

    def write(self, **entry) -> None:
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry) + "\n")
            fh.flush()
            os.fsync(fh.fileno())


def main(data: str, journal_path: str, seed: str, files: list[str]) -> int:
    app = QCoreApplication([])
    data_dir = Path(data)
    data_dir.mkdir(parents=True, exist_ok=True)
    confine_third_party_files(data_dir)
    journal = Journal(Path(journal_path))
    store = JobStore.open(data_dir)
    calm = seed == "calm"
    if calm:
        for job in store.list_jobs():
            if job.status == "cancelled" or crashed(job):
                store.retry(job.job_id)
    queue = JobQueue(store, data_dir)
    names: dict[str, str] = {j.job_id: Path(j.input_path).name for j in store.list_jobs()}
    removed = {n for e in journal.entries if "removed" in e for n in e["removed"]}
    missing = [f for f in files if Path(f).name not in set(names.values()) | removed]
    intake = {"done": not missing}

    def on_intake(result):
        intake["done"] = True
    queue.intake_done.connect(on_intake)
    queue.jobs_changed.connect(lambda jobs: names.update(
        (j.job_id, Path(j.input_path).name) for j in jobs))
    queue.jobs_removed.connect(lambda ids: journal.write(
        removed=[names[i] for i in ids if i in names]))
    queue.error.connect(lambda message: journal.write(error=message))
    stopping = {"now": False}

    def stop():
        if stopping["now"]:
            return
        stopping["now"] = True
        queue.stopped.connect(app.quit)
        queue.shutdown("interrupt")

    def on_drained():
        journal.write(drained=True)
        stop()
    queue.drained.connect(on_drained)
    if missing:
        queue.add_paths(missing, JobSpec(input_path="", frame_stride=STRIDE))
    queue.start()

    def nothing_left():
        if intake["done"] and not queue.running_job_ids() and \
                not store.list_jobs("pending") and not store.list_jobs("running"):
            stop()
    idle = QTimer(interval=500, timeout=nothing_left)
    idle.start()
    if not calm:
        rng = random.Random(int(seed))
        QTimer.singleShot(RUN_S * 1000, stop)

        def act():
            if stopping["now"]:
                return
            jobs = store.list_jobs()
            kind = rng.choices(["cancel", "retry", "remove", "pause", "resume"],
                               [3, 3, 1, 1, 2])[0]
            if kind in ("cancel", "retry", "remove") and jobs:
                job = rng.choice(jobs)
                journal.write(act=kind, job=job.job_id, file=names.get(job.job_id))
                getattr(queue, kind)([job.job_id])
            elif kind == "pause":
                how = rng.choice([None, "interrupt", "cancel"])
                journal.write(act=kind, how=how)
                queue.pause(how)
            elif kind == "resume":
                journal.write(act=kind)
                queue.start()
            QTimer.singleShot(rng.randint(100, 800), act)
        QTimer.singleShot(rng.randint(20, 300), act)  # often while the files are still probed
    app.exec()
    queue.wait(10_000)
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]))
