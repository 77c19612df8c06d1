"""`foresyte --self-test` from the source tree: what `make bundle-check` runs in the bundle."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile

from foresyte_desktop import selftest

STEPS = [name for name, _ in selftest.SelfTest(None).steps]


def test_self_test_passes_and_cleans_up(tmp_path):
    """Real run: the sample through the worker pool, RapidOCR, the viewer and the exporter."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = dict(os.environ, TMPDIR=str(scratch), QT_QPA_PLATFORM="xcb")  # it must force offscreen
    done = subprocess.run([sys.executable, "-m", "foresyte_desktop", "--self-test"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert [line.split(":")[0] for line in lines if line.startswith("✓ ")] == \
        [f"✓ {name}" for name in STEPS]
    assert "'FORESYTE SAMPLE', 'READ THE VIDEO'" in done.stdout
    assert any(re.fullmatch(r"✓ load the text models: OpenVINO, \d+ threads per model", line)
               for line in lines)
    assert lines[-1] == "Self-test passed."
    assert not list(scratch.glob("foresyte-self-test-*"))  # its temporary data folder is gone


def test_a_failing_step_is_named_with_its_reason(tmp_path, monkeypatch, capsys, qapp):
    """A sample that is no video: the queue step fails with intake's sentence; nothing else runs."""
    bogus = tmp_path / "sample.mp4"
    bogus.write_bytes(b"this is not a video")
    real = __import__("foresyte_desktop.ui.resources", fromlist=["resource_path"]).resource_path
    monkeypatch.setattr("foresyte_desktop.ui.resources.resource_path",
                        lambda name: bogus if name == "sample.mp4" else real(name))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")

    assert selftest.main() == 1
    out = capsys.readouterr().out
    failed = [line for line in out.splitlines() if line.startswith("✗ ")]
    assert len(failed) == 1 and failed[0].startswith("✗ queue the bundled sample video: ")
    assert "sample.mp4" in failed[0] and "Traceback" not in out
    assert "✓ run ocr_only" not in out
    assert "Self-test FAILED. Its data folder was kept for inspection:" in out


def test_text_check_ignores_the_spaces_ocr_drops():
    assert selftest._letters("ForeSyte-sample!") == selftest._letters("FORESYTE SAMPLE")

