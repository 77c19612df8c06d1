"""Reviewing a completed job in a real store: every action on segments and tracks, undo and redo,
the log surviving a reopen, the review's progress and order, and refused input changing nothing.

Results are written straight into a real store (plumbing: no OCR or detector runs).
"""
import threading

import pytest

from foresyte_desktop.core import review
from foresyte_desktop.core.errors import ReviewError
from foresyte_desktop.core.model import Detection, FrameResult, OcrLine
from foresyte_desktop.core.review_log import SEGMENT, TRACK, user_name
from foresyte_desktop.core.store import JobStore
from tests.stored_jobs import stored_job
from tests.videos import make_text_video

TOP = [[10.0, 10.0], [100.0, 10.0], [100.0, 30.0], [10.0, 30.0]]
LOW = [[10.0, 50.0], [100.0, 50.0], [100.0, 70.0], [10.0, 70.0]]


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    """30 frames of 320×180 at 10 fps."""
    return make_text_video(tmp_path_factory.mktemp("review") / "gate.mp4", [("GATE 14", 30)],
                           fps=10, size=(320, 180), scale=1.0)


def gate_frames() -> list[FrameResult]:
    """Segment 1 "GATE 14 N0W" on frames 0-14 (top), 2 "B0ARDING" on 15-29 (lower), and
    3 "EXIT" on 20-29 (top)."""
    out = []
    for i in range(30):
        ocr = [OcrLine("GATE 14 N0W", 0.7, TOP)] if i < 15 else [OcrLine("B0ARDING", 0.9, LOW)]
        if i >= 20:
            ocr.append(OcrLine("EXIT", 0.95, TOP))
        out.append(FrameResult(i, i / 10, ocr))
    return out


def track_frames() -> list[FrameResult]:
    """A car (track 4) on frames 0-9 and, after an id switch, track 9 on 12-20."""
    out = []
    for i in range(21):
        dets = []
        if i < 10:
            dets.append(Detection("car", 2, 0.8, [10.0 + i, 10.0, 60.0 + i, 40.0], 4))
        if i >= 12:
            dets.append(Detection("car", 2, 0.6, [10.0 + i, 10.0, 60.0 + i, 40.0], 9))
        ocr = [OcrLine("AB1234", 0.9, [[20.0 + i, 20.0], [50.0 + i, 20.0], [50.0 + i, 30.0],
                                       [20.0 + i, 30.0]])] if dets else []
        out.append(FrameResult(i, i / 10, ocr, dets))
    return out


@pytest.fixture
def job(store, video):
    return stored_job(store, video, gate_frames())


def segs(store, job):
    return [(s["id"], s["text"], s["first_frame"], s["last_frame"], s["review_state"])
            for s in review.open_review(store, job.job_id).live(SEGMENT)]


def test_segments_get_stable_ids_on_first_use(store, job):
    assert segs(store, job) == [(1, "GATE 14 N0W", 0, 14, "unreviewed"),
                                (2, "B0ARDING", 15, 29, "unreviewed"),
                                (3, "EXIT", 20, 29, "unreviewed")]
    review.set_text(store, job.job_id, 2, "BOARDING")
    assert [s[0] for s in segs(store, job)] == [1, 2, 3]  # the same ids, read again


def test_set_text_is_logged_with_before_after_time_and_user(store, job):
    action = review.set_text(store, job.job_id, 1, "GATE 14 NOW")
    state = review.open_review(store, job.job_id)
    item = state.items[(SEGMENT, 1)]
    assert item["text"] == "GATE 14 NOW" and item["machine_text"] == "GATE 14 N0W"
    assert item["edited_at"].endswith("Z")
    [entry] = state.log
    assert (entry.action, entry.op, entry.kind, entry.target) == (action, "set_text", SEGMENT, 1)
    assert entry.before["text"] == "GATE 14 N0W" and entry.after["text"] == "GATE 14 NOW"
    assert entry.user == user_name() and entry.at is not None
    # The same text again changes nothing and logs nothing.
    assert review.set_text(store, job.job_id, 1, "GATE 14 NOW") is None
    assert len(review.open_review(store, job.job_id).log) == 1


def test_set_start_and_end(store, job):
    review.set_start(store, job.job_id, 2, 17)
    review.set_end(store, job.job_id, 2, 25)
    item = review.open_review(store, job.job_id).items[(SEGMENT, 2)]
    assert (item["first_frame"], item["last_frame"]) == (17, 25)
    assert (item["start_s"], item["end_s"]) == (1.7, 2.5)


def test_split_and_merge(store, job):
    review.split_segment(store, job.job_id, 1, 5)
    assert segs(store, job)[:2] == [(1, "GATE 14 N0W", 0, 4, "unreviewed"),
                                    (4, "GATE 14 N0W", 5, 14, "unreviewed")]
    review.merge_segments(store, job.job_id, 1, 4)
    assert segs(store, job)[0] == (1, "GATE 14 N0W", 0, 14, "unreviewed")
    assert [s[0] for s in segs(store, job)] == [1, 2, 3]
    # Two different lines merged keep both texts, in order.
    review.merge_segments(store, job.job_id, 2)
    assert segs(store, job)[1] == (2, "B0ARDING EXIT", 15, 29, "unreviewed")


