"""The real pipelines: RapidOCR reading known text, and the real ultralytics path."""
import pytest

from foresyte_desktop.core.errors import ForesyteError, ModelError
from foresyte_desktop.core.pipelines import create_pipeline
from foresyte_desktop.core.pipelines.yolo import resolve_model
from foresyte_desktop.core.video import VideoReader


def texts(results):
    return [" ".join(o.text for o in r.ocr) for r in results]


def test_ocr_only_reads_the_known_text(text_video, data_dir):
    pipeline = create_pipeline("ocr_only", data_dir=data_dir)
    pipeline.prepare()
    with VideoReader(text_video) as reader:
        results = list(pipeline.run(reader, stride=10, max_frames=None))
    assert [r.frame_index for r in results] == [0, 10, 20, 30]
    read = texts(results)
    assert "HELLO WORLD" in read[0] and "HELLO WORLD" in read[1]
    assert "42" in read[2] and "SECOND" in read[2]
    line = results[0].ocr[0]
    assert 0.5 < line.confidence <= 1 and len(line.box) == 4
    xs = [p[0] for p in line.box]
    assert min(xs) < 100 < 300 < max(xs)  # the text starts at x=40 and is ~300 px wide


def test_yolo_ocr_runs_the_real_ultralytics_model_built_from_yaml(text_video, data_dir):
    pipeline = create_pipeline("yolo_ocr", model_path="yolo11n.yaml", data_dir=data_dir)
    pipeline.prepare()
    with VideoReader(text_video) as reader:
        results = list(pipeline.run(reader, stride=20, max_frames=2))
    assert len(results) == 2
    assert "HELLO WORLD" in texts(results)[0]
    for r in results:  # untrained weights: any detections are well-formed
        for d in r.detections:
            assert len(d.box) == 4 and isinstance(d.label, str) and 0 <= d.confidence <= 1


def test_missing_weights_fail_at_once_with_a_way_out(data_dir, tmp_path):
    with pytest.raises(ModelError) as err:
        resolve_model(None, data_dir)  # the default name, offline
    assert "--model" in str(err.value) and "offline" in str(err.value)
    with pytest.raises(ModelError) as err:
        resolve_model(str(tmp_path / "nope.pt"), data_dir)
    assert "not found" in str(err.value)
    with pytest.raises(ModelError):
        resolve_model(str(tmp_path / "weights.txt"), data_dir)


def test_a_damaged_weights_file_is_a_clear_error(data_dir, tmp_path):
    bad = tmp_path / "broken.onnx"
    bad.write_bytes(b"not a model")
    pipeline = create_pipeline("yolo_ocr", model_path=str(bad), data_dir=data_dir)
    with pytest.raises(ModelError) as err:
        pipeline.prepare()
    assert "broken.onnx" in str(err.value) and "could not be loaded" in str(err.value)


def test_unknown_pipeline():
    with pytest.raises(ForesyteError, match="Unknown pipeline"):
        create_pipeline("nope")
