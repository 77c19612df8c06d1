"""Subtitle (SRT, WebVTT, ASS) and CSV exports of a results document, written through a
temporary file, and safe export names."""
import csv
import io
import os

import pysubs2
import pytest

from foresyte_desktop import cli
from foresyte_desktop.core.exporters import (
    export_name, render, safe_filename, write_export,
)
from foresyte_desktop.core.results import build_results
from tests.real_jobs import BOTTOM, TOP, run_job, stacked_video

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


def cues(text: str) -> list[tuple[int, int, str]]:
    return [(e.start, e.end, e.plaintext) for e in pysubs2.SSAFile.from_string(text)]


def segment(text, start, end, top):
    return {"text": text, "start_s": start, "end_s": end,
            "box": [[0, top], [9, top], [9, top + 5], [0, top + 5]]}


def test_lines_that_share_a_span_are_one_cue_top_line_first_in_every_format():
    doc = {"job": {"frame_stride": 1}, "video": {"fps": 10.0},
           "text_segments": [segment("lower", 1.0, 4.0, 300), segment("upper", 2.0, 3.0, 250),
                             segment("alone", 5.0, 6.0, 10)]}
    want = [(1000, 2000, "lower"), (2000, 3000, "upper\nlower"), (3000, 4000, "lower"),
            (5000, 6000, "alone")]
    for fmt in ("srt", "vtt", "ass"):
        assert cues(render(doc, fmt)) == want, fmt


def test_text_read_comes_out_as_read_whatever_the_markup_of_the_format():
    doc = {"job": {"frame_stride": 1}, "video": {"fps": 10.0},
           "text_segments": [segment("{x} <b>A & B</b>", 0.0, 1.0, 0)]}
    assert render(doc, "srt").splitlines()[2] == "{x} <b>A & B</b>"
    assert render(doc, "vtt").splitlines()[4] == "{x} &lt;b&gt;A &amp; B&lt;/b&gt;"
    # ASS would hide "{x}" as styling and break the line at "\N": look-alikes show them.
    doc["text_segments"] = [segment("{x} C:\\New", 0.0, 1.0, 0)]
    dialogue = render(doc, "ass").splitlines()[-1]
    assert dialogue.endswith(",\uff5bx\uff5d C:\u29f5New")
    events = pysubs2.SSAFile.from_string(render(doc, "ass")).events
    assert events[0].plaintext == "\uff5bx\uff5d C:\u29f5New"


@pytest.fixture(scope="module")
def stacked(tmp_path_factory):
    return stacked_video(tmp_path_factory.mktemp("stacked") / "stacked.mp4")


def test_a_real_job_with_two_stacked_lines_exports_cues_that_never_overlap(
        store, data_dir, stacked, tmp_path):
    job = run_job(store, data_dir, stacked, stride=5)
    doc = build_results(store, job)
    assert {s["text"] for s in doc["text_segments"]} == {TOP, BOTTOM}
    for fmt in ("srt", "vtt", "ass"):
        got = cues(render(doc, fmt))
        assert all(a[1] <= b[0] for a, b in zip(got, got[1:])), f"{fmt} cues overlap: {got}"
        assert [text for _, _, text in got] == [f"{TOP}\n{BOTTOM}", BOTTOM], fmt
    # The command line offers the same formats.
    for fmt in ("vtt", "ass"):
        target = tmp_path / f"out.{fmt}"
        assert cli.main(["export", job.job_id[:8], "--format", fmt, "-o", str(target),
                         "--data-dir", str(data_dir)]) == 0
        assert cues(target.read_text(encoding="utf-8"))[0][2] == f"{TOP}\n{BOTTOM}"


def test_an_export_is_written_through_a_temporary_file_under_the_umask(tmp_path):
    target = tmp_path / "out" / "x.srt"
    old = os.umask(0o027)
    try:
        assert write_export(DOC, "srt", target) == target
    finally:
        os.umask(old)
    assert target.read_text(encoding="utf-8") == render(DOC, "srt")
    assert oct(target.stat().st_mode & 0o777) == oct(0o640)
    assert [p.name for p in target.parent.iterdir()] == ["x.srt"]  # no .tmp- left
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file")
    with pytest.raises(Exception, match="is a file, not a folder"):
        write_export(DOC, "srt", blocker / "x.srt")


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
