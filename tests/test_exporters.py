"""SRT and CSV exports of a results document, and safe export names."""
import csv
import io

from foresyte_desktop.core.exporters import export_name, render, safe_filename, srt_time

DOC = {
    "job": {"frame_stride": 5},
    "video": {"fps": 10.0},
    "results": [
        {"frame_index": 0, "time_s": 0.0, "detections": [],
         "ocr": [{"text": "Hello, \"world\"", "confidence": 0.9,
                  "box": [[1, 2], [3, 2], [3, 4], [1, 4]]}]},
        {"frame_index": 5, "time_s": 0.5, "detections": [], "ocr": []},
    ],
    "text_segments": [
        {"text": "Later line", "start_s": 62.25, "end_s": 3725.5},
        {"text": "Hello, \"world\"", "start_s": 0.0, "end_s": 0.0},
    ],
}


def test_srt_has_one_cue_per_segment_in_time_order():
    srt = render(DOC, "srt")
    assert srt.split("\n\n")[0] == "1\n00:00:00,000 --> 00:00:00,500\nHello, \"world\""
    assert "2\n00:01:02,250 --> 01:02:05,500\nLater line" in srt
    assert srt_time(3599.9994) == "00:59:59,999"


def test_csv_has_one_row_per_ocr_line_and_survives_quotes():
    rows = list(csv.reader(io.StringIO(render(DOC, "csv"))))
    assert rows[0][:4] == ["frame_index", "time_s", "text", "confidence"]
    assert rows[1][:3] == ["0", "0.0", "Hello, \"world\""] and len(rows) == 2


def test_export_names_are_safe():
    assert export_name("/v/My clip: final?.mp4", "srt") == "My clip_ final_.srt"
    assert "/" not in safe_filename("../../etc/passwd")
    assert not safe_filename("../x").startswith(".")
    assert safe_filename("CON") == "_CON"
    assert safe_filename("...") == "export"
    assert export_name("/v/Überwachung 東京.mp4", "json") == "Überwachung 東京.json"


def _frames(readings):
    from foresyte_desktop.core.model import FrameResult, OcrLine
    box = [[10, 100], [200, 100], [200, 130], [10, 130]]
    return [FrameResult(i, i / 10, [OcrLine(text, conf, box)] if text else [])
            for i, (text, conf) in enumerate(readings)]


def test_a_reading_that_holds_then_gives_way_to_a_like_one_is_another_segment():
    from foresyte_desktop.core.segments import merge_segments
    held = [("Gate 14 closes", 0.95)] * 5 + [("Gate 15 closes", 0.95)] * 5
    assert [(s["text"], s["first_frame"], s["last_frame"]) for s in merge_segments(
        _frames(held))] == [("Gate 14 closes", 0, 4), ("Gate 15 closes", 5, 9)]
    # Readings that waver frame by frame are one line read unevenly: one segment.
    wavering = [("Gate 14 closes", 0.9), ("Gate 14 cl0ses", 0.8)] * 5
    assert [s["text"] for s in merge_segments(_frames(wavering))] == ["Gate 14 closes"]


def test_a_lone_unconfident_reading_is_dropped_and_a_confident_one_kept():
    from foresyte_desktop.core.segments import merge_segments
    readings = [("", 0)] * 3 + [("Xq7 zz", 0.6)] + [("", 0)] * 3 + [("EXIT", 0.97)] + [("", 0)]
    assert [s["text"] for s in merge_segments(_frames(readings))] == ["EXIT"]
