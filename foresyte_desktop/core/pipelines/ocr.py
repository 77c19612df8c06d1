"""RapidOCR's models driven one by one: text detection, cropping and recognition.

Detection is the costly step, so its input is capped (`DET_MAX_SIDE`) and shrunk with area
averaging, which keeps text edges and averages busy backgrounds away instead of aliasing them.
Recognition reads crops of the full-resolution frame in batches, and may be given the mean of
several frames' crops of a line that stands still, which washes a moving background out. Each
`Reading` keeps the recogniser's character probabilities (ctc.py), so a carried reading can be
weighed against a later frame, and look-alike digits and letters are settled by them. The
angle classifier is not used: text burned into video is upright. The models run on OpenVINO's
CPU runtime at full (32-bit float) precision, which gives onnxruntime's probabilities to 1e-4
(the README has its speed); onnxruntime, with threads that sleep between runs, is the fallback
where OpenVINO is missing or cannot compile the models, and when FORESYTE_INFERENCE is
"onnxruntime". OpenVINO is imported without its model converter, which would write into ~.
"""
from __future__ import annotations

import logging
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import cv2
import numpy as np

from foresyte_desktop.core.model import OcrLine
from foresyte_desktop.core.pipelines.base import per_thread
from foresyte_desktop.core.pipelines.ctc import best_path, fix_confusions, log_likelihood

log = logging.getLogger(__name__)

DET_MAX_SIDE = 800  # longest side of the detector's input, in pixels
MIN_SCORE = 0.5  # recognitions below this confidence are dropped (RapidOCR's text_score)
THREADS = 2  # inference threads per model: a laptop's two cores (decoding fills the gaps)
# onnxruntime's threads spin, waiting for work, after each run by default: on two cores that
# took the CPU decoding needs (the reader used 20-30 % more CPU time, and more wall time).
NO_SPINNING = ("session.intra_op.allow_spinning", "0")
# OpenVINO's CPU runtime picks bfloat16 by itself on CPUs that have it, which moves the
# models' probabilities by up to 0.3: f32 keeps every machine's readings the same.
OPENVINO_CPU = {"INFERENCE_PRECISION_HINT": "f32", "PERFORMANCE_HINT": "LATENCY",
                "NUM_STREAMS": 1}


def default_threads() -> int:
    """Inference threads per model: FORESYTE_OCR_THREADS when set (the benchmark's rows,
    taken as given), else THREADS, at most one per CPU."""
    value = os.environ.get("FORESYTE_OCR_THREADS", "")
    if value.isdigit() and int(value) > 0:
        return int(value)
    return max(1, min(THREADS, os.cpu_count() or 1))


REC_BATCH = 6  # crops per recognition run (RapidOCR's own batch size)


@dataclass
class Reading:
    text: str
    score: float  # the mean probability of its characters
    probs: np.ndarray  # the recogniser's [step, character] probabilities over the crop


class TextEngine:
    """One thread's RapidOCR models (detection and recognition; the angle classifier is not
    loaded), with the counters the pipelines report."""

    def __init__(self, det_max_side: int = DET_MAX_SIDE, threads: int | None = None):
        # Imported here: onnxruntime is heavy and only analysis threads need it.
        from rapidocr_onnxruntime import RapidOCR
        from rapidocr_onnxruntime.ch_ppocr_det import TextDetector
        from rapidocr_onnxruntime.ch_ppocr_rec import TextRecognizer
        self.threads = threads = threads or default_threads()
        config = _config(threads)
        self._det = TextDetector(config["Det"])
        self._rec = TextRecognizer(config["Rec"])
        self.inference, self._run_det, self._run_rec = _runners(config, self._det, self._rec,
                                                                threads)
        self._chars = self._rec.postprocess_op.character  # index 0 is CTC's blank
        self._index = {c: i for i, c in enumerate(self._chars) if i}
        self._sort = RapidOCR.sorted_boxes
        self.det_max_side = det_max_side

    def detect(self, image: np.ndarray, max_side: int | None = None) -> list[np.ndarray]:
        """Text line quadrilaterals (4×2 float32, frame pixels), top to bottom, left to right;
        the detector's input is at most `max_side` (default `det_max_side`) on its long side."""
        h, w = image.shape[:2]
        scale = min(1.0, (max_side or self.det_max_side) / max(h, w))
        size = (max(32, round(w * scale / 32) * 32), max(32, round(h * scale / 32) * 32))
        small = cv2.resize(image, size, interpolation=cv2.INTER_AREA if scale < 1
                           else cv2.INTER_LINEAR)
        blob = (small.astype(np.float32) * (2 / 255.0) - 1.0).transpose(2, 0, 1)[None]
        pred = self._run_det(blob)
        boxes, _ = self._det.postprocess_op(pred, (h, w))
        boxes = self._det.filter_tag_det_res(boxes, (h, w))
        return [np.asarray(b, np.float32) for b in self._sort(boxes)] if len(boxes) else []

    def recognise(self, crops: list[np.ndarray]) -> list[Reading]:
        """A Reading of each crop; crops of like shape are batched together."""
        height, width = self._rec.rec_image_shape[1:3]
        ratios = [c.shape[1] / max(1, c.shape[0]) for c in crops]
        order = np.argsort(ratios)
        out: list[Reading | None] = [None] * len(crops)
        for at in range(0, len(crops), REC_BATCH):
            batch = order[at:at + REC_BATCH]
            widest = max([width / height] + [ratios[i] for i in batch])
            blob = np.stack([self._rec.resize_norm_img(crops[i], widest) for i in batch])
            preds = self._run_rec(blob.astype(np.float32))
            for i, probs in zip(batch, preds):
                # Only the steps over the crop itself, not over the padding after it.
                used = min(1.0, ratios[i] / widest)
                out[i] = self._reading(probs[:max(1, int(np.ceil(len(probs) * used)) + 1)])
        return out

    def _reading(self, probs: np.ndarray) -> Reading:
        labels, steps = best_path(probs)
        if not labels:
            return Reading("", 0.0, probs)
        chars = fix_confusions([self._chars[i] for i in labels], steps, probs, self._index)
        score = float(probs[steps, labels].mean())
        return Reading("".join(chars), score, probs)

    def still_reads(self, reading: Reading, text: str) -> float:
        """How much less likely `text` is than `reading`'s own text on the crop `reading`
        came from, in natural log units: near 0 when the crop still shows `text`."""
        labels = [self._index.get(c) for c in text]
        if any(label is None for label in labels):
            return float("inf")
        own = [self._index[c] for c in reading.text if c in self._index]
        return log_likelihood(reading.probs, own) - log_likelihood(reading.probs, labels)

    def read(self, image: np.ndarray) -> list[OcrLine]:
        """Every text line in one image: detection, then recognition of each line."""
        quads = self.detect(image)
        return [line for quad, r in zip(quads, self.recognise([crop(image, q) for q in quads]))
                if (line := ocr_line(r.text, r.score, quad)) is not None]