def test_reject_verify_and_verify_all(store, job):
    review.reject(store, job.job_id, 3)
    review.verify(store, job.job_id, 1)
    assert [s[4] for s in segs(store, job)] == ["verified",
                                                "unreviewed", "rejected"]
    review.verify(store, job.job_id, "all")
    assert [s[4] for s in segs(store, job)] == ["verified", "verified", "rejected"]
    assert review.verify(store, job.job_id, "all") is None  # nothing left unreviewed


def test_add_a_missed_line(store, job):
    review.add_line(store, job.job_id, [150, 100, 250, 120], "PLATFORM 2", 3, 12)
    state = review.open_review(store, job.job_id)
    added = state.items[(SEGMENT, 4)]
    assert (added["text"], added["first_frame"], added["last_frame"]) == ("PLATFORM 2", 3, 12)
    assert added["review_state"] == "added" and added["box"][2] == [250.0, 120.0]
    assert review.verify(store, job.job_id, 4) is None  # what the analyst added stays "added"


def test_find_and_replace_is_one_action(store, job):
    review.add_line(store, job.job_id, TOP, "N0W LEAVING", 0, 3)
    action = review.find_replace(store, job.job_id, "n0w", "NOW")
    state = review.open_review(store, job.job_id)
    assert [r.target for r in state.actions[action]] == [1, 4]
    assert state.items[(SEGMENT, 1)]["text"] == "GATE 14 NOW"
    assert state.items[(SEGMENT, 4)]["text"] == "NOW LEAVING"
    assert review.find_replace(store, job.job_id, "nowhere", "x") is None
    review.undo(store, job.job_id)
    state = review.open_review(store, job.job_id)
    assert state.items[(SEGMENT, 1)]["text"] == "GATE 14 N0W"


def test_suggested_fixes_are_never_applied_until_accepted(store, job):
    state = review.open_review(store, job.job_id)
    found = review.suggest_fixes(state)
    assert [(s.item_id, s.text, s.suggested) for s in found] == [
        (1, "GATE 14 N0W", "GATE 14 NOW"), (2, "B0ARDING", "BOARDING")]
    assert review.open_review(store, job.job_id).log == []  # suggesting changed nothing
    review.accept_suggestions(store, job.job_id, found[:1])  # one by one…
    review.accept_suggestions(store, job.job_id, found[1:])  # …or several at once
    assert [s[1] for s in segs(store, job)] == ["GATE 14 NOW", "BOARDING", "EXIT"]
    assert review.suggest_fix("ROOM 1O1, 5ALE, l0l, B8 8ig") == "ROOM 101, SALE, lol, B8 Big"


def test_undo_redo_move_through_the_log_and_delete_nothing(store, job):
    first = review.set_text(store, job.job_id, 1, "GATE 14 NOW")
    second = review.reject(store, job.job_id, 3)
    assert review.undo(store, job.job_id) == second
    assert review.undo(store, job.job_id) == first
    assert review.undo(store, job.job_id) is None
    assert segs(store, job) == segs(store, job)[:0] + [
        (1, "GATE 14 N0W", 0, 14, "unreviewed"), (2, "B0ARDING", 15, 29, "unreviewed"),
        (3, "EXIT", 20, 29, "unreviewed")]
    assert review.redo(store, job.job_id) == first
    assert segs(store, job)[0][1] == "GATE 14 NOW"
    # A new action drops what was left to redo, as an undo stack does; the log keeps it all.
    review.verify(store, job.job_id, 2)
    assert review.redo(store, job.job_id) is None
    state = review.open_review(store, job.job_id)
    assert [e.op for e in state.log] == ["set_text", "reject", "undo", "undo", "redo", "verify"]
    done, undone = review.history(state)
    assert [a.op for a in done] == ["set_text", "verify"] and undone == []
    assert review.has_edits(store, job.job_id)


def test_the_log_and_undo_history_survive_a_reopen(data_dir, video):
    with JobStore.open(data_dir) as store:
        job = stored_job(store, video, gate_frames())
        review.set_text(store, job.job_id, 1, "GATE 14 NOW")
        review.reject(store, job.job_id, 3)
        review.undo(store, job.job_id)
    with JobStore.open(data_dir) as store:  # as after a crash or a restart
        state = review.open_review(store, job.job_id)
        done, undone = review.history(state)
        assert [a.op for a in done] == ["set_text"] and [a.op for a in undone] == ["reject"]
        assert state.items[(SEGMENT, 1)]["text"] == "GATE 14 NOW"
        review.redo(store, job.job_id)
        assert review.open_review(store, job.job_id).items[(SEGMENT, 3)]["review_state"] == \
            "rejected"


