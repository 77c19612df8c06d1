"""SIGTERM or SIGINT to `foresyte run` mid-job: it stops promptly and the job stays resumable."""
import signal
import subprocess
import sys
import time

import pytest

from foresyte_desktop.core.store import JobStore


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_the_run_and_leaves_the_job_resumable(sig, tmp_path, text_video):
    data = tmp_path / "data"
    proc = subprocess.Popen([sys.executable, "-m", "foresyte_desktop", "run", str(text_video),
                             "--data-dir", str(data)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:  # plain progress lines: one per 10%
        if "frames (10%)" in line:
            break
    sent = time.monotonic()
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=30)
    took = time.monotonic() - sent
    assert took < 2.0, took
    assert proc.returncode == 128 + sig
    assert "run the same command again to continue" in err and "Traceback" not in err
    with JobStore.open(data) as store:
        [job] = store.list_jobs()
        assert job.status == "pending" and job.checkpoint_frame is not None
        assert 4 <= job.frames_done < 40 and job.resume_count == 1
