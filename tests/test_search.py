"""Search across every job, on a real DuckDB store: fuzzy, blind to case and accents, grouped."""
import json

import numpy as np

from foresyte_desktop import cli
from foresyte_desktop.core.annotate import thumbnail
from foresyte_desktop.core.model import Detection, FrameResult, JobSpec, OcrLine
from foresyte_desktop.core.search import group_by_video, prepare, search
from foresyte_desktop.core.store import JobStore


def box(x=100.0, y=300.0, w=400.0, h=40.0):
    return [[x, y], [x + w, y], [x + w, y + h], [x, y + h]]


def add_job(store, name, script, *, stride=1, fps=10.0, detections=None):
    """A completed job whose frames show `script`: {frame_index: [text, ...]} (stored data)."""
    job = store.add_job(JobSpec(f"/videos/{name}", frame_stride=stride))
    frames = [FrameResult(fi, fi / fps, [OcrLine(t, 0.9, box(y=300.0 + 60 * n))
                                         for n, t in enumerate(texts)],
                          (detections or {}).get(fi, []))
              for fi, texts in sorted(script.items())]
    store.commit_batch(job.job_id, frames, frames_done=len(frames),
                       checkpoint_frame=frames[-1].frame_index)
    store.finish(job.job_id, "completed")
    return job.job_id


def test_small_ocr_errors_case_and_accents_do_not_matter(store):
    add_job(store, "wine.mp4", {0: ["Vins de Burgundv"], 1: ["Château Margaux"],
                                2: ["STRASSE 12"], 3: ["Bordeaux 1982"]})
    found = lambda q: [h.text for h in search(store, q)]  # noqa: E731
    assert found("Burgundy") == ["Vins de Burgundv"]
    assert found("burgundy") == found("BURGUNDY") == ["Vins de Burgundv"]
    assert found("chateau") == found("CHÂTEAU") == found("château margaux") == ["Château Margaux"]
    assert found("straße") == ["STRASSE 12"]
    assert found("bordeaux") == ["Bordeaux 1982"]
    assert found("Champagne") == [] and found("   ") == []
    exact = search(store, "chateau")[0]
    assert exact.score == 100 and search(store, "Burgundy")[0].score < 100


def test_short_queries_match_exactly_and_every_query_word_must_match(store):
    add_job(store, "road.mp4", {0: ["EXIT 42 Lyon"], 1: ["Wines of Burgundy"], 2: ["wine"]})
    assert [h.text for h in search(store, "42")] == ["EXIT 42 Lyon"]
    assert search(store, "43") == []
    assert [h.text for h in search(store, "burgundy wines")] == ["Wines of Burgundy"]
    assert [h.text for h in search(store, "lyon exit")] == ["EXIT 42 Lyon"]  # any order


def test_a_plate_is_found_however_the_ocr_spaced_it(store):
    add_job(store, "plates.mp4", {0: ["ABC 123"], 5: ["abc-123"], 10: ["ABC123"], 15: ["XYZ 999"]})
    assert {h.text for h in search(store, "ABC123")} == {"ABC 123", "abc-123", "ABC123"}
    assert {h.text for h in search(store, "abc 123")} == {"ABC 123", "abc-123", "ABC123"}


def test_hits_are_stretches_of_screen_time_grouped_by_video(store):
    # In a.mp4 the title shows on frames 0-4 (missed once, at 2), then again from 20.
    a = add_job(store, "a.mp4", {0: ["Burgundy"], 1: ["Burgundv"], 3: ["Burgundy"],
                                 4: ["Burgundy"], 20: ["Burgundy"], 21: ["Burgundy"]})
    b = add_job(store, "b.mp4", {0: ["x"], 10: ["BURGUNDY"], 20: ["BURGUNDY"], 40: ["x"]},
                stride=10)
    hits = search(store, "burgundy")
    assert [(h.job_id, h.frame_index, h.last_frame, h.frames) for h in hits] == [
        (a, 0, 4, 4), (a, 20, 21, 2), (b, 10, 20, 2)]
    first = hits[0]
    assert first.video_path == "/videos/a.mp4" and first.time_s == 0.0 and first.end_s == 0.4
    assert first.box == box() and first.text == "Burgundy"
    groups = group_by_video(hits)
    assert [(job_id, path, len(h)) for job_id, path, h in groups] == [
        (a, "/videos/a.mp4", 2), (b, "/videos/b.mp4", 1)]
    assert len(search(store, "burgundy", limit=1)) == 1


