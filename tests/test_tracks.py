"""Object tracks: the real ByteTrack path, text attached to objects, voting, and the JSON."""
import numpy as np
import torch
from ultralytics.engine.results import Boxes

from foresyte_desktop.core.model import Detection, FrameResult, JobSpec, OcrLine
from foresyte_desktop.core.pipelines.yolo import ObjectTracker, detector, track
from foresyte_desktop.core.results import build_results
from foresyte_desktop.core.tracks import attach_lines, build_tracks, vote
from foresyte_desktop.core.video import VideoReader


def line(text, x, y, w=60.0, h=20.0, conf=0.9):
    return OcrLine(text, conf, [[x, y], [x + w, y], [x + w, y + h], [x, y + h]])


def truck(x, track_id=1, label="truck"):
    return Detection(label, 7, 0.8, [x, 100.0, x + 200.0, 200.0], track_id)


def test_ultralytics_bytetrack_keeps_an_id_on_a_moving_object():
    tracker = ObjectTracker(first_id=1)
    image = np.zeros((360, 640, 3), np.uint8)
    seen = []
    for f in range(6):
        x = 50 + 20 * f  # a box moving right, and a second object from frame 2 on
        rows = [[x, 100, x + 80, 160, 0.9, 7]] + ([[400, 200, 470, 300, 0.8, 0]] if f >= 2 else [])
        seen.append(tracker.update(Boxes(torch.tensor(rows), image.shape[:2]), image))
    assert seen[0] == [1] and all(s[0] == 1 for s in seen)
    assert seen[2] == [1, None]  # a new object gets its id once seen a second time
    assert seen[3:] == [[1, 2]] * 3
    assert tracker.update(Boxes(torch.zeros((0, 6)), image.shape[:2]), image) == []


def test_a_resumed_job_numbers_its_tracks_after_the_stored_ones():
    tracker = ObjectTracker(first_id=8)
    image = np.zeros((360, 640, 3), np.uint8)
    boxes = Boxes(torch.tensor([[10, 10, 90, 90, 0.9, 2]]), image.shape[:2])
    assert tracker.update(boxes, image) == [8]


def test_real_track_call_with_a_model_built_from_its_yaml(data_dir, text_video):
    model = detector("yolo11n.yaml", data_dir)  # untrained weights: may find nothing
    tracker = ObjectTracker()
    with VideoReader(text_video) as reader:
        for frame in reader.frames(10, 3):
            found = track(model, tracker, frame.image)
            assert all(isinstance(d, Detection) and len(d.box) == 4 for d in found)
            assert all(d.track_id is None or d.track_id >= 1 for d in found)


def test_text_belongs_to_the_smallest_object_holding_its_centre():
    frame = FrameResult(0, 0.0, [line("ABC123", 120, 150), line("SALE", 500, 10),
                                 line("7", 60, 120, 10, 10)],
                        [truck(100), Detection("person", 0, 0.7, [40.0, 90.0, 400.0, 300.0], 2)])
    assert attach_lines(frame) == [0, None, 1]


def test_majority_vote_ignores_case_spacing_and_punctuation():
    assert vote([("ABC123", 0.9), ("A8C123", 0.95), ("abc 123", 0.6), ("ABC-123", 0.7)]) == \
        ("ABC123", 3)
    assert vote([("X", 0.5), ("Y", 0.9)]) == ("Y", 1)  # a tie goes to the more confident
    assert vote([("  ", 0.9), ("--", 0.8)]) == (None, 0)
    assert vote([]) == (None, 0)


def tracked_frames():
    """A truck (track 1) crossing with its plate read four times, one misread; a bus (track 2)
    with two lines of text; a detection the tracker has not confirmed."""
    frames = []
    for fi, plate in enumerate(["ABC123", "ABC123", "A8C123", "", "ABC 123"]):
        ocr = [line(plate, 140 + 10 * fi, 150)] if plate else []
        dets = [truck(100 + 10 * fi)]
        if fi >= 2:
            dets.append(Detection("bus", 5, 0.9, [400.0, 50.0, 620.0, 300.0], 2))
            ocr += [line("Route 66", 420, 100, 150), line("Express", 420, 60, 150)]
        if fi == 4:
            dets.append(Detection("car", 2, 0.4, [0.0, 0.0, 30.0, 30.0], None))
        frames.append(FrameResult(fi * 2, fi * 0.2, ocr, dets))
    return frames


def test_tracks_have_their_span_boxes_label_and_voted_text():
    truck_t, bus = build_tracks(tracked_frames())
    assert (truck_t["id"], truck_t["label"], truck_t["class_id"]) == (1, "truck", 7)
    assert (truck_t["first_frame"], truck_t["last_frame"]) == (0, 8)
    assert (truck_t["start_s"], truck_t["end_s"]) == (0.0, 0.8)
    assert [b["frame_index"] for b in truck_t["boxes"]] == [0, 2, 4, 6, 8]
    assert truck_t["boxes"][1] == {"frame_index": 2, "time_s": 0.2,
                                   "box": [110.0, 100.0, 310.0, 200.0], "confidence": 0.8}
    assert (truck_t["text"], truck_t["text_votes"], truck_t["text_frames"]) == ("ABC123", 3, 4)
    assert (bus["id"], bus["first_frame"], bus["text_votes"]) == (2, 4, 3)
    assert bus["text"] == "Express Route 66"  # its two lines, read top to bottom


def test_results_json_carries_tracks_and_text_on_objects(store):
    job = store.add_job(JobSpec("/v/street.mp4", "yolo_ocr"))
    frames = tracked_frames()
    store.commit_batch(job.job_id, frames, frames_done=len(frames), checkpoint_frame=8)
    doc = build_results(store, store.get_job(job.job_id))
    assert [t["id"] for t in doc["tracks"]] == [1, 2]
    assert doc["tracks"][0]["text"] == "ABC123"
    last = doc["results"][-1]
    assert [d["track_id"] for d in last["detections"]] == [1, 2, None]
    assert [o.get("detection") for o in last["ocr"]] == [0, 1, 1]
    assert store.next_track_id(job.job_id) == 3


def test_yolo_ocr_tracks_from_the_first_free_id(data_dir, text_video):
    from foresyte_desktop.core.pipelines import create_pipeline
    pipeline = create_pipeline("yolo_ocr", model_path="yolo11n.yaml", data_dir=data_dir,
                               first_track_id=4)
    pipeline.prepare()
    with VideoReader(text_video) as reader:
        results = list(pipeline.run(reader, stride=10, max_frames=3))
    assert len(results) == 3 and pipeline.tracker.first_id == 4
    assert all(d.track_id is None or d.track_id >= 4 for r in results for d in r.detections)
