"""Finding, loading and running the YOLO detector (ultralytics), one model per thread.

Weights come from a local `.pt` or `.onnx` the user chose (`--model`, or the setting). With
none chosen, the default is the model name ultralytics fetches on first use; it is kept in
the data dir's `models/` folder. Offline, that fails at once with a sentence saying how to give
a model file, instead of hanging on a download.
"""
from __future__ import annotations

import pickle
import re
import socket
from dataclasses import replace
from pathlib import Path

import numpy as np

from foresyte_desktop.core.errors import ModelError
from foresyte_desktop.core.model import Detection
from foresyte_desktop.core.paths import models_dir, offline
from foresyte_desktop.core.pipelines.base import per_thread

DEFAULT_MODEL = "yolo11n.pt"
TRACKER = "bytetrack.yaml"  # ultralytics' ByteTrack settings; lap does its assignment
MODEL_SUFFIXES = (".pt", ".onnx", ".yaml", ".yml")  # .yaml builds an untrained model (tests)
HOW_TO_GIVE = ("Choose a local .pt or .onnx weights file: in the window with Model ▸ Choose Model "
               "File… in the New jobs toolbar, on the command line with --model PATH")


def resolve_model(spec: str | None, data_dir: Path | None) -> str:
    """The local file (or ultralytics yaml name) to load for `spec`; raises ModelError."""
    spec = (spec or DEFAULT_MODEL).strip()
    cached = models_dir(data_dir) / spec if data_dir else None
    return local_model(spec, data_dir) or _download_default(spec, cached)


def local_model(spec: str | None, data_dir: Path | None) -> str | None:
    """What resolve_model gives without a download: None when only ultralytics' download of
    the default name would; raises ModelError for a file that is not there or not a model."""
    spec = (spec or DEFAULT_MODEL).strip()
    path = Path(spec).expanduser()
    if path.suffix.lower() not in MODEL_SUFFIXES:
        raise ModelError(f"“{path.name}” is not a YOLO model file; the detector needs a .pt "
                         f"or .onnx file. {HOW_TO_GIVE}.")
    if path.is_file():
        return str(path.resolve())
    if path.suffix.lower() in (".yaml", ".yml") and path.name == spec:
        return spec  # a model definition shipped inside ultralytics
    if path.name != spec:  # a path was given, and nothing is there
        raise ModelError(f"The YOLO model file {path} was not found. {HOW_TO_GIVE}.")
    cached = models_dir(data_dir) / spec if data_dir else None
    return str(cached) if cached and cached.is_file() else None


def missing_weights(spec: str | None, data_dir: Path | None) -> str | None:
    """Why a job with model `spec` would fail at once for want of weights (a sentence), or
    None: the file is there, or it can still be downloaded. Checks files only: no network."""
    try:
        if local_model(spec, data_dir) is not None or not offline():
            return None
    except ModelError as exc:
        return str(exc)
    return f"{_no_weights((spec or DEFAULT_MODEL).strip())} (offline mode). {HOW_TO_GIVE}."


def _no_weights(name: str) -> str:
    return (f"No YOLO weights are available: “{name}” is not on this computer and it cannot "
            "be downloaded")


def _download_default(name: str, target: Path | None) -> str:
    no_weights = _no_weights(name)
    if offline() or target is None:
        raise ModelError(f"{no_weights} (offline mode). {HOW_TO_GIVE}.")
    try:  # a quick reachability check, so that being offline fails now and never hangs
        socket.create_connection(("github.com", 443), timeout=3).close()
    except OSError:
        raise ModelError(f"{no_weights} (no internet connection). {HOW_TO_GIVE}.") from None
    from ultralytics.utils.downloads import attempt_download_asset
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        got = Path(attempt_download_asset(target))
    except Exception as exc:  # ultralytics raises bare Exceptions on network failure
        raise ModelError(f"{no_weights} ({exc}). {HOW_TO_GIVE}.") from None
    if not got.is_file():
        raise ModelError(f"{no_weights}. {HOW_TO_GIVE}.")
    return str(got)


