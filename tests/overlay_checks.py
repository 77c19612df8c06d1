"""Checks on what the frame view shows, shared by the overlay tests and the child process that
repeats them at a device pixel ratio of 2 (`python -m tests.overlay_checks`, with
QT_SCALE_FACTOR=2: Qt reads it once, at start)."""
import json
import sys

import numpy as np


def array(image) -> np.ndarray:
    """A QImage or QPixmap as an H × W × 3 array."""
    from PySide6.QtGui import QImage, QPixmap
    if isinstance(image, QPixmap):
        image = image.toImage()
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(),
                                                              image.bytesPerLine())
    return rows[:, :image.width() * 3].reshape(image.height(), image.width(), 3).copy()


def label_pixels_in_boxes(labelled: np.ndarray, boxes_only: np.ndarray,
                          boxes: list[tuple[float, float, float, float]]) -> tuple[int, int]:
    """(pixels the labels changed, those of them inside one of `boxes`), in image pixels."""
    changed = np.abs(labelled.astype(int) - boxes_only.astype(int)).max(axis=-1) > 24
    inside = 0
    for x1, y1, x2, y2 in boxes:  # a pixel in from each edge: the box's own outline is drawn
        inside += int(changed[int(y1) + 1:int(np.ceil(y2)) - 1,
                              int(x1) + 1:int(np.ceil(x2)) - 1].sum())
    return int(changed.sum()), inside


def line_boxes(result) -> list[tuple[float, float, float, float]]:
    return [(min(x for x, _ in o.box), min(y for _, y in o.box), max(x for x, _ in o.box),
             max(y for _, y in o.box)) for o in result.ocr]


def on_screen(view, result) -> tuple[int, int]:
    """label_pixels_in_boxes for the view as the screen shows it, in device pixels."""
    from PySide6.QtCore import QRectF
    ratio = view.devicePixelRatioF()
    shots = []
    for labels in (True, False, True):
        view.set_layers(ocr=True, detections=True, labels=labels)
        shots.append(array(view.viewport().grab()))
    shots.pop()  # the labels back on, as they were
    boxes = []
    for x1, y1, x2, y2 in line_boxes(result):
        r = view.mapFromScene(QRectF(x1, y1, x2 - x1, y2 - y1)).boundingRect()
        boxes.append((r.left() * ratio, r.top() * ratio, (r.right() + 1) * ratio,
                      (r.bottom() + 1) * ratio))
    return label_pixels_in_boxes(*shots, boxes)


def main(results_json: str, video: str, index: int, width: int, height: int) -> None:
    from PySide6.QtWidgets import QApplication

    from foresyte_desktop.core.annotate import grab_frame
    from foresyte_desktop.core.model import FrameResult, OcrLine
    from foresyte_desktop.ui.frame_view import FrameView
    app = QApplication([])
    frame = next(f for f in json.loads(open(results_json, encoding="utf-8").read())
                 if f["frame_index"] == index)
    result = FrameResult(index, frame["time_s"], [OcrLine(o["text"], o["confidence"], o["box"])
                                                  for o in frame["ocr"]])
    view = FrameView()
    view.resize(width, height)
    view.show()
    app.processEvents()
    view.set_image(grab_frame(video, index))
    view.set_results(result)
    app.processEvents()
    changed, inside = on_screen(view, result)
    print(json.dumps({"ratio": view.devicePixelRatioF(), "layer_scale": view.layer_scale(),
                      "changed": changed, "inside": inside}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6]))
