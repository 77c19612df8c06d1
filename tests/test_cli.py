"""The `foresyte` command in a subprocess, as a user runs it."""
import json
import os
import subprocess
import sys

from foresyte_desktop.core.store import JobStore


def foresyte(*args, env_extra=None, cwd=None):
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "foresyte_desktop", *map(str, args)],
                          capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


def test_run_good_and_bad_files_then_list_and_export(tmp_path, text_video):
    data, out, home = tmp_path / "data", tmp_path / "out", tmp_path / "home"
    home.mkdir()
    bad = tmp_path / "notes.mp4"
    bad.write_text("not a video")
    r = foresyte("run", text_video, bad, "--stride", "10", "--out", out, "--data-dir", data,
                 env_extra={"HOME": str(home), "XDG_CONFIG_HOME": "", "XDG_CACHE_HOME": ""},
                 cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    assert "✓ two lines.mp4: 4 frames, 2 text segments" in r.stdout
    assert "“notes.mp4” is not an MP4 file." in r.stderr
    assert "Traceback" not in r.stderr
    doc = json.loads((out / "two lines.json").read_text(encoding="utf-8"))
    assert len(doc["results"]) == 4
    # Nothing written into the home folder or the current folder.
    assert list(home.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "home", "notes.mp4", "out"]

    jobs = foresyte("jobs", "--data-dir", data)
    assert jobs.returncode == 0 and "completed" in jobs.stdout and "failed" in jobs.stdout
    assert "is not an MP4 file" in jobs.stdout
    with JobStore.open(data) as store:
        job_id = store.list_jobs("completed")[0].job_id
    srt = foresyte("export", job_id[:8], "--format", "srt", "--data-dir", data)
    assert srt.returncode == 0 and "HELLO WORLD" in srt.stdout and " --> " in srt.stdout
    target = tmp_path / "x.csv"
    assert foresyte("export", job_id, "--format", "csv", "-o", target,
                    "--data-dir", data).returncode == 0
    assert target.read_text(encoding="utf-8").startswith("frame_index,time_s,text")
    again = foresyte("export", job_id, "--format", "csv", "-o", target, "--data-dir", data)
    assert again.returncode == 1 and "already exists" in again.stderr
    assert foresyte("export", job_id, "--format", "csv", "-o", target, "--force",
                    "--data-dir", data).returncode == 0
    assert foresyte("export", "ffffffff", "--data-dir", data).returncode == 1


def test_all_good_exits_0_and_usage_errors_exit_2(tmp_path, text_video):
    data = tmp_path / "data"
    assert foresyte("run", text_video, "--max-frames", "1", "--data-dir", data).returncode == 0
    assert foresyte("run", text_video, "--stride", "0", "--data-dir", data).returncode == 2
    assert foresyte("run", "--data-dir", data).returncode == 2
    assert foresyte("jobs", "--status", "bogus").returncode == 2


def test_locked_database_exits_3_with_one_sentence(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    with JobStore.open(data):
        r = foresyte("jobs", "--data-dir", data)
    assert r.returncode == 3
    assert "in use by another ForeSyte" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_yolo_without_weights_fails_its_job_with_a_way_out(tmp_path, text_video):
    r = foresyte("run", text_video, "--pipeline", "yolo_ocr", "--data-dir", tmp_path / "d")
    assert r.returncode == 1
    assert "No YOLO weights are available" in r.stdout and "--model" in r.stdout


def test_ultralytics_onnxruntime_and_openvino_leave_the_home_folder_alone(tmp_path, text_video):
    home = tmp_path / "home"
    home.mkdir()
    clean = {"HOME": str(home), "XDG_CONFIG_HOME": "", "XDG_CACHE_HOME": "", "MPLCONFIGDIR": "",
             "YOLO_CONFIG_DIR": "", "TORCH_HOME": ""}
    r = foresyte("run", text_video, "--pipeline", "yolo_ocr", "--model", "yolo11n.yaml",
                 "--max-frames", "1", "--data-dir", tmp_path / "d", env_extra=clean, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert list(home.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d", "home"]
    assert (tmp_path / "d" / "config" / "ultralytics").is_dir()


def test_version():
    r = foresyte("--version")
    assert r.returncode == 0 and r.stdout.startswith("foresyte ")


def test_licenses_prints_the_third_party_notices():
    r = foresyte("--licenses")
    assert r.returncode == 0
    assert r.stdout.startswith("THIRD-PARTY NOTICES FOR FORESYTE DESKTOP")
    assert "AGPL-3.0-or-later" in r.stdout and "pyside6-essentials" in r.stdout
