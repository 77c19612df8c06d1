"""The naive loop the benchmark compares against: OpenCV decodes every frame, RapidOCR with
its default settings reads every `stride`-th one in full.

    python -m foresyte_desktop.bench.naive VIDEO OUT.json [--stride N]

Writes a results JSON (results and text_segments, as the scorer reads them) with the loop's
timings, from which the cost of reading every frame is extrapolated.
"""
from __future__ import annotations

import argparse
import json
import sys
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="naive")
    parser.add_argument("video")
    parser.add_argument("out")
    parser.add_argument("--stride", type=int, default=6)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    import cv2
    from rapidocr_onnxruntime import RapidOCR

    from foresyte_desktop.core.model import FrameResult, OcrLine
    from foresyte_desktop.core.segments import merge_segments
    engine = RapidOCR()
    load_s = time.perf_counter() - started
    cap = cv2.VideoCapture(args.video, cv2.CAP_FFMPEG)
    fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
    frames, decode_s, ocr_s, boxes, index = [], 0.0, 0.0, 0, 0
    while True:
        t = time.perf_counter()
        ok, image = cap.read()
        decode_s += time.perf_counter() - t
        if not ok:
            break
        if index % args.stride == 0:
            t = time.perf_counter()
            found, _ = engine(image)
            ocr_s += time.perf_counter() - t
            boxes += len(found or [])
            msec = cap.get(cv2.CAP_PROP_POS_MSEC)
            time_s = round(msec / 1000, 4) if index and msec > 0 else round(index / fps, 4)
            frames.append(FrameResult(index, time_s, ocr=[
                OcrLine(str(text), round(float(score), 4), [[float(x), float(y)] for x, y in box])
                for box, text, score in (found or []) if str(text).strip()]))
        index += 1
    doc = {
        "results": [{"frame_index": f.frame_index, "time_s": f.time_s,
                     "ocr": [{"text": o.text, "confidence": o.confidence, "box": o.box}
                             for o in f.ocr]} for f in frames],
        "text_segments": merge_segments(frames),
        "timing": {"load_s": load_s, "decode_s": decode_s, "ocr_s": ocr_s,
                   "frames_decoded": index, "frames_read": len(frames),
                   "boxes_recognised": boxes, "stride": args.stride,
                   "wall_s": time.perf_counter() - started},
    }
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(doc, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
