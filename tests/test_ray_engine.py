"""The ray engine against a real local Ray started here: chunks stitched exactly, an actor
killed mid-chunk, a worker that cannot see the file, and the sentence when Ray is missing."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import ray

from foresyte_desktop import cli
from foresyte_desktop.core.engines import RAY_MISSING, make_engine
from foresyte_desktop.core.exit_codes import EXIT_USAGE
from foresyte_desktop.core.store import JobStore
from tests.chunk_jobs import CHUNK_S, comparable, make_chunk_video, run_job

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def chunk_video(tmp_path_factory):
    return make_chunk_video(tmp_path_factory.mktemp("chunks") / "long lines.mp4")


@pytest.fixture(scope="module")
def one_pass(chunk_video, tmp_path_factory):
    return comparable(run_job(tmp_path_factory.mktemp("one-pass"), chunk_video))


@pytest.fixture(scope="module")
def token():
    """The environment for a Ray head and a driver started here as processes of their own:
    token authentication, with a token of these tests' own (the default one in ~/.ray is
    shared by every Ray on this computer)."""
    from ray._private.authentication.authentication_token_generator import (
        generate_new_authentication_token,
    )
    return {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": generate_new_authentication_token()}


@pytest.fixture(scope="module")
def local_ray():
    # "local": a Ray of its own, whatever other cluster this computer runs
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def test_a_ray_actor_killed_mid_chunk_leaves_the_job_as_a_clean_run(
        local_ray, chunk_video, one_pass, tmp_path):
    engine = make_engine("ray", workers=2, chunk_s=CHUNK_S)
    killed = []

    def kill_an_actor(progress):
        # Both workers are on one of the first two chunks, 100 frames each, by now.
        if not killed and progress.frames_done >= 30 and 1 in engine.live:
            killed.append(engine.live[1].pid)
            os.kill(killed[0], signal.SIGKILL)
    try:
        job = run_job(tmp_path, chunk_video, engine=engine, progress=kill_an_actor)
        assert killed and engine.live[1].name == "ray-1.2"  # a fresh actor took its place
    finally:
        engine.close()
    assert comparable(job) == one_pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_worker_that_cannot_see_the_file_is_sent_its_bytes(chunk_video, one_pass, tmp_path,
                                                              token):
    """A Ray head started in a mount namespace of its own, where the video's folder is an
    empty tmpfs: its workers cannot see the file the CLI (outside) queued."""
    if shutil.which("unshare") is None or \
            subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode:
        pytest.skip("needs unshare -m (a mount namespace) to hide a folder from the workers")
    hidden = tmp_path / "only here"
    hidden.mkdir()
    video = Path(shutil.copy(chunk_video, hidden / "long lines.mp4"))
    port = _free_port()
    ray_cli = Path(sys.executable).with_name("ray")
    head = subprocess.Popen(
        ["unshare", "-m", "--propagation", "private", "sh", "-c",
         f"mount -t tmpfs tmpfs '{hidden}' && exec '{ray_cli}' start --head --block "
         f"--num-cpus=1 --port={port} --include-dashboard=false --disable-usage-stats"],
        start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, **token})
    try:
        env = {**os.environ, **token, "PYTHONPATH": str(ROOT)}
        run = subprocess.run(
            [sys.executable, "-m", "foresyte_desktop", "run", str(video), "--engine", "ray",
             "--ray-address", f"127.0.0.1:{port}", "--data-dir", str(tmp_path / "data")],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    finally:
        os.killpg(head.pid, signal.SIGTERM)  # the head and every process it started
        try:
            head.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(head.pid, signal.SIGKILL)
            head.wait()
        # What `ray stop` would remove: the note that a cluster runs here, if it is this one.
        note = Path(tempfile.gettempdir()) / "ray" / "ray_current_cluster"
        if note.is_file() and note.read_text().strip().endswith(f":{port}"):
            note.unlink()
    assert run.returncode == 0, run.stderr
    assert "Engine: ray, 1 worker" in run.stderr
    assert "through Ray's object store" in run.stderr and "not found" not in run.stderr
    with JobStore.open(tmp_path / "data") as store:
        [job] = store.list_jobs()
    assert comparable(job) == one_pass


def test_without_ray_the_ray_engine_says_how_to_install_it(monkeypatch, capsys, text_video,
                                                            tmp_path):
    monkeypatch.setitem(sys.modules, "ray", None)  # what `import ray` meets where it is not
    code = cli.main(["run", str(text_video), "--engine", "ray", "--ray-address", "x:1",
                     "--data-dir", str(tmp_path)])
    assert code == EXIT_USAGE
    assert capsys.readouterr().err == f"foresyte: {RAY_MISSING}\n"
    with JobStore.open(tmp_path) as store:
        assert store.list_jobs() == []  # nothing queued


def test_the_results_equal_the_one_pass_run_on_ray(local_ray, chunk_video, one_pass, tmp_path):
    engine = make_engine("ray", workers=2, chunk_s=CHUNK_S, ship="always")
    try:
        job = run_job(tmp_path, chunk_video, engine=engine)
        assert engine.bytes_put == chunk_video.stat().st_size  # once per job
    finally:
        engine.close()
    assert comparable(job) == one_pass
    doc = json.loads(open(job.output_path, encoding="utf-8").read())
    assert doc["job"]["frames_done"] == len(doc["results"])
