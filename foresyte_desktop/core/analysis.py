"""One job's analysis: open the video, build the pipeline, stream FrameResults.

This is the part that runs native code on untrusted input (FFmpeg decoding, onnxruntime and
torch inference). The runner runs it inside a supervised child process
(`analysis_process.py`), so that a crash there fails one job instead of the app; it can also
run in-process, which the child itself does.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from foresyte_desktop.core.model import FrameResult, VideoInfo
from foresyte_desktop.core.model_trust import verify_unchanged
from foresyte_desktop.core.pipelines import create_pipeline
from foresyte_desktop.core.video import ANALYSIS_DECODER_THREADS, VideoReader

# A child process sends results in batches: one message per frame costs a pickle and a pipe
# write each (measured with `python -m foresyte_desktop.bench.pipe`). A batch goes as soon as
# it is full or PIPE_BATCH_S after the last one went, so the live view never waits longer.
PIPE_BATCH_FRAMES = 16
PIPE_BATCH_S = 0.05


@dataclass
class AnalysisRequest:
    """Everything the analysis needs; plain data, so it crosses a process boundary."""
    input_path: str
    pipeline_id: str
    model_path: str | None
    data_dir: str
    stride: int
    max_frames: int | None  # frames still to analyse, None for all
    start: int  # first frame index to analyse
    roi: tuple[float, float, float, float] | None = None
    first_track_id: int = 1  # past the ids the job stored before an interruption
    resume_state: bytes | None = None  # the pipeline's state at the checkpoint, if it keeps one
    model_sha256: str | None = None  # a trusted pickle model must still have this content
    pipe_batch: int = PIPE_BATCH_FRAMES  # at most this many results per message from a child
    # A chunk (chunks.py) ends before this frame index, a refresh point: the pipeline runs on
    # past it until every frame before it is out, so those are a one-pass run's results.
    end: int | None = None


@dataclass
class AnalysisEnd:
    frames_decoded: int  # how far the decoder got
    frame_count: int  # what the container promised
    stats: dict = field(default_factory=dict)  # the pipeline's work counters


class Analysis:
    """Opened on construction (raising ForesyteError for a bad file or model); then iterate."""

    def __init__(self, request: AnalysisRequest):
        self.request = request
        verify_unchanged(request.model_path, request.model_sha256)
        self._reader = VideoReader(request.input_path, ANALYSIS_DECODER_THREADS)
        try:
            self._pipeline = create_pipeline(request.pipeline_id, model_path=request.model_path,
                                             data_dir=Path(request.data_dir), roi=request.roi,
                                             first_track_id=request.first_track_id)
            self._pipeline.resume_state = request.resume_state
            self._pipeline.prepare()
        except BaseException:
            self._reader.close()
            raise
        self.info: VideoInfo = self._reader.info
        self.planned = self._reader.planned_frames(request.stride, None)
        if request.max_frames is not None:
            done_before = len(range(0, request.start, request.stride))
            self.planned = min(self.planned, done_before + request.max_frames)
        if request.end is not None:
            self.planned = min(self.planned, len(range(0, request.end, request.stride)))

    def results(self) -> Iterator[FrameResult]:
        r = self.request
        if r.max_frames is not None and r.max_frames <= 0:
            return
        results = self._pipeline.run(self._reader, stride=r.stride, max_frames=r.max_frames,
                                     start=r.start)
        try:
            for result in results:
                if r.end is not None and result.frame_index >= r.end:
                    return
                yield result
        finally:
            results.close()  # stops the pipeline's decoding thread now, not at collection

    def end(self) -> AnalysisEnd:
        return AnalysisEnd(self._reader.frames_decoded, self._reader.frame_count,
                           dict(getattr(self._pipeline, "stats", {}) or {}))

    def close(self) -> None:
        self._reader.close()


def run_in_process(request: AnalysisRequest, should_stop) -> Iterator:
    """The same stream as AnalysisProcess.run, without a child process: ("start", info,
    planned), then FrameResults until `should_stop()` or the end, then an AnalysisEnd."""
    analysis = Analysis(request)
    try:
        yield ("start", analysis.info, analysis.planned)
        for result in analysis.results():
            yield result
            if should_stop():
                break
        yield analysis.end()
    finally:
        analysis.close()