def test_progress_orders_and_next_unreviewed(store, job):
    review.verify(store, job.job_id, 1)
    review.reject(store, job.job_id, 2)
    state = review.open_review(store, job.job_id)
    assert review.progress(state).text == "1 of 3 verified, 1 rejected"
    assert review.progress(state).unreviewed == 1
    assert [s["id"] for s in review.ordered(state, order="unreviewed")] == [3, 1, 2]
    assert [s["id"] for s in review.ordered(state, order="confidence")] == [1, 2, 3]
    assert [s["id"] for s in review.ordered(state, unreviewed_only=True)] == [3]
    assert review.next_unreviewed(state)["id"] == 3
    assert review.next_unreviewed(state, 3) is None
    assert review.next_unreviewed(state, 3, backwards=True) is None
    review.undo(store, job.job_id)
    state = review.open_review(store, job.job_id)
    assert review.next_unreviewed(state, 3, backwards=True)["id"] == 2


def test_track_actions(store, video):
    job = stored_job(store, video, track_frames(), pipeline="yolo_ocr")
    state = review.open_review(store, job.job_id)
    assert [(t["id"], t["first_frame"], t["last_frame"]) for t in state.live(TRACK)] == \
        [(4, 0, 9), (9, 12, 20)]
    review.relabel_track(store, job.job_id, 4, "van")
    review.set_track_text(store, job.job_id, 4, "AB 1234")
    review.merge_tracks(store, job.job_id, 4, 9)
    state = review.open_review(store, job.job_id)
    [car] = state.live(TRACK)
    assert (car["id"], car["label"], car["text"], car["first_frame"], car["last_frame"]) == \
        (4, "van", "AB 1234", 0, 20)
    assert car["machine_label"] == "car" and car["machine_text"] == "AB1234"
    review.split_track(store, job.job_id, 4, 15)
    state = review.open_review(store, job.job_id)
    assert [(t["id"], t["first_frame"], t["last_frame"]) for t in state.live(TRACK)] == \
        [(4, 0, 14), (10, 15, 20)]
    review.verify(store, job.job_id, 4, TRACK)
    review.reject(store, job.job_id, 10, TRACK)
    state = review.open_review(store, job.job_id)
    assert review.progress(state, TRACK).text == "1 of 2 verified, 1 rejected"


@pytest.mark.parametrize("act, message", [
    (lambda s, j: review.set_text(s, j, 1, "   "), "The correction of segment 1 is empty"),
    (lambda s, j: review.set_text(s, j, 99, "X"), "This job has no segment 99."),
    (lambda s, j: review.split_segment(s, j, 1, 0), "Frame 0 is outside segment 1 (frames 0 to "
                                                    "14)"),
    (lambda s, j: review.split_segment(s, j, 1, 20), "Frame 20 is outside segment 1"),
    (lambda s, j: review.merge_segments(s, j, 1, 3), "Segments 1 and 3 are not next to each "
                                                     "other"),
    (lambda s, j: review.merge_segments(s, j, 3), "Segment 3 is the last one"),
    (lambda s, j: review.set_start(s, j, 1, 20), "Segment 1 ends at frame 14"),
    (lambda s, j: review.set_end(s, j, 2, 500), "Frame 500 is not in the video"),
    (lambda s, j: review.add_line(s, j, TOP, "", 0, 3), "The correction of the new line is empty"),
    (lambda s, j: review.find_replace(s, j, "GATE 14 N0W", ""), "The correction of segment 1 is "
                                                                "empty"),
    (lambda s, j: review.merge_tracks(s, j, 1, 2), "This job has no track 1."),
    (lambda s, j: review.verify(s, "not-a-job", 1), "There is no job not-a-job."),
])
def test_bad_input_gets_a_sentence_and_changes_nothing(store, job, act, message):
    before = segs(store, job)
    with pytest.raises(ReviewError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        act(store, job.job_id)
    assert segs(store, job) == before and review.open_review(store, job.job_id).log == []


def test_overlapping_tracks_are_not_merged(store, video):
    frames = track_frames()
    for f in frames[12:15]:  # track 4 seen again on 12-14, beside track 9
        f.detections.append(Detection("car", 2, 0.8, [200.0, 10.0, 260.0, 40.0], 4))
    job = stored_job(store, video, frames, pipeline="yolo_ocr")
    with pytest.raises(ReviewError, match="Tracks 4 and 9 are both seen between frames 12 and 14"):
        review.merge_tracks(store, job.job_id, 4, 9)
    assert review.open_review(store, job.job_id).log == []


def test_a_running_job_stays_view_only(store, video):
    job = stored_job(store, video, gate_frames(), finish=False)
    with pytest.raises(ReviewError, match="“gate.mp4” is running; only a completed job can be "
                                          "reviewed"):
        review.set_text(store, job.job_id, 1, "X")
    assert not review.has_edits(store, job.job_id)


def test_threads_opening_a_new_review_at_once_store_its_run_once(store, video):
    job = stored_job(store, video, gate_frames())
    start, errors = threading.Barrier(3), []

    def open_it():
        start.wait()
        try:
            review.open_review(store, job.job_id)
        except Exception as exc:  # noqa: BLE001 (the test reports any)
            errors.append(exc)
    threads = [threading.Thread(target=open_it) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store._cursor().execute("SELECT count(*) FROM review_items WHERE job_id = ?",
                                   [job.job_id]).fetchone()[0] == 3
