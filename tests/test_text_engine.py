"""The text engine's models: RapidOCR's own, run by OpenVINO at full precision where it is
installed, which gives onnxruntime's probabilities; onnxruntime, with threads that sleep between
runs (so that decoding gets the CPU), where it is asked for or OpenVINO cannot compile them."""
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from foresyte_desktop.core.pipelines import ocr
from foresyte_desktop.core.pipelines.ocr import TextEngine, crop
from tests.videos import LATIN_FONT


def _gate_14() -> np.ndarray:
    image = Image.new("RGB", (480, 128), "white")
    ImageDraw.Draw(image).text((20, 30), "GATE 14", font=ImageFont.truetype(LATIN_FONT, 48),
                               fill="black")
    return np.asarray(image)[:, :, ::-1].copy()


def _reads_gate_14(engine: TextEngine) -> bool:
    return ["".join(line.text.split()) for line in engine.read(_gate_14())] == ["GATE14"]


def test_openvino_runs_both_models_where_it_is_installed(monkeypatch):
    monkeypatch.delenv("FORESYTE_INFERENCE", raising=False)
    engine = TextEngine(threads=2)
    assert engine.inference == "openvino"
    assert _reads_gate_14(engine)


def test_onnxruntime_when_asked_for_with_threads_that_do_not_spin(monkeypatch):
    monkeypatch.setenv("FORESYTE_INFERENCE", "onnxruntime")
    engine = TextEngine(threads=2)
    assert engine.inference == "onnxruntime"
    for session in (engine._det.infer.session, engine._rec.session.session):
        options = session.get_session_options()
        assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
        assert options.intra_op_num_threads == 2
    assert _reads_gate_14(engine)


def test_onnxruntime_when_openvino_cannot_compile_the_models(monkeypatch):
    def refuse(path, threads):
        raise RuntimeError("this CPU is not supported")

    monkeypatch.delenv("FORESYTE_INFERENCE", raising=False)
    monkeypatch.setattr(ocr, "_openvino", refuse)
    engine = TextEngine(threads=2)
    assert engine.inference == "onnxruntime"
    assert _reads_gate_14(engine)


@pytest.mark.parametrize("part", ["detector", "recogniser"])
def test_both_runtimes_give_the_same_probabilities(monkeypatch, part):
    """Full precision: OpenVINO picks bfloat16 by itself on CPUs that have it."""
    image = _gate_14()
    engines = {}
    for runtime in ("onnxruntime", "openvino"):
        monkeypatch.setenv("FORESYTE_INFERENCE", runtime)
        engines[runtime] = TextEngine(threads=2)
    quad = engines["onnxruntime"].detect(image)[0]
    if part == "detector":
        blob = (image.astype(np.float32) * (2 / 255.0) - 1.0).transpose(2, 0, 1)[None]
        outputs = [engines[r]._run_det(blob) for r in engines]
    else:
        line = crop(image, quad)
        blob = engines["onnxruntime"]._rec.resize_norm_img(line, line.shape[1] / line.shape[0])
        outputs = [engines[r]._run_rec(blob[None]) for r in engines]
    assert outputs[0].shape == outputs[1].shape
    assert float(np.abs(outputs[0] - outputs[1]).max()) < 1e-4
