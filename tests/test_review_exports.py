"""Everything built from a reviewed job uses its corrected state: the JSON (with the review's
fields and log), SRT, CSV, the detections CSV and search; `machine=True` gives what was read.
A job analysed by real OCR, a retried job, and a store from before the review existed.
"""
import csv
import io

import cv2
import duckdb

from foresyte_desktop.core import review
from foresyte_desktop.core.annotate import write_job_video
from foresyte_desktop.core.exporters import render
from foresyte_desktop.core.migrations import MIGRATIONS
from foresyte_desktop.core.model import FrameResult, JobSpec, OcrLine
from foresyte_desktop.core.overlay_draw import overlay_layer
from foresyte_desktop.core.results import SCHEMA_VERSION, build_results
from foresyte_desktop.core.review_apply import corrected_results
from foresyte_desktop.core.review_log import SEGMENT, TRACK
from foresyte_desktop.core.runner import JobRunner
from foresyte_desktop.core.search import search
from foresyte_desktop.core.store import JobStore
from tests.stored_jobs import stored_job
from tests.test_review_core import gate_frames, track_frames, video  # noqa: F401 (fixture)


def reviewed_gate(store, video):  # noqa: F811
    job = stored_job(store, video, gate_frames())
    review.set_text(store, job.job_id, 1, "GATE 14 NOW")
    review.reject(store, job.job_id, 3)
    review.verify(store, job.job_id, 2)
    return store.get_job(job.job_id)


def test_json_carries_the_corrected_state_and_the_review(store, video):  # noqa: F811
    job = reviewed_gate(store, video)
    doc = build_results(store, job)
    assert doc["schema_version"] == SCHEMA_VERSION
    first, second = doc["text_segments"]  # the rejected one left
    assert (first["id"], first["text"], first["review_state"]) == (1, "GATE 14 NOW", "unreviewed")
    assert first["machine_text"] == "GATE 14 N0W" and first["edited_at"].endswith("Z")
    assert (second["id"], second["review_state"]) == (2, "verified")
    assert "machine_text" not in second and "edited_at" not in second
    # Every frame of the corrected segment shows the correction; the rejected line is gone.
    assert {line["text"] for r in doc["results"][:15] for line in r["ocr"]} == {"GATE 14 NOW"}
    assert all(line["segment"] == 1 for r in doc["results"][:15] for line in r["ocr"])
    assert all("EXIT" not in line["text"] for r in doc["results"] for line in r["ocr"])
    counts = doc["review"]["counts"]["segments"]
    assert (counts["total"], counts["verified"], counts["rejected"], counts["edited"]) == \
        (3, 1, 1, 1)
    assert [e["op"] for e in doc["review"]["log"]] == ["set_text", "reject", "verify"]
    assert doc["review"]["in_effect"] == [e["action"] for e in doc["review"]["log"]]
    assert all(not e["earlier_run"] and e["user"] for e in doc["review"]["log"])


def test_srt_and_csv_use_the_corrected_state_and_machine_what_was_read(store, video):  # noqa: F811
    job = reviewed_gate(store, video)
    srt = render(build_results(store, job), "srt")
    assert "GATE 14 NOW" in srt and "N0W" not in srt and "EXIT" not in srt
    rows = list(csv.DictReader(io.StringIO(render(build_results(store, job), "csv"))))
    assert {r["text"] for r in rows} == {"GATE 14 NOW", "B0ARDING"}
    machine = build_results(store, job, machine=True)
    assert [s["text"] for s in machine["text_segments"]] == ["GATE 14 N0W", "B0ARDING", "EXIT"]
    assert [s["id"] for s in machine["text_segments"]] == [1, 2, 3]
    assert "review" not in machine and "review_state" not in machine["text_segments"][0]
    assert "EXIT" in render(machine, "srt") and "N0W" in render(machine, "csv")


