"""A full disk or a read-only data folder gives a clear error and leaves the database intact."""
import os
import resource
import shutil
import signal
import subprocess
import sys

import pytest

from foresyte_desktop.core.store import JobStore

DROP = "-dac_override,-dac_read_search"


def foresyte(*args, preexec_fn=None, without_root_powers=False):
    command = [sys.executable, "-m", "foresyte_desktop", *map(str, args)]
    if without_root_powers and os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv (util-linux)")
        command = ["setpriv", f"--inh-caps={DROP}", f"--bounding-set={DROP}", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=300,
                          preexec_fn=preexec_fn)


def small_disk():
    """Files may not grow past 3 kB, as on a full disk (EFBIG instead of ENOSPC)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (3000, 3000))


def test_full_disk_fails_the_job_clearly_and_keeps_the_database(tmp_path, text_video):
    data = tmp_path / "data"
    assert foresyte("run", text_video, "--stride", "20", "--data-dir", data).returncode == 0
    r = foresyte("run", text_video, "--stride", "2", "--data-dir", data, preexec_fn=small_disk)
    assert r.returncode == 1
    out = r.stdout + r.stderr
    assert "Could not write to the job database" in out and "free space" in out
    assert "Traceback" not in out
    with JobStore.open(data) as store:  # still opens, and the earlier job is intact
        jobs = store.list_jobs()
        assert jobs[0].status == "completed"
        # The second job failed, or (when even that could not be written) it runs again.
        assert jobs[1].status in ("failed", "pending")
        assert len(list(store.frame_results(jobs[0].job_id))) == 2


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_read_only_data_folder_is_a_clear_error(tmp_path, text_video):
    data = tmp_path / "data"
    assert foresyte("jobs", "--data-dir", data).returncode == 0
    before = (data / "foresyte.duckdb").read_bytes()
    data.chmod(0o500)
    try:
        r = foresyte("run", text_video, "--data-dir", data, without_root_powers=True)
    finally:
        data.chmod(0o700)
    assert r.returncode == 1
    assert "Could not write to the job database" in r.stdout + r.stderr
    assert "Traceback" not in r.stdout + r.stderr
    assert (data / "foresyte.duckdb").read_bytes() == before
    with JobStore.open(data) as store:
        assert store.list_jobs() == []


def test_data_folder_that_cannot_be_created(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    r = foresyte("jobs", "--data-dir", blocker / "data")
    assert r.returncode == 1 and "cannot use the data folder" in r.stderr
    assert "Traceback" not in r.stderr
