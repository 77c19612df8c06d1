"""What the app reads stays private: no recognised text in logs (unless debug), no shell."""
import ast
import os
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "foresyte_desktop"


def run(video, data, **env):
    return subprocess.run([sys.executable, "-m", "foresyte_desktop", "run", str(video),
                           "--stride", "20", "--data-dir", str(data)],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, **env})


def test_logs_hold_no_recognised_text_unless_debug(tmp_path, text_video):
    quiet, debug = tmp_path / "quiet", tmp_path / "debug"
    assert run(text_video, quiet, FORESYTE_DEBUG="").returncode == 0
    assert run(text_video, debug, FORESYTE_DEBUG="1").returncode == 0
    quiet_log = (quiet / "logs" / "foresyte.log").read_text(encoding="utf-8")
    debug_log = (debug / "logs" / "foresyte.log").read_text(encoding="utf-8")
    assert "completed" in quiet_log and "HELLO" not in quiet_log
    assert "HELLO WORLD" in debug_log


def test_nothing_is_passed_through_a_shell():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func)
                shell = any(k.arg == "shell" and not (isinstance(k.value, ast.Constant)
                                                      and k.value.value is False)
                            for k in node.keywords)
                if shell or name in ("os.system", "os.popen", "subprocess.getoutput",
                                     "subprocess.getstatusoutput"):
                    offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {name}")
    assert offenders == []


BOX = [[0.0, 0.0], [9.0, 0.0], [9.0, 9.0], [0.0, 9.0]]


def store_with_two_jobs(data):
    from foresyte_desktop.core.model import FrameResult, JobSpec, OcrLine
    from foresyte_desktop.core.store import JobStore
    store = JobStore.open(data)
    jobs = []
    for word in ("KEPTWORD", "SECRETPLATE"):
        job = store.add_job(JobSpec(f"/v/{word.lower()}.mp4"))
        store.commit_batch(job.job_id, [FrameResult(i, i / 10, [OcrLine(f"{word} {i}", 1.0, BOX)])
                                        for i in range(300)],
                           frames_done=300, checkpoint_frame=299)
        store.finish(job.job_id, "completed")
        jobs.append(job)
    store._checkpoint()
    return store, jobs


def test_a_removed_jobs_text_is_gone_from_the_database_file_once_it_is_closed(data_dir):
    db = data_dir / "foresyte.duckdb"
    store, (kept, secret) = store_with_two_jobs(data_dir)
    assert b"SECRETPLATE" in db.read_bytes()
    assert store.remove([secret.job_id]) == [secret.job_id]
    store.close()
    data = db.read_bytes()
    assert b"SECRETPLATE" not in data and b"secretplate.mp4" not in data
    assert b"KEPTWORD" in data
    assert db.stat().st_mode & 0o777 == 0o600
    from foresyte_desktop.core.model import JobSpec
    from foresyte_desktop.core.store import JobStore
    with JobStore.open(data_dir) as again:  # the rewritten database is the same database
        assert [j.job_id for j in again.list_jobs()] == [kept.job_id]
        assert len(list(again.frame_results(kept.job_id))) == 300
        later = again.add_job(JobSpec("/v/later.mp4"))
        assert [j.job_id for j in again.list_jobs()] == [kept.job_id, later.job_id]


def test_a_process_killed_after_a_removal_leaves_the_text_to_the_next_open(data_dir):
    db = data_dir / "foresyte.duckdb"
    code = ("import sys, os\n"
            "from tests.test_privacy import store_with_two_jobs\n"
            "from pathlib import Path\n"
            "store, (kept, secret) = store_with_two_jobs(Path(sys.argv[1]))\n"
            "store.remove([secret.job_id])\n"
            "os._exit(9)  # killed: no close\n")
    done = subprocess.run([sys.executable, "-c", code, str(data_dir)], timeout=120,
                          cwd=PACKAGE.parent)
    assert done.returncode == 9
    from foresyte_desktop.core.store import JobStore
    with JobStore.open(data_dir) as store:
        assert len(store.list_jobs()) == 1
        assert b"SECRETPLATE" not in db.read_bytes()