def test_search_finds_the_correction_and_not_what_was_rejected(store, video):  # noqa: F811
    job = stored_job(store, video, gate_frames())
    assert search(store, "NOW") == [] and len(search(store, "EXIT")) == 1
    review.set_text(store, job.job_id, 1, "GATE 14 NOW")
    review.reject(store, job.job_id, 3)
    review.add_line(store, job.job_id, [150, 100, 250, 120], "PLATFORM 2", 3, 12)
    [hit] = search(store, "NOW")
    assert (hit.text, hit.frame_index, hit.last_frame) == ("GATE 14 NOW", 0, 14)
    assert search(store, "EXIT") == []
    [added] = search(store, "PLATFORM")
    assert (added.frame_index, added.last_frame, added.frames) == (3, 12, 10)
    review.undo(store, job.job_id)
    review.undo(store, job.job_id)
    assert len(search(store, "EXIT")) == 1 and search(store, "PLATFORM") == []


def test_tracks_export_merged_split_and_relabelled(store, video):  # noqa: F811
    job = stored_job(store, video, track_frames(), pipeline="yolo_ocr")
    review.relabel_track(store, job.job_id, 4, "van")
    review.merge_tracks(store, job.job_id, 4, 9)
    doc = build_results(store, store.get_job(job.job_id))
    [van] = doc["tracks"]
    assert (van["id"], van["label"], van["machine_label"], van["review_state"]) == \
        (4, "van", "car", "unreviewed")
    assert [b["frame_index"] for b in van["boxes"]] == [*range(10), *range(12, 21)]
    assert {d["track_id"] for r in doc["results"] for d in r["detections"]} == {4}
    assert {d["label"] for r in doc["results"] for d in r["detections"]} == {"van"}
    assert doc["review"]["log"][-1]["after"]["merged_into"] == 4  # track 9's row
    review.split_track(store, job.job_id, 4, 15)
    review.reject(store, job.job_id, 10, TRACK)
    doc = build_results(store, store.get_job(job.job_id))
    [van] = doc["tracks"]
    assert (van["first_frame"], van["last_frame"]) == (0, 14)
    assert all(r["detections"] == [] for r in doc["results"][15:])
    rows = list(csv.DictReader(io.StringIO(render(doc, "detections-csv"))))
    assert {r["track_id"] for r in rows} == {"4"} and len(rows) == 13
    machine = build_results(store, store.get_job(job.job_id), machine=True)
    assert [(t["id"], t["label"]) for t in machine["tracks"]] == [(4, "car"), (9, "car")]
    # What draws the frames (the annotated MP4, the PNG) gets the same corrected state.
    frames, _, tracks = corrected_results(store, store.get_job(job.job_id))
    assert [t["id"] for t in tracks] == [4] and frames[16].detections == []
    assert {d.label for f in frames for d in f.detections} == {"van"}


def test_a_real_job_is_stored_on_completion_and_a_retry_keeps_its_edits_apart(
        store, data_dir, text_video):
    job = store.add_job(JobSpec(str(text_video), frame_stride=5))
    with JobRunner(store, data_dir, isolate=False) as runner:
        done = runner.run_next()
        assert done.status == "completed", done.error_message
        first = [(s["id"], s["text"].replace(" ", ""))
                 for s in runner.last_results["text_segments"]]
        assert first == [(1, "HELLOWORLD"), (2, "SECONDLINE42")]
        stored = store._cursor().execute("SELECT count(*) FROM review_items WHERE job_id = ?",
                                         [job.job_id]).fetchone()[0]
        assert stored == 2  # stored when the job completed, not on a later read
        assert not review.has_edits(store, job.job_id)
        review.set_text(store, job.job_id, 2, "SECOND LINE 43")
        assert review.has_edits(store, job.job_id)  # so the window asks before a retry
        store.retry(job.job_id)
        done = runner.run_next()
        assert done.status == "completed"
    assert not review.has_edits(store, job.job_id)
    doc = build_results(store, store.get_job(job.job_id))
    assert "43" not in doc["text_segments"][1]["text"]  # the new run is as read
    [old] = doc["review"]["log"]
    assert old["earlier_run"] and old["after"]["text"] == "SECOND LINE 43"


