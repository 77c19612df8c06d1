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
