"""Workers reuse one runner (and its analysis child process) per job running at once."""
import psutil

from foresyte_desktop.core import decode_process
from foresyte_desktop.core.model import JobSpec
from foresyte_desktop.workers.job_queue import JobQueue
from tests.videos import make_text_video


def test_jobs_back_to_back_share_one_analysis_process(qtbot, store, data_dir, tmp_path):
    clips = [make_text_video(tmp_path / f"c{i}.mp4", [(f"CLIP {i}", 4)], size=(160, 90))
             for i in range(4)]
    before = {p.pid for p in psutil.Process().children(recursive=True)}  # earlier tests'
    queue = JobQueue(store, data_dir)
    ended = []
    queue.job_ended.connect(ended.append)
    with qtbot.waitSignal(queue.drained, timeout=240_000):
        queue.add_paths([str(c) for c in clips], JobSpec("", frame_stride=2))
        queue.start()
    assert [j.status for j in ended] == ["completed"] * 4
    assert len(queue._runners) == 1
    probing = decode_process.shared()._proc  # the decode child that probed the files at intake
    analysis = [p for p in psutil.Process().children(recursive=True)
                if "resource_tracker" not in " ".join(p.cmdline()) and p.pid != probing.pid
                and p.pid not in before]
    assert len(analysis) == 1
    queue.shutdown()
    queue.wait(5000)
