"""The chaos test: SIGKILL ForeSyte at random moments, restart it, and check what the store holds.

Usage: python -m tests.chaos [--kills 100] [--seed 14] [--work DIR] [--json FILE]

Twenty short videos, three of them bad, go through two kinds of rounds, each on a fresh data
folder, until the kills are spent:

- `foresyte run` (the real CLI in a process of its own), killed with SIGKILL at random moments:
  either the whole process tree, or only its child processes (the analysis child, and the
  decode child that probes files at intake). After each kill it is started again (`run` for
  the files not queued yet, else `resume`) until the queue is done; a job a child's death
  failed is retried, as a user would.
- The window's `JobQueue` (tests/chaos_queue.py), killed the same way, with random cancel,
  retry, remove, pause and resume actions mixed in. It writes each action to a journal.

After each round:
- every job is completed or failed with its sentence, or gone when its removal was confirmed;
  cancelled ones were retried in the calm run that ends the round; no job ran twice over;
- no frame row belongs to a job whose video does not hold that frame index;
- no result row is duplicated, and none is orphaned (its job or its frame is gone);
- every completed job's JSON equals a clean reference run's;
- the queue never reported an unexpected error.

Prints one line per round and a summary; --json writes the summary. Exit code 1 when any
invariant found something.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import psutil

from foresyte_desktop.core.store import JobStore
from tests.videos import make_text_video

ROOT = Path(__file__).resolve().parents[1]
GOOD = 17
STRIDE = 2
CRASHED = ("The decoder crashed on this file", "crashed the video decoder")  # analysis, decode
INVARIANTS = ("ended as decided", "frame of another video", "duplicated rows", "orphaned rows",
              "json differs from reference", "queue error")


def make_videos(folder: Path) -> list[Path]:
    """17 short videos with text that changes, and three bad files."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(GOOD):
        frames = 8 + (n % 4) * 2  # different lengths, so frame indices tell videos apart
        paths.append(make_text_video(folder / f"clip {n:02d}.mp4",
                                     [(f"CLIP {n}", frames // 2), (f"NEXT {n + 1}", frames // 2)],
                                     size=(320, 180), scale=0.9))
    (folder / "not a video.mp4").write_text("these are not the frames you are looking for")
    (folder / "empty.mp4").write_bytes(b"")
    whole = paths[0].read_bytes()
    (folder / "truncated.mp4").write_bytes(whole[:len(whole) // 2])
    return sorted(folder.glob("*.mp4"))


def comparable(doc: dict) -> dict:
    """What two runs of one job must agree on: everything but ids, times and resume counts."""
    job = doc["job"]
    return {"video": doc["video"], "results": doc["results"],
            "text_segments": doc["text_segments"], "tracks": doc["tracks"],
            "frames_done": job["frames_done"], "unreadable_frames": job["unreadable_frames"],
            "error_message": job["error_message"]}


def env() -> dict:
    e = dict(os.environ, FORESYTE_OFFLINE="1", YOLO_OFFLINE="true",
             QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    e.pop("FORESYTE_DATA_DIR", None)
    return e


def cli(data: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "foresyte_desktop", *args, "--stride", str(STRIDE),
            "--data-dir", str(data)] if args[0] == "run" else \
        [sys.executable, "-m", "foresyte_desktop", *args, "--data-dir", str(data)]


def start(cmd: list[str], log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen(cmd, cwd=ROOT, env=env(), stdout=out, stderr=out,
                                stdin=subprocess.DEVNULL, start_new_session=True)


def crashed(job) -> bool:
    """A job failed because a child process was killed under it."""
    return job.status == "failed" and any(c in (job.error_message or "") for c in CRASHED)


def child_processes(proc: subprocess.Popen) -> list[psutil.Process]:
    """The analysis and decode children (multiprocessing's spawned processes)."""
    try:
        kids = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    found = []
    for kid in kids:
        try:
            line = " ".join(kid.cmdline())
        except psutil.Error:
            continue
        if "spawn_main" in line:
            found.append(kid)
    return found


def kill_tree(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


class Chaos:
    def __init__(self, work: Path, seed: int, kills: int, log=print):
        self.work = work
        self.rng = random.Random(seed)
        self.kills_left = kills
        self.kills = Counter()
        self.actions = Counter()
        self.found = {name: [] for name in INVARIANTS}
        self.rounds = Counter()
        self.log = log
        self.videos = make_videos(work / "videos")
        self.reference = self._reference()

    # -- reference --------------------------------------------------------------------------

    def _reference(self) -> dict[str, dict]:
        """Each file's comparable results from a clean, uninterrupted run."""
        data = self.work / "reference"
        subprocess.run(cli(data, "run", *map(str, self.videos)), cwd=ROOT, env=env(),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=900)
        out = {}
        with JobStore.open(data) as store:
            for job in store.list_jobs():
                name = Path(job.input_path).name
                if job.status == "completed":
                    doc = json.loads(Path(job.output_path).read_text(encoding="utf-8"))
                    out[name] = {"status": "completed", "doc": comparable(doc),
                                 "frames": [r["frame_index"] for r in doc["results"]]}
                else:
                    out[name] = {"status": job.status, "error": job.error_message}
        assert sum(r["status"] == "completed" for r in out.values()) == GOOD, out
        return out

    # -- killing ----------------------------------------------------------------------------

    def _haunt(self, proc: subprocess.Popen, budget: int, max_delay: float) -> int:
        """Kill at random moments while the process runs and the round's kills last: the whole
        tree, or only its children. Returns the kills made."""
        made = 0
        while made < budget and proc.poll() is None:
            deadline = time.monotonic() + self.rng.uniform(0.05, max_delay)
            while time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.02)
            if proc.poll() is not None:
                break
            children = child_processes(proc)
            if children and self.rng.random() < 0.35:
                for child in children:
                    try:
                        child.send_signal(signal.SIGKILL)
                    except psutil.Error:
                        pass
                self.kills["child processes"] += 1
            else:
                kill_tree(proc)
                self.kills["process tree"] += 1
            made += 1
        return made

    def _finish(self, proc: subprocess.Popen, timeout: float = 600) -> None:
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            kill_tree(proc)
            self.found["ended as decided"].append("a calm run did not end in time")

    # -- rounds -----------------------------------------------------------------------------

    def run(self) -> dict:
        n = 0
        while self.kills_left > 0:
            budget = min(self.kills_left, self.rng.randint(4, 8))
            kind = "queue" if n % 2 else "cli"
            data = self.work / f"round-{n:03d}-{kind}"
            made = (self.cli_round if kind == "cli" else self.queue_round)(data, budget)
            self.kills_left -= made
            self.rounds[kind] += 1
            self.log(f"round {n} ({kind}): {made} kills; totals {dict(self.kills)}; "
                     f"findings {({k: len(v) for k, v in self.found.items() if v})}")
            n += 1
            if made == 0 and budget:
                self.kills_left -= 1  # a round too quick to kill in must not loop for ever
        return self.summary()

    def cli_round(self, data: Path, budget: int) -> int:
        made = 0
        data.mkdir(mode=0o700, parents=True)
        for attempt in range(budget + 30):
            with JobStore.open(data) as store:
                jobs = store.list_jobs()
                for job in jobs:  # what a user does after "the decoder crashed"
                    if crashed(job):
                        store.retry(job.job_id)
                        self.actions["retry after a crash"] += 1
                queued = {Path(j.input_path).name for j in jobs}
                pending = [j for j in store.list_jobs() if j.status == "pending"]
            missing = [str(v) for v in self.videos if v.name not in queued]
            if missing:
                cmd = cli(data, "run", *missing)
            elif pending:
                cmd = cli(data, "resume")
            else:
                break
            proc = start(cmd, self.work / "cli.log")
            if made < budget:
                made += self._haunt(proc, budget - made, 5.0)
            self._finish(proc)
        self.check(data, removed=set(), cancelled_ok=False)
        return made

    def queue_round(self, data: Path, budget: int) -> int:
        journal = data.parent / f"{data.name}.journal"
        made, seed = 0, self.rng.randrange(2**31)
        while made < budget:
            proc = start([sys.executable, "-m", "tests.chaos_queue", str(data), str(journal),
                          str(seed + made), *map(str, self.videos)], self.work / "queue.log")
            made += self._haunt(proc, budget - made, 5.0)
            self._finish(proc)
            if self._drained(data, journal):
                break
        calm = start([sys.executable, "-m", "tests.chaos_queue", str(data), str(journal),
                      "calm", *map(str, self.videos)], self.work / "queue.log")
        self._finish(calm)
        entries = [json.loads(line) for line in journal.read_text().splitlines() if line.strip()]
        for entry in entries:
            if "act" in entry:
                self.actions[entry["act"]] += 1
            if "error" in entry:
                self.found["queue error"].append(f"{data.name}: {entry['error']}")
        removed = {name for e in entries if "removed" in e for name in e["removed"]}
        self.check(data, removed=removed, cancelled_ok=False)
        return made

    def _drained(self, data: Path, journal: Path) -> bool:
        if not journal.exists() or '"drained"' not in journal.read_text():
            return False
        with JobStore.open(data) as store:
            return all(j.status not in ("pending", "running") for j in store.list_jobs())

    # -- invariants -------------------------------------------------------------------------

    def check(self, data: Path, *, removed: set[str], cancelled_ok: bool) -> None:
        tag = data.name
        with JobStore.open(data) as store:
            cur = store._cursor()
            jobs = store.list_jobs()
            by_name: dict[str, list] = {}
            for job in jobs:
                by_name.setdefault(Path(job.input_path).name, []).append(job)
            for video in self.videos:
                name, ref = video.name, self.reference[video.name]
                mine = by_name.get(name, [])
                if name in removed:
                    if mine:
                        self.found["ended as decided"].append(f"{tag}: {name} came back after "
                                                              "its removal")
                    continue
                if len(mine) > 1:
                    self.found["ended as decided"].append(f"{tag}: {name} has {len(mine)} jobs")
                if not mine:
                    if ref["status"] == "completed":
                        self.found["ended as decided"].append(f"{tag}: {name} has no job")
                    continue
                job = mine[0]
                if ref["status"] == "completed":
                    if job.status != "completed":
                        self.found["ended as decided"].append(
                            f"{tag}: {name} ended {job.status}: {job.error_message}")
                        continue
                    doc = json.loads(Path(job.output_path).read_text(encoding="utf-8"))
                    if comparable(doc) != ref["doc"]:
                        self.found["json differs from reference"].append(f"{tag}: {name}")
                elif job.status != "failed" or job.error_message != ref["error"]:
                    self.found["ended as decided"].append(
                        f"{tag}: {name} ended {job.status}: {job.error_message}")
            frames_of = {j.job_id: set(self.reference[Path(j.input_path).name].get("frames", []))
                         for j in jobs}
            for job_id, frame_index in cur.execute(
                    "SELECT CAST(job_id AS VARCHAR), frame_index FROM frames").fetchall():
                if job_id in frames_of and frame_index not in frames_of[job_id]:
                    self.found["frame of another video"].append(f"{tag}: frame {frame_index} "
                                                                f"under job {job_id[:8]}")
            for table, key in (("frames", "job_id, frame_index"),
                               ("ocr_lines", "job_id, frame_index, line_no"),
                               ("detections", "job_id, frame_index, det_no"), ("videos", "job_id")):
                dupes = cur.execute(f"SELECT count(*) - count(DISTINCT ({key})) FROM {table}"
                                    ).fetchone()[0]
                if dupes:
                    self.found["duplicated rows"].append(f"{tag}: {dupes} in {table}")
                orphans = cur.execute(f"SELECT count(*) FROM {table} WHERE job_id NOT IN "
                                      "(SELECT job_id FROM jobs)").fetchone()[0]
                if orphans:
                    self.found["orphaned rows"].append(f"{tag}: {orphans} in {table}")
            for table in ("ocr_lines", "detections"):
                orphans = cur.execute(
                    f"SELECT count(*) FROM {table} t WHERE NOT EXISTS (SELECT 1 FROM frames f "
                    "WHERE f.job_id = t.job_id AND f.frame_index = t.frame_index)").fetchone()[0]
                if orphans:
                    self.found["orphaned rows"].append(f"{tag}: {orphans} {table} without "
                                                       "their frame")

    def summary(self) -> dict:
        return {"kills": dict(self.kills), "kills_total": sum(self.kills.values()),
                "actions": dict(self.actions), "rounds": dict(self.rounds),
                "found": {k: len(v) for k, v in self.found.items()},
                "examples": {k: v[:5] for k, v in self.found.items() if v}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.chaos")
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--work", type=Path, help="a folder to keep (default: a temporary one)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="foresyte-chaos-") as tmp:
        work = args.work or Path(tmp)
        summary = Chaos(work, args.seed, args.kills).run()
    print(json.dumps(summary, indent=1))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1))
    return 1 if any(summary["found"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
