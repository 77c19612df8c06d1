"""A .pt model (a pickle, which can run code) loads only once the user has trusted it; a process
reads each version of a model file once to hash it."""
import subprocess
import sys

import pytest

from foresyte_desktop.core import model_trust
from foresyte_desktop.core.model import JobSpec
from foresyte_desktop.core.model_trust import (
    UntrustedModel, check_trusted, model_sha256, sha256_file,
)
from foresyte_desktop.core.runner import CancelToken, JobRunner


@pytest.fixture(scope="module")
def pt_model(tmp_path_factory):
    """Real ultralytics weights saved as .pt, from the model built from its yaml."""
    path = tmp_path_factory.mktemp("models") / "tiny detector.pt"
    code = ("from ultralytics import YOLO\nm = YOLO('yolo11n.yaml')\n"
            f"m.save({str(path)!r})\n")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return path


def foresyte(*args):
    return subprocess.run([sys.executable, "-m", "foresyte_desktop", *map(str, args)],
                          capture_output=True, text=True, timeout=300)


def test_untrusted_pt_fails_the_job_and_trust_model_lets_it_run(pt_model, text_video, tmp_path):
    data = tmp_path / "data"
    args = ["run", text_video, "--pipeline", "yolo_ocr", "--model", pt_model,
            "--max-frames", "1", "--data-dir", data]
    first = foresyte(*args)
    assert first.returncode == 1
    assert "“tiny detector.pt” is a PyTorch .pt file" in first.stdout
    assert "--trust-model" in first.stdout
    trusted = foresyte(*args, "--trust-model")
    assert trusted.returncode == 0, trusted.stdout + trusted.stderr
    again = foresyte(*args)  # remembered
    assert again.returncode == 0, again.stdout + again.stderr


def test_trust_is_by_content(store, pt_model, tmp_path):
    store.trust_model(sha256_file(pt_model), str(pt_model))
    assert check_trusted(store, str(pt_model)) == sha256_file(pt_model)
    changed = tmp_path / "changed.pt"
    changed.write_bytes(pt_model.read_bytes() + b"\0")
    with pytest.raises(UntrustedModel):
        check_trusted(store, str(changed))
    assert check_trusted(store, str(tmp_path / "model.onnx")) is None  # no code in ONNX


def test_a_trusted_file_swapped_before_loading_is_refused(store, data_dir, pt_model, tmp_path,
                                                          text_video):
    model = tmp_path / "swap.pt"
    model.write_bytes(pt_model.read_bytes())
    store.trust_model(sha256_file(model), str(model))
    store.add_job(JobSpec(str(text_video), "yolo_ocr", max_frames=1, model_path=str(model)))
    with JobRunner(store, data_dir) as runner:
        job = store.claim_next()
        real = runner._model_for

        def resolve_then_swap(j):  # the file changes between the check and the load
            resolved = real(j)
            model.write_bytes(b"evil")
            return resolved
        runner._model_for = resolve_then_swap
        job = runner.run_job(job, CancelToken())
    assert job.status == "failed" and "changed after it was confirmed" in job.error_message


def test_each_version_of_a_model_file_is_read_once(tmp_path, monkeypatch):
    path = tmp_path / "weights.pt"
    path.write_bytes(b"first version")
    reads = []
    monkeypatch.setattr(model_trust, "sha256_file",
                        lambda p: reads.append(p) or sha256_file(p))
    first = model_sha256(path)
    assert model_sha256(path) == first and len(reads) == 1
    path.write_bytes(b"the second version")
    assert model_sha256(path) == sha256_file(path) != first and len(reads) == 2
