"""The settings new jobs are queued with: pipeline, frame stride, max frames, YOLO model and the
text region (the whole frame, a band, or the region last drawn on a frame).

They sit in a toolbar, always visible, so queueing stays one drop (each control is a toolbar
item of its own, so a narrow window folds the last ones into the toolbar's overflow menu); the
last choices are kept in the window's settings. With yolo_ocr chosen and no weights to be had
(the file is gone, or the default is not here and ForeSyte is offline), the Model button says
that a file is needed.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtGui import QActionGroup, QIcon
from PySide6.QtWidgets import (
    QComboBox, QFileDialog, QLabel, QMenu, QSpinBox, QStyle, QToolButton, QWidget,
)

from foresyte_desktop.core.model import JobSpec
from foresyte_desktop.core.pipelines import DEFAULT_PIPELINE, PIPELINES
from foresyte_desktop.core.pipelines.yolo import DEFAULT_MODEL, missing_weights
from foresyte_desktop.core.roi import Roi, parse_roi
from foresyte_desktop.ui.resources import default_settings

BANDS: dict[str, Roi] = {"Bottom Fifth": (0.0, 0.8, 1.0, 1.0),  # where subtitles are
                         "Top Fifth": (0.0, 0.0, 1.0, 0.2)}


def roi_text(roi: Roi | None) -> str:
    """How a region reads on the button: "whole frame" or "0–100% across, 80–100% down"."""
    if roi is None:
        return "whole frame"
    x1, y1, x2, y2 = (round(v * 100) for v in roi)
    return f"{x1}–{x2}% across, {y1}–{y2}% down"


def roi_name(roi: Roi | None) -> str:
    """The region's short name for the toolbar: whole frame, a band's name, or drawn."""
    if roi is None:
        return "whole frame"
    return next((name.lower() for name, band in BANDS.items() if band == roi), "drawn")


def _stored_roi(value: str) -> Roi | None:
    try:
        return parse_roi(value) if value else None
    except ValueError:  # an edited or damaged settings file: the whole frame
        return None


class JobOptions(QObject):
    """Pipeline, stride, max frames, model and text region for the next files queued."""

    changed = Signal()

    def __init__(self, settings: QSettings, data_dir: Path, parent: QObject | None = None):
        super().__init__(parent)
        self.settings = settings
        self.data_dir = Path(data_dir)
        self.pipeline = QComboBox()
        for pid, cls in PIPELINES.items():
            self.pipeline.addItem(cls.label, pid)
        self.pipeline.setToolTip("ocr_only reads text; yolo_ocr also finds objects "
                                 "with a YOLO detector")
        self.stride = QSpinBox()
        self.stride.setRange(1, 10_000)
        self.stride.setPrefix("every ")
        self.stride.setSuffix(" frames")
        self.stride.setSpecialValueText("every frame")  # shown for 1
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
        self.region_button = QToolButton()
        self.region_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.region_menu = QMenu(self.region_button)
        self.region_choices = QActionGroup(self)  # the current choice is checked
        self.region_choices.setExclusionPolicy(
            QActionGroup.ExclusionPolicy.ExclusiveOptional)  # an older drawing: none
        self.region_actions = [self.region_menu.addAction("Whole Frame",
                                                          lambda: self.set_roi(None))]
        for name, band in BANDS.items():
            self.region_actions.append(
                self.region_menu.addAction(name, lambda *_, b=band: self.set_roi(b)))
        self.act_last_drawn = self.region_menu.addAction(
            "Last Drawn Region", lambda: self.set_roi(self.last_drawn))
        self.region_actions.append(self.act_last_drawn)
        for act in self.region_actions:
            act.setCheckable(True)
            self.region_choices.addAction(act)
        self.region_button.setMenu(self.region_menu)

        self.model_path: str | None = None
        self.roi: Roi | None = None
        self.last_drawn: Roi | None = None
        self._restore()
        self.model_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for signal in (self.pipeline.currentIndexChanged, self.stride.valueChanged,
                       self.max_frames.valueChanged):
            signal.connect(self._save)
        self._update_model_button()

    def widgets(self) -> list[QWidget]:
        """The controls in the order the toolbar shows them."""
        return [QLabel(" New jobs: "), self.pipeline, self.stride, self.max_frames,
                self.model_button, self.region_button]

    def spec(self) -> JobSpec:
        """A template (no input path yet) for the files about to be queued."""
        pipeline = self.pipeline.currentData()
        return JobSpec(input_path="", pipeline_id=pipeline, frame_stride=self.stride.value(),
                       max_frames=self.max_frames.value() or None,
                       model_path=self.model_path if pipeline == "yolo_ocr" else None,
                       roi=self.roi)

    def missing_weights(self) -> str | None:
        """Why yolo_ocr jobs queued now would fail for want of weights; None if they would
        not (or the pipeline needs none)."""
        if self.pipeline.currentData() != "yolo_ocr":
            return None
        return missing_weights(self.model_path, self.data_dir)

    def set_model(self, path: str | None) -> None:
        self.model_path = path
        self._save()

    def set_roi(self, roi: Roi | None) -> None:
        self.roi = roi
        self._save()

    def offer_region(self, roi: Roi) -> None:
        """A region was just drawn on a frame: new jobs can take it too."""
        self.last_drawn = roi
        self._save()

    def choose_model(self) -> None:
        start = str(Path(self.model_path).parent) if self.model_path else \
            self.settings.value("paths/model_dir", "", str)
        path, _ = QFileDialog.getOpenFileName(self.model_button, "Choose YOLO Weights", start,
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
        self.roi = _stored_roi(s.value("jobs/roi", "", str))
        self.last_drawn = _stored_roi(s.value("jobs/last_drawn_roi", "", str))

    def _save(self) -> None:
        s = self.settings
        s.setValue("jobs/pipeline", self.pipeline.currentData())
        s.setValue("jobs/stride", self.stride.value())
        s.setValue("jobs/max_frames", self.max_frames.value())
        s.setValue("jobs/model", self.model_path or "")
        for key, roi in (("jobs/roi", self.roi), ("jobs/last_drawn_roi", self.last_drawn)):
            s.setValue(key, ",".join(f"{v:.4f}" for v in roi) if roi else "")
        self._update_model_button()
        self.changed.emit()

    def _update_model_button(self) -> None:
        yolo = self.pipeline.currentData() == "yolo_ocr"
        name = Path(self.model_path).name if self.model_path else f"default ({DEFAULT_MODEL})"
        missing = self.missing_weights()
        self.model_button.setText(f"Model: {name}" + (" — choose a file" if missing else ""))
        self.model_button.setIcon(self.model_button.style().standardIcon(
            QStyle.StandardPixmap.SP_MessageBoxWarning) if missing else QIcon())
        self.model_button.setToolTip(missing or self.model_path or
                                     "ultralytics' default detector; choose a local .pt or "
                                     ".onnx file to work offline")
        self.model_button.setEnabled(yolo)
        self.region_button.setText(f"Region: {roi_name(self.roi)}")
        self.region_button.setToolTip(f"New jobs read text on the {roi_text(self.roi)}"
                                      if self.roi is None else
                                      f"New jobs read text only at {roi_text(self.roi)}; draw a "
                                      "region on a frame with Jobs ▸ Draw Text Region to "
                                      "offer it here")
        self.act_last_drawn.setEnabled(self.last_drawn is not None)
        choices = [None, *BANDS.values(), self.last_drawn]
        chosen = choices.index(self.roi) if self.roi in choices else -1  # -1: an older drawing
        for n, act in enumerate(self.region_actions):
            act.setChecked(n == chosen)
        self.act_last_drawn.setText("Last Drawn Region" + (
            f" ({roi_text(self.last_drawn)})" if self.last_drawn else ""))
