"""The pipeline registry: a pipeline id names a class that turns frames into FrameResults."""
from __future__ import annotations

import importlib
import os
from pathlib import Path

from foresyte_desktop.core.errors import ForesyteError
from foresyte_desktop.core.pipelines.base import Pipeline
from foresyte_desktop.core.roi import Roi
from foresyte_desktop.core.pipelines.ocr_only import OcrOnlyPipeline
from foresyte_desktop.core.pipelines.yolo_ocr import YoloOcrPipeline

DEFAULT_PIPELINE = "ocr_only"
PIPELINES: dict[str, type[Pipeline]] = {
    OcrOnlyPipeline.pipeline_id: OcrOnlyPipeline,
    YoloOcrPipeline.pipeline_id: YoloOcrPipeline,
}


def _register_extra_pipelines() -> None:
    """FORESYTE_PIPELINES="package.module:Class,..." adds pipelines (development and tests).

    Read from the environment, so that analysis child processes see the same registry.
    """
    for spec in filter(None, os.environ.get("FORESYTE_PIPELINES", "").split(",")):
        module, _, name = spec.strip().partition(":")
        cls = getattr(importlib.import_module(module), name)
        PIPELINES[cls.pipeline_id] = cls


_register_extra_pipelines()


def create_pipeline(pipeline_id: str, *, model_path: str | None = None,
                    data_dir: Path | None = None, roi: Roi | None = None,
                    first_track_id: int = 1) -> Pipeline:
    """A ready pipeline; its models load lazily, once per worker thread."""
    try:
        cls = PIPELINES[pipeline_id]
    except KeyError:
        known = ", ".join(sorted(PIPELINES))
        raise ForesyteError(f"Unknown pipeline “{pipeline_id}”; choose one of: {known}.") from None
    return cls(model_path=model_path, data_dir=data_dir, roi=roi, first_track_id=first_track_id)
