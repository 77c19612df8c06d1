"""Plain data records shared by the store, the pipelines and the exporters."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

STATUSES = ("pending", "running", "completed", "failed", "cancelled")
ENDED = ("completed", "failed", "cancelled")


@dataclass
class OcrLine:
    text: str
    confidence: float
    box: list[list[float]]  # four [x, y] corners, clockwise from top-left
    # Where the analyst corrected the line: what the machine read ("" for a line the analyst
    # added). None: the line is as read.
    machine_text: str | None = None


@dataclass
class Detection:
    label: str
    class_id: int
    confidence: float
    box: list[float]  # x1, y1, x2, y2
    track_id: int | None = None  # the same object across frames (yolo_ocr's tracker)


@dataclass
class FrameResult:
    frame_index: int
    time_s: float
    ocr: list[OcrLine] = field(default_factory=list)
    detections: list[Detection] = field(default_factory=list)
    reused_from: int | None = None  # analysed frame whose recognition this one reuses
    checked: str | None = None  # how a reused reading was proven here: "glyphs" or "read";
    # "moving" where it carries moving text, which is read afresh every 0.5 s and not proven
    objects_from: int | None = None  # analysed frame whose detections this one carries
    # The pipeline's state after this frame, which a job resumed here restores (yolo_ocr: its
    # tracker); stored with the checkpoint, never compared or shown.
    resume_state: bytes | None = field(default=None, repr=False, compare=False)


@dataclass
class VideoInfo:
    path: str
    width: int
    height: int
    fps: float
    frame_count: int
    duration_s: float


@dataclass
class JobSpec:
    """What the user asked for: everything needed to (re)run a job."""
    input_path: str
    pipeline_id: str = "ocr_only"
    frame_stride: int = 1
    max_frames: int | None = None
    model_path: str | None = None
    roi: tuple[float, float, float, float] | None = None  # OCR region, fractions of the frame


@dataclass
class Job:
    job_id: str
    status: str
    pipeline_id: str
    frame_stride: int
    max_frames: int | None
    model_path: str | None
    input_path: str
    input_size: int | None
    input_mtime: float | None
    output_path: str | None
    error_message: str | None
    frames_done: int
    frames_total: int | None
    checkpoint_frame: int | None
    resume_count: int
    unreadable_frames: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    updated_at: datetime
    roi: tuple[float, float, float, float] | None = None  # x1, y1, x2, y2 as fractions

    @property
    def ended(self) -> bool:
        return self.status in ENDED
