"""`foresyte review` and `foresyte export --machine` in a subprocess, as a user runs them, on a
job in a real store; a store another ForeSyte holds gets a sentence and keeps its state."""
import json
import subprocess
import sys

from foresyte_desktop.core import review
from foresyte_desktop.core.store import JobStore
from tests.stored_jobs import stored_job
from tests.test_cli import foresyte
from tests.test_review_core import gate_frames, video  # noqa: F401 (fixture)


def gate_job(data_dir, video) -> str:  # noqa: F811
    with JobStore.open(data_dir) as store:
        return stored_job(store, video, gate_frames()).job_id


def test_list_correct_reject_verify_undo_redo_and_export(data_dir, video):  # noqa: F811
    job_id = gate_job(data_dir, video)
    listed = foresyte("review", job_id[:8], "--list", "--data-dir", data_dir)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines()[1].split() == ["1", "unreviewed", "0-14", "GATE", "14", "N0W"]
    assert "0 of 3 verified, 0 rejected" in listed.stderr
    r = foresyte("review", job_id, "--set-text", "1", "GATE 14 NOW", "--data-dir", data_dir)
    assert r.returncode == 0 and "Done; 0 of 3 verified, 0 rejected." in r.stderr
    assert foresyte("review", job_id, "--reject", "3", "--data-dir", data_dir).returncode == 0
    r = foresyte("review", job_id, "--verify", "all", "--data-dir", data_dir)
    assert r.returncode == 0 and "2 of 3 verified, 1 rejected" in r.stderr
    listed = foresyte("review", job_id, "--list", "--data-dir", data_dir)
    assert "*GATE 14 NOW" in listed.stdout and "rejected" in listed.stdout
    srt = foresyte("export", job_id, "--format", "srt", "--data-dir", data_dir)
    assert "GATE 14 NOW" in srt.stdout and "EXIT" not in srt.stdout
    machine = foresyte("export", job_id, "--format", "srt", "--machine", "--data-dir", data_dir)
    assert "GATE 14 N0W" in machine.stdout and "EXIT" in machine.stdout
    doc = json.loads(foresyte("export", job_id, "--data-dir", data_dir).stdout)
    assert [e["op"] for e in doc["review"]["log"]] == ["set_text", "reject", "verify", "verify"]

    assert foresyte("review", job_id, "--undo", "--data-dir", data_dir).returncode == 0
    r = foresyte("review", job_id, "--undo", "--data-dir", data_dir)
    assert "0 of 3 verified, 0 rejected" in r.stderr
    assert foresyte("review", job_id, "--redo", "--data-dir", data_dir).returncode == 0
    with JobStore.open(data_dir) as store:
        state = review.open_review(store, job_id)
        assert [s["review_state"] for s in state.live("segment")] == ["unreviewed", "unreviewed",
                                                                      "rejected"]
        assert review.history(state)[1][0].op == "verify"  # still there to redo


def test_bad_input_from_the_command_line(data_dir, video):  # noqa: F811
    job_id = gate_job(data_dir, video)
    for args, sentence in [
            (("--set-text", "1", "  "), "The correction of segment 1 is empty"),
            (("--reject", "42"), "This job has no segment 42."),
            (("--verify", "first"), "“first” is not a segment id"),
    ]:
        r = foresyte("review", job_id, *args, "--data-dir", data_dir)
        assert r.returncode == 1 and sentence in r.stderr and "Traceback" not in r.stderr
    r = foresyte("review", "ffffffff", "--list", "--data-dir", data_dir)
    assert r.returncode == 1 and "no job matches" in r.stderr
    with JobStore.open(data_dir) as store:
        assert review.open_review(store, job_id).log == []


def test_a_store_held_by_another_foresyte_is_not_edited(data_dir, video):  # noqa: F811
    job_id = gate_job(data_dir, video)
    # Another ForeSyte process (a window, say) holds the database while this one edits.
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from foresyte_desktop.core.store import JobStore; "
         f"s = JobStore.open({str(data_dir)!r}); print('open', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        r = foresyte("review", job_id, "--set-text", "1", "GATE 14 NOW", "--data-dir", data_dir)
        assert r.returncode == 3 and "is in use by another ForeSyte window or command" in r.stderr
        assert "Traceback" not in r.stderr
    finally:
        holder.communicate("", timeout=60)
    with JobStore.open(data_dir) as store:
        assert review.open_review(store, job_id).log == []
