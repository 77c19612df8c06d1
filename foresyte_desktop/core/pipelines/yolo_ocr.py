"""`yolo_ocr`: an ultralytics YOLO detector and ByteTrack tracker, plus the text.

The text is read once per change as in `ocr_only` (reuse.py). Objects are detected at a stride
of their own, every `OBJECTS_S` of video (counted from each refresh point, so that a resumed
job detects on the same frames); the frames in between carry the last detections, marked with
`objects_from`. Each result holds the tracker's state after it (`resume_state`), which the
runner stores with its checkpoint: a resumed job restores it and keeps every object on its
track, with the results of an uninterrupted run. Ultralytics streams its results, so memory
stays flat.
"""
from __future__ import annotations

import pickle
from collections.abc import Iterator

from foresyte_desktop.core.model import Detection, FrameResult
from foresyte_desktop.core.pipelines.base import Pipeline
from foresyte_desktop.core.pipelines.ocr import read_text, text_engine
from foresyte_desktop.core.pipelines.reuse import ChangeDrivenReader
from foresyte_desktop.core.pipelines.yolo import ObjectTracker, detector, track
from foresyte_desktop.core.roi import read_in_roi
from foresyte_desktop.core.video import Frame, VideoReader

OBJECTS_S = 0.2  # objects are detected this often (or on every analysed frame, if rarer)


class YoloOcrPipeline(Pipeline):
    pipeline_id = "yolo_ocr"
    label = "Objects + text (YOLO + OCR)"
    tracker: ObjectTracker | None = None  # made on the first frame of the job
    needs_model = True

    def model(self):
        """The detector: this thread's YOLO model for the job's weights."""
        return detector(self.model_path, self.data_dir)

    def prepare(self) -> None:
        self.model()
        text_engine()

    def analyse(self, frame: Frame) -> FrameResult:
        """One frame read in full, on its own."""
        if self.tracker is None:  # one per job, as a pipeline is made for each job
            self.tracker = ObjectTracker(self.first_track_id)
        return FrameResult(frame.index, frame.time_s,
                           ocr=read_in_roi(read_text, frame.image, self.roi),
                           detections=track(self.model(), self.tracker, frame.image))

    def run(self, reader: VideoReader, *, stride: int, max_frames: int | None,
            start: int = 0) -> Iterator[FrameResult]:
        if type(self).analyse is not YoloOcrPipeline.analyse:
            # A subclass that changes how one frame is analysed gets every frame analysed.
            yield from super().run(reader, stride=stride, max_frames=max_frames, start=start)
            return
        model = self.model()
        self.tracker = ObjectTracker(self.first_track_id)
        seen_at: int | None = None
        objects: list[Detection] = []
        restored = start > 0 and self.resume_state is not None
        if restored:
            tracker_state, seen_at, objects = pickle.loads(self.resume_state)
            self.tracker.restore(tracker_state)
        text = ChangeDrivenReader(text_engine(), reader, stride=stride, roi=self.roi)
        self.stats = text.stats
        self.stats["frames_object_detected"] = 0
        every = max(1, round(OBJECTS_S * reader.fps / max(1, stride)))
        state = None
        for slot, result in text.run(max_frames=max_frames, start=start):
            if slot.index < start and restored:
                continue  # the text reader's lead-in: the restored tracker has seen it
            if seen_at is None or text.since_refresh(slot.index) % every == 0:
                objects, seen_at = track(model, self.tracker, slot.image), slot.index
                self.stats["frames_object_detected"] += 1
                state = None
            if slot.index < start:
                continue
            result.detections = list(objects)
            if seen_at != slot.index:
                result.objects_from = seen_at
            if state is None:  # one pickle per detection, shared by the frames that carry it
                state = pickle.dumps((self.tracker.state(), seen_at, objects),
                                     protocol=pickle.HIGHEST_PROTOCOL)
            result.resume_state = state
            yield result
