"""`yolo_ocr`: an ultralytics YOLO detector plus the OCR, on every analysed frame."""
from __future__ import annotations

from foresyte_desktop.core.model import FrameResult
from foresyte_desktop.core.pipelines.base import Pipeline
from foresyte_desktop.core.pipelines.ocr import ocr_engine, read_text
from foresyte_desktop.core.pipelines.yolo import detect, detector
from foresyte_desktop.core.video import Frame


class YoloOcrPipeline(Pipeline):
    pipeline_id = "yolo_ocr"
    label = "Objects + text (YOLO + OCR)"

    def prepare(self) -> None:
        detector(self.model_path, self.data_dir)
        ocr_engine()

    def analyse(self, frame: Frame) -> FrameResult:
        model = detector(self.model_path, self.data_dir)
        return FrameResult(frame.index, frame.time_s, ocr=read_text(frame.image),
                           detections=detect(model, frame.image))
