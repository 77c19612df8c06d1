"""The detections CSV: one row per object per analysed frame, with track and text."""
import csv
import io

from foresyte_desktop import cli
from foresyte_desktop.core.exporters import export_name, render
from foresyte_desktop.core.model import Detection, FrameResult, JobSpec, OcrLine
from foresyte_desktop.core.results import build_results
from foresyte_desktop.core.store import JobStore


FAR_AWAY = [[500, 5], [600, 5], [600, 20], [500, 20]]


def frames():
    plate = lambda t: OcrLine(t, 0.9, [[120, 150], [180, 150], [180, 170], [120, 170]])  # noqa: E731
    truck = Detection("truck", 7, 0.8, [100.0, 100.0, 300.0, 200.0], 4)
    return [FrameResult(0, 0.0, [plate("ABC123")], [truck]),
            FrameResult(5, 0.5, [plate("A8C123"), OcrLine("far away", 0.9, FAR_AWAY)],
                        [truck, Detection("dog, brown", 16, 0.5, [0.0, 0.0, 50.0, 50.0])]),
            FrameResult(10, 1.0, [plate("ABC123")], [truck])]


def test_one_row_per_detection_with_its_text_and_track_text(store):
    job = store.add_job(JobSpec("/v/street.mp4", "yolo_ocr", 5))
    store.commit_batch(job.job_id, frames(), frames_done=3, checkpoint_frame=10)
    rows = list(csv.DictReader(io.StringIO(
        render(build_results(store, store.get_job(job.job_id)), "detections-csv"))))
    assert [(r["frame_index"], r["track_id"], r["label"], r["text"]) for r in rows] == [
        ("0", "4", "truck", "ABC123"), ("5", "4", "truck", "A8C123"),
        ("5", "", "dog, brown", ""), ("10", "4", "truck", "ABC123")]
    assert {r["track_text"] for r in rows if r["track_id"]} == {"ABC123"}
    assert [rows[0][k] for k in ("x1", "y1", "x2", "y2", "confidence", "class_id")] == [
        "100.0", "100.0", "300.0", "200.0", "0.8", "7"]
    assert export_name("/v/street.mp4", "detections-csv") == "street.detections.csv"


def test_cli_writes_the_detections_csv(data_dir, tmp_path):
    with JobStore.open(data_dir) as store:
        job = store.add_job(JobSpec("/v/street.mp4", "yolo_ocr", 5))
        store.commit_batch(job.job_id, frames(), frames_done=3, checkpoint_frame=10)
    target = tmp_path / "d.csv"
    assert cli.main(["export", job.job_id[:8], "--format", "detections-csv", "-o", str(target),
                     "--data-dir", str(data_dir)]) == 0
    assert target.read_text(encoding="utf-8").splitlines()[0].startswith(
        "frame_index,time_s,track_id,label")
