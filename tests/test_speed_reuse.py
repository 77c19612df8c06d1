"""Reading text once per change (core/pipelines/reuse.py), with the real RapidOCR on real
videos: exact boundaries, reuse that loses no line, moving text read afresh, and a resumed run
that gives what an uninterrupted one gives."""
import pytest

from foresyte_desktop.core.pipelines import create_pipeline, reuse
from foresyte_desktop.core.pipelines.base import Pipeline
from foresyte_desktop.core.segments import merge_segments
from foresyte_desktop.core.video import VideoReader
from tests.videos import make_text_video

# Frame numbers of each line in the subtitle video below (25 fps, moving background).
SUBS = [("", 7), ("FIRST LINE", 23), ("SECOND LINE 42", 17), ("", 9), ("THIRD ONE", 24)]
TRUTH = {"FIRSTLINE": (7, 29), "SECONDLINE42": (30, 46), "THIRDONE": (56, 79)}


def squeeze(text: str) -> str:
    return "".join(text.split()).upper()


def run(video, *, stride=1, start=0, max_frames=None, reuse_frames=True):
    pipeline = create_pipeline("ocr_only")
    with VideoReader(video) as reader:
        if reuse_frames:
            results = list(pipeline.run(reader, stride=stride, max_frames=max_frames,
                                        start=start))
        else:  # the plain loop: every frame detected and recognised on its own
            results = list(Pipeline.run(pipeline, reader, stride=stride,
                                        max_frames=max_frames, start=start))
    return results, pipeline.stats


@pytest.fixture(scope="module")
def subs_video(tmp_path_factory):
    path = tmp_path_factory.mktemp("speed") / "subs.mp4"
    return make_text_video(path, SUBS, fps=25, size=(480, 270), scale=1.0,
                           moving_background=True, top_text="NEWS 24")


@pytest.fixture(scope="module")
def subs_run(subs_video):
    return run(subs_video)


def test_segment_boundaries_are_within_three_frames_of_the_truth(subs_run):
    results, stats = subs_run
    assert [r.frame_index for r in results] == list(range(80))
    segments = {squeeze(s["text"]): (s["first_frame"], s["last_frame"])
                for s in merge_segments(results)}
    assert segments.get("NEWS24") == (0, 79)
    for text, (first, last) in TRUTH.items():
        assert text in segments, segments
        got_first, got_last = segments[text]
        assert abs(got_first - first) <= 3 and abs(got_last - last) <= 3, (text, segments)
    # The savings: far fewer detections and recognitions than frames.
    assert stats["frames_analysed"] == 80
    assert stats["frames_detected"] <= 20 and stats["boxes_recognised"] <= 12, stats


def test_reused_frames_are_marked_and_carry_their_lines(subs_run):
    results, _ = subs_run
    reused = [r for r in results if r.reused_from is not None]
    assert len(reused) >= 60
    by_index = {r.frame_index: r for r in results}
    for r in reused:
        assert r.reused_from < r.frame_index and r.reused_from in by_index
        assert r.ocr, r.frame_index  # the station name is on every frame: never an empty reuse


def test_reuse_loses_no_line_that_reading_every_frame_finds(subs_video, subs_run):
    plain, _ = run(subs_video, stride=4, reuse_frames=False)
    reused = [r for r in subs_run[0] if r.frame_index % 4 == 0]
    assert [r.frame_index for r in reused] == [r.frame_index for r in plain]
    for every, once in zip(plain, reused):
        seen = {squeeze(line.text) for line in once.ocr}
        for line in every.ocr:
            assert squeeze(line.text) in seen, (every.frame_index, line.text, seen)


def test_a_resumed_run_gives_what_an_uninterrupted_run_gives(subs_video, monkeypatch):
    monkeypatch.setattr(reuse, "REFRESH_S", 1.0)  # refresh points at frames 0, 25, 50, 75
    whole, _ = run(subs_video)
    for start in (33, 60):
        resumed, _ = run(subs_video, start=start)
        assert [(r.frame_index, [(o.text, o.box) for o in r.ocr]) for r in resumed] == \
            [(r.frame_index, [(o.text, o.box) for o in r.ocr]) for r in whole[start:]]


def test_moving_text_is_read_afresh_not_reused_as_unchanged(tmp_path):
    ticker = make_text_video(tmp_path / "ticker.mp4", [("BREAKING NEWS TICKER", 90)], fps=25,
                             size=(480, 270), scale=1.0, x_speed=8)
    results, stats = run(ticker)
    assert len(results) == 90
    lefts = []
    for r in results[20:70]:  # the text is on screen: every frame carries a reading of it
        assert r.ocr, r.frame_index
        lefts.append(min(p[0] for p in r.ocr[0].box))
    assert lefts[-1] < lefts[0] - 200  # the box follows the text as it is read again
    # Between its readings, moving text is carried unproven, and the frames say so.
    assert any(r.checked == "moving" for r in results[20:70])
    assert all(r.checked in (None, "moving") for r in results[20:70]), \
        {r.checked for r in results[20:70]}
    assert stats["boxes_recognised"] >= 6
    words = {w for r in results for line in r.ocr for w in line.text.split()}
    assert {"BREAKING", "TICKER"} <= {w.upper() for w in words}, words


def test_a_job_reports_the_work_skipped_and_marks_reuse_in_its_json(store, data_dir,
                                                                     text_video):
    import json

    from foresyte_desktop.core.model import JobSpec
    from foresyte_desktop.core.runner import JobRunner
    store.add_job(JobSpec(str(text_video)))  # stride 1: every frame analysed
    with JobRunner(store, data_dir) as runner:
        job = runner.run_next()
        stats = runner.last_stats
    assert job.status == "completed" and job.frames_done == 40
    assert stats["frames_analysed"] == stats["frames_decoded"] == 40
    assert stats["frames_detected"] <= 10 and stats["boxes_recognised"] <= 4, stats
    doc = json.load(open(job.output_path, encoding="utf-8"))
    reused = [r for r in doc["results"] if "reused_from" in r]
    assert len(reused) >= 35 and all(r["ocr"] for r in reused)


def test_a_box_reaching_into_the_line_beside_it_is_not_a_line_that_grew():
    # Two pieces of one subtitle row; a detection shrunk for speed takes the second piece with
    # the end of the first piece's last glyph (read as an extra character), with no new ink.
    first, second = (232, 628, 708, 671), (744, 628, 1048, 668)
    joined = (691, 628, 1050, 672)
    assert reuse._extends(joined, second)  # alone, it looks like a grown line
    assert not reuse._extends(joined, second, [first])
    # A box that reaches into empty picture has grown, whatever lies elsewhere on the row.
    assert reuse._extends((600, 628, 1050, 672), second, [(100, 628, 300, 671)])
    assert not reuse._extends((735, 627, 1052, 670), second, [first])  # detection jitter