def _load(source: str):
    from ultralytics import YOLO
    try:
        model = YOLO(source, task="detect")
        # .onnx weights load on the first prediction: do it now, so a bad file fails here.
        model.predict(np.zeros((64, 64, 3), np.uint8), verbose=False)
        return model
    except Exception as exc:  # ultralytics raises many types for a bad file
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        # ultralytics starts its messages with "ERROR ❌ " and ends them with a full stop.
        reason = re.sub(r"^ERROR\s*[^\w\s/\\.~]*\s*", "", reason).rstrip(". ")
        raise ModelError(f"The YOLO model “{Path(source).name}” could not be loaded: {reason}. "
                         f"{HOW_TO_GIVE}.") from None


def detector(spec: str | None, data_dir: Path | None):
    """This thread's YOLO model for `spec`, loaded on first use."""
    source = resolve_model(spec, data_dir)
    return per_thread(("yolo", source), lambda: _load(source))


def _detections(result) -> list[Detection]:
    names, boxes = result.names, result.boxes
    return [Detection(label=str(names.get(int(cls), int(cls))), class_id=int(cls),
                      confidence=round(float(score), 4), box=[round(float(v), 1) for v in xyxy])
            for xyxy, cls, score in zip(boxes.xyxy.tolist(), boxes.cls.tolist(),
                                        boxes.conf.tolist())]


class ObjectTracker:
    """Ultralytics' ByteTrack over one video's analysed frames: one instance per job.

    Ids are numbered in order of first sighting from `first_id`. `state()` is everything the
    tracker knows, and `restore` takes it back, so a job resumed from a checkpoint tracks on
    as if it had never stopped; a job resumed without it (a fresh tracker from the next free
    id) never reuses an id it stored before.
    """

    def __init__(self, first_id: int = 1):
        from ultralytics.trackers.byte_tracker import BYTETracker
        from ultralytics.utils import YAML, IterableSimpleNamespace
        from ultralytics.utils.checks import check_yaml
        self._tracker = BYTETracker(IterableSimpleNamespace(**YAML.load(check_yaml(TRACKER))))
        self._ids: dict[int, int] = {}
        self.first_id = first_id

    def state(self) -> bytes:
        from ultralytics.trackers.basetrack import BaseTrack
        # ByteTrack numbers its raw ids with a class-wide counter: it goes with the state.
        return pickle.dumps((self._tracker, self._ids, self.first_id, BaseTrack._count),
                            protocol=pickle.HIGHEST_PROTOCOL)

    def restore(self, state: bytes) -> None:
        """Take back a `state()` this process or another one saved (never a user's file)."""
        from ultralytics.trackers.basetrack import BaseTrack
        self._tracker, self._ids, self.first_id, BaseTrack._count = pickle.loads(state)

    def update(self, boxes, image: np.ndarray) -> list[int | None]:
        """The track id of each of a frame's ultralytics `Boxes`; None for an object seen for
        the first time, which ByteTrack confirms as a track when it is seen again."""
        found: list[int | None] = [None] * len(boxes)
        for row in self._tracker.update(boxes.cpu().numpy(), image):
            raw, index = int(row[4]), int(row[-1])
            found[index] = self._ids.setdefault(raw, self.first_id + len(self._ids))
        return found


def track(model, tracker: ObjectTracker, image: np.ndarray,
          conf: float = 0.25) -> list[Detection]:
    """Objects in a BGR image as Detection records (label, class id, confidence, xyxy), each
    with its track id from `tracker` (call it every frame)."""
    out = []
    for result in model.predict(image, conf=conf, verbose=False, stream=True):
        if result.boxes is not None:
            ids = tracker.update(result.boxes, image)
            out.extend(replace(d, track_id=t) for d, t in zip(_detections(result), ids))
    return out
