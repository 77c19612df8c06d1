"""The settings new jobs are queued with: pipeline, frame stride, max frames and YOLO model.

They sit in a toolbar, always visible, so queueing stays one drop; the last choices are kept
in the window's settings.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (
    QComboBox, QFileDialog, QHBoxLayout, QLabel, QMenu, QSpinBox, QToolButton, QWidget,
)

from foresyte_desktop.core.model import JobSpec
from foresyte_desktop.core.pipelines import DEFAULT_PIPELINE, PIPELINES
from foresyte_desktop.core.pipelines.yolo import DEFAULT_MODEL
from foresyte_desktop.ui.resources import default_settings


class JobOptions(QWidget):
    """Pipeline, stride, max frames and model for the next files queued."""

    changed = Signal()

    def __init__(self, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.setSpacing(6)

        self.pipeline = QComboBox()
        for pid, cls in PIPELINES.items():
            self.pipeline.addItem(cls.label, pid)
        self.pipeline.setToolTip("ocr_only reads text; yolo_ocr also finds objects "
                                 "with a YOLO detector")
        self.stride = QSpinBox()
        self.stride.setRange(1, 10_000)
        self.stride.setPrefix("every ")
        self.stride.setSuffix(" frame(s)")
        self.stride.setToolTip("Analyse every N-th frame: larger is faster, 1 misses nothing")
        self.max_frames = QSpinBox()
        self.max_frames.setRange(0, 10_000_000)
        self.max_frames.setSpecialValueText("all frames")
        self.max_frames.setPrefix("at most ")
        self.max_frames.setToolTip("Stop after this many analysed frames (0: the whole video)")
        self.model_button = QToolButton()
        self.model_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.model_button)
        menu.addAction("Choose Model File…", self.choose_model)
        menu.addAction(f"Use the Default Model ({DEFAULT_MODEL})", lambda: self.set_model(None))
        self.model_button.setMenu(menu)

        for label, widget in (("New jobs:", self.pipeline), (None, self.stride),
                              (None, self.max_frames), (None, self.model_button)):
            if label:
                layout.addWidget(QLabel(label))
            layout.addWidget(widget)

        self.model_path: str | None = None
        self._restore()
        for signal in (self.pipeline.currentIndexChanged, self.stride.valueChanged,
                       self.max_frames.valueChanged):
            signal.connect(self._save)
        self._update_model_button()

    def spec(self) -> JobSpec:
        """A template (no input path yet) for the files about to be queued."""
        pipeline = self.pipeline.currentData()
        return JobSpec(input_path="", pipeline_id=pipeline, frame_stride=self.stride.value(),
                       max_frames=self.max_frames.value() or None,
                       model_path=self.model_path if pipeline == "yolo_ocr" else None)

    def set_model(self, path: str | None) -> None:
        self.model_path = path
        self._save()

    def choose_model(self) -> None:
        start = str(Path(self.model_path).parent) if self.model_path else \
            self.settings.value("paths/model_dir", "", str)
        path, _ = QFileDialog.getOpenFileName(self, "Choose YOLO Weights", start,
                                              "YOLO weights (*.pt *.onnx);;All files (*)")
        if path:
            self.settings.setValue("paths/model_dir", str(Path(path).parent))
            self.set_model(path)

    def _restore(self) -> None:
        s = self.settings
        first = default_settings().get("job") or {}
        index = self.pipeline.findData(s.value("jobs/pipeline",
                                               first.get("pipeline_id") or DEFAULT_PIPELINE, str))
        self.pipeline.setCurrentIndex(max(index, 0))
        self.stride.setValue(int(s.value("jobs/stride", first.get("frame_stride") or 1)))
        self.max_frames.setValue(int(s.value("jobs/max_frames", first.get("max_frames") or 0)))
        self.model_path = s.value("jobs/model", first.get("model_path") or "", str) or None

    def _save(self) -> None:
        s = self.settings
        s.setValue("jobs/pipeline", self.pipeline.currentData())
        s.setValue("jobs/stride", self.stride.value())
        s.setValue("jobs/max_frames", self.max_frames.value())
        s.setValue("jobs/model", self.model_path or "")
        self._update_model_button()
        self.changed.emit()

    def _update_model_button(self) -> None:
        yolo = self.pipeline.currentData() == "yolo_ocr"
        name = Path(self.model_path).name if self.model_path else f"default ({DEFAULT_MODEL})"
        self.model_button.setText(f"Model: {name}")
        self.model_button.setToolTip(self.model_path or
                                     "ultralytics' default detector; choose a local .pt or "
                                     ".onnx file to work offline")
        self.model_button.setEnabled(yolo)