def test_two_lines_on_screen_together_are_two_hits_each_opening_where_it_was_read(store):
    # A station name on top all along; under it a ticker read differently on every frame.
    job = add_job(store, "news.mp4", {0: ["NEWS SALE"], 1: ["NEWS SALE", "SAL"],
                                      2: ["NEWS SALE", "SALE TODAY"], 3: ["NEWS SALE", "TODAY"],
                                      4: ["NEWS SALE", "SALE AGAIN"]})
    hits = search(store, "sale")
    assert [(h.text, h.first_frame, h.frame_index, h.last_frame, h.frames) for h in hits] == [
        ("NEWS SALE", 0, 0, 4, 5), ("SALE TODAY", 1, 2, 4, 3)]
    ticker = hits[1]
    assert ticker.job_id == job and ticker.time_s == 0.2 and ticker.start_s == 0.1
    assert ticker.box == box(y=360.0)  # the line's box on frame 2, where it was read


def test_search_sees_new_retried_and_removed_jobs(store):
    prepare(store)  # what the window does when it opens
    assert search(store, "harbour") == []
    a = add_job(store, "a.mp4", {0: ["Harbour Lights"]})
    assert [h.job_id for h in search(store, "harbour")] == [a]
    b = add_job(store, "b.mp4", {0: ["The harbour"]})
    assert {h.job_id for h in search(store, "harbour")} == {a, b}
    store.retry(a)  # its old results are dropped
    assert [h.job_id for h in search(store, "harbour")] == [b]
    store.remove([b])
    assert search(store, "harbour") == []


def test_a_hit_names_the_tracked_object_it_is_written_on(store):
    truck = Detection("truck", 7, 0.9, [50.0, 250.0, 600.0, 400.0], track_id=3)
    add_job(store, "street.mp4", {0: ["ABC123"], 1: ["ABC123"]},
            detections={0: [truck], 1: [truck]})
    [hit] = search(store, "abc123")
    assert (hit.label, hit.track_id) == ("truck", 3)


def test_thumbnail_highlights_the_box(text_video):
    thumb = thumbnail(text_video, 5, box(40, 130, 300, 60), width=320)
    assert thumb.shape == (180, 320, 3)
    red = (thumb[:, :, 2] > 200) & (thumb[:, :, 1] < 60) & (thumb[:, :, 0] < 60)
    assert red.sum() > 100


def test_cli_search_prints_hits_by_video_and_json(data_dir, capsys):
    with JobStore.open(data_dir) as store:
        job_id = add_job(store, "wine.mp4", {0: ["Vins de Burgundv"], 1: ["Vins de Burgundv"]})
    assert cli.main(["search", "Burgundy", "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert f"/videos/wine.mp4  (job {job_id[:8]})" in out
    assert "00:00.0  frame 0" in out and "Vins de Burgundv" in out
    assert cli.main(["search", "Burgundy", "--json", "--data-dir", str(data_dir)]) == 0
    [group] = json.loads(capsys.readouterr().out)
    assert group["job_id"] == job_id and group["hits"][0]["last_frame"] == 1
    assert cli.main(["search", "nothing here", "--data-dir", str(data_dir)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "No text matches" in captured.err


def test_real_ocr_results_are_searchable(store, data_dir, text_video):
    from foresyte_desktop.core.runner import JobRunner
    job = store.add_job(JobSpec(str(text_video), frame_stride=10))
    with JobRunner(store, data_dir, isolate=False) as runner:
        assert runner.run_next().status == "completed"
    hits = search(store, "helo wrld")  # two letters short, as a poor OCR might read it
    assert [(h.job_id, h.frame_index, h.last_frame) for h in hits] == [(job.job_id, 0, 10)]
    assert "HELLO WORLD" in hits[0].text
    assert np.mean([p[0] for p in hits[0].box]) < 400