def test_a_store_from_before_the_review_gets_its_jobs_segments_on_first_use(data_dir, video):  # noqa: F811, E501
    before = next(n for n, m in enumerate(MIGRATIONS) if any("review_log" in s for s in m))
    con = duckdb.connect(str(data_dir / "foresyte.duckdb"))
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    for version, statements in enumerate(MIGRATIONS[:before], start=1):
        for statement in statements:
            con.execute(statement)
        con.execute("INSERT INTO schema_version VALUES (?)", [version])
    job_id = con.execute(
        "INSERT INTO jobs (job_id, status, pipeline_id, frame_stride, input_path, created_at, "
        "started_at, finished_at, updated_at) VALUES (uuid(), 'completed', 'ocr_only', 1, ?, "
        "now()::TIMESTAMP, now()::TIMESTAMP, now()::TIMESTAMP, now()::TIMESTAMP) "
        "RETURNING CAST(job_id AS VARCHAR)", [str(video)]).fetchone()[0]
    for f in gate_frames():
        con.execute("INSERT INTO frames (job_id, frame_index, time_s) VALUES (?, ?, ?)",
                    [job_id, f.frame_index, f.time_s])
        for n, line in enumerate(f.ocr):
            con.execute("INSERT INTO ocr_lines VALUES (?, ?, ?, ?, ?, ?)",
                        [job_id, f.frame_index, n, line.text, line.confidence,
                         [v for pt in line.box for v in pt]])
    con.close()
    with JobStore.open(data_dir) as store:
        review.set_text(store, job_id, 2, "BOARDING")
        assert [s["text"] for s in build_results(store, store.get_job(job_id))["text_segments"]] \
            == ["GATE 14 N0W", "BOARDING", "EXIT"]


def test_removing_a_job_removes_its_review(store, video):  # noqa: F811
    job = reviewed_gate(store, video)
    store.remove([job.job_id])
    for table in ("review_runs", "review_items", "review_lines", "review_log"):
        assert store._cursor().execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0


def test_segment_ids_stay_put_while_the_list_changes(store, video):  # noqa: F811
    job = stored_job(store, video, gate_frames())
    review.split_segment(store, job.job_id, 1, 5)
    doc = build_results(store, store.get_job(job.job_id))
    assert [s["id"] for s in doc["text_segments"]] == [1, 4, 2, 3]
    assert review.open_review(store, job.job_id).items[(SEGMENT, 4)]["first_frame"] == 5


def test_what_is_drawn_shows_the_corrections_and_added_lines_and_the_mp4_draws_them(
        store, video, tmp_path):  # noqa: F811
    job = reviewed_gate(store, video)
    review.add_line(store, job.job_id, [200, 120, 300, 150], "MISSED", 3, 5)
    frames, _, _ = corrected_results(store, store.get_job(job.job_id))
    first = frames[0].ocr
    assert [(line.text, line.machine_text) for line in first] == [("GATE 14 NOW", "GATE 14 N0W")]
    assert [(line.text, line.machine_text) for line in frames[4].ocr] == \
        [("GATE 14 NOW", "GATE 14 N0W"), ("MISSED", "")]
    assert [line.text for line in frames[25].ocr] == ["B0ARDING"]  # EXIT was rejected
    assert frames[25].ocr[0].machine_text is None  # as read: not marked
    doc = build_results(store, store.get_job(job.job_id))
    assert doc["results"][0]["ocr"][0]["machine_text"] == "GATE 14 N0W"
    assert "machine_text" not in doc["results"][25]["ocr"][0]

    # A corrected label is drawn otherwise (a pen, slanted text) than the same text as read.
    marked = overlay_layer(frames[0], 320, 180)
    plain = overlay_layer(FrameResult(0, 0.0, [OcrLine("GATE 14 NOW", 0.7, first[0].box)]),
                          320, 180)
    assert marked.tobytes() != plain.tobytes()

    # The annotated MP4 draws the review: the added line, and no box where EXIT was rejected.
    out = write_job_video(store, store.get_job(job.job_id), tmp_path / "reviewed.mp4")
    cap = cv2.VideoCapture(str(out))
    shots = {}
    for n in range(30):
        ok, image = cap.read()
        assert ok
        shots[n] = image
    cap.release()

    def amber(image, x1, y1, x2, y2):
        part = image[y1:y2, x1:x2]
        return int(((part[:, :, 2] > 180) & (part[:, :, 1] > 130) & (part[:, :, 0] < 90)).sum())
    assert amber(shots[4], 200, 118, 302, 152) > 50 and amber(shots[10], 200, 118, 302, 152) < 5
    assert amber(shots[25], 8, 8, 102, 32) < 5 < amber(shots[10], 8, 8, 102, 32)
