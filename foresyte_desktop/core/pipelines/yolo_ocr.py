"""`yolo_ocr`: an ultralytics YOLO detector and ByteTrack tracker plus the OCR, on every
analysed frame."""
from __future__ import annotations

from foresyte_desktop.core.model import FrameResult
from foresyte_desktop.core.pipelines.base import Pipeline
from foresyte_desktop.core.pipelines.ocr import ocr_engine, read_text
from foresyte_desktop.core.pipelines.yolo import ObjectTracker, detector, track
from foresyte_desktop.core.roi import read_in_roi
from foresyte_desktop.core.video import Frame


class YoloOcrPipeline(Pipeline):
    pipeline_id = "yolo_ocr"
    label = "Objects + text (YOLO + OCR)"
    tracker: ObjectTracker | None = None  # made on the first frame of the job

    def prepare(self) -> None:
        detector(self.model_path, self.data_dir)
        ocr_engine()

    def analyse(self, frame: Frame) -> FrameResult:
        model = detector(self.model_path, self.data_dir)
        if self.tracker is None:  # one per job, as a pipeline is made for each job
            self.tracker = ObjectTracker(self.first_track_id)
        return FrameResult(frame.index, frame.time_s,
                           ocr=read_in_roi(read_text, frame.image, self.roi),
                           detections=track(model, self.tracker, frame.image))