def _config(threads: int) -> dict:
    """RapidOCR's default configuration, with `threads` onnxruntime threads per model and one
    between operators."""
    from rapidocr_onnxruntime.main import DEFAULT_CFG_PATH
    from rapidocr_onnxruntime.utils import read_yaml, update_model_path
    config = update_model_path(read_yaml(str(DEFAULT_CFG_PATH)))
    for part in ("Det", "Rec"):
        config[part].update(intra_op_num_threads=threads, inter_op_num_threads=1)
    return config


def inference_runtime() -> str:
    """"openvino" where it is installed, unless FORESYTE_INFERENCE is "onnxruntime"."""
    if os.environ.get("FORESYTE_INFERENCE", "").strip().lower() == "onnxruntime":
        return "onnxruntime"
    try:
        _import_openvino()
    except ImportError:
        return "onnxruntime"
    return "openvino"


def _import_openvino():
    """The openvino module, without its model converter: importing openvino imports that too,
    and the converter's usage-statistics client writes a client id into ~/intel when it is
    imported. ForeSyte never converts a model, and keeps the user's home untouched."""
    # A None entry makes `import openvino.tools.ovc` raise ImportError, which openvino's
    # __init__ catches (the converter is optional there).
    sys.modules.setdefault("openvino.tools.ovc", None)
    import openvino
    return openvino


def _runners(config: dict, det, rec, threads: int):
    """The runtime used and, for the detector and the recogniser, a function from an input blob
    to the model's first output; RapidOCR's onnxruntime sessions of them are replaced."""
    paths = (config["Det"]["model_path"], config["Rec"]["model_path"])
    if inference_runtime() == "openvino":
        try:
            # Compiled side by side: 0.87 s for both instead of 1.2 s one after the other.
            with ThreadPoolExecutor(len(paths)) as pool:
                runs = list(pool.map(lambda path: _openvino(path, threads), paths))
        except RuntimeError as exc:  # a CPU or build OpenVINO cannot compile the models for
            log.warning("OpenVINO could not load the text models, so onnxruntime runs them: %s",
                        exc)
        else:
            det.infer.session = rec.session.session = None  # never run: the memory goes back
            return "openvino", *runs
    return "onnxruntime", _onnxruntime(det.infer, paths[0]), _onnxruntime(rec.session, paths[1])


def _openvino(path: str, threads: int):
    compiled = _import_openvino().Core().compile_model(
        path, "CPU", {**OPENVINO_CPU, "INFERENCE_NUM_THREADS": threads})
    request = compiled.create_infer_request()
    return lambda blob: request.infer([blob])[0]


def _onnxruntime(model, path: str):
    """RapidOCR's OrtInferSession `model` loaded again, with its session's options and threads
    that do not spin (NO_SPINNING)."""
    from onnxruntime import InferenceSession
    options = model.session.get_session_options()
    options.add_session_config_entry(*NO_SPINNING)
    model.session = InferenceSession(path, sess_options=options,
                                     providers=model.session.get_providers())
    name = model.session.get_inputs()[0].name
    return lambda blob: model.session.run(None, {name: blob})[0]


def crop(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """The line's quadrilateral warped upright (RapidOCR's crop, with its rotation rule)."""
    width = int(max(np.linalg.norm(quad[0] - quad[1]), np.linalg.norm(quad[2] - quad[3])))
    height = int(max(np.linalg.norm(quad[0] - quad[3]), np.linalg.norm(quad[1] - quad[2])))
    width, height = max(width, 1), max(height, 1)
    target = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    out = cv2.warpPerspective(image, cv2.getPerspectiveTransform(quad, target),
                              (width, height), borderMode=cv2.BORDER_REPLICATE,
                              flags=cv2.INTER_CUBIC)
    return np.rot90(out) if height / width >= 1.5 else out


def ocr_line(text: str, score: float, quad: np.ndarray) -> OcrLine | None:
    """An OcrLine, or None for an empty or unconfident reading."""
    text = text.strip()
    if score < MIN_SCORE or not text:
        return None
    return OcrLine(text=text, confidence=round(score, 4),
                   box=[[round(float(x), 1), round(float(y), 1)] for x, y in quad])


def text_engine() -> TextEngine:
    return per_thread("text-engine", TextEngine)


def read_text(image: np.ndarray) -> list[OcrLine]:
    """Every text line in a BGR image, with its confidence and 4-point box."""
    return text_engine().read(image)
