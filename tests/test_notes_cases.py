"""Bookmarks and notes on real completed jobs (RapidOCR), in a real store: kept across a reopen,
undone and redone through the review log, found by their text; and cases, with the search
limited to one."""
import pytest

from foresyte_desktop.core import cases, notes, review
from foresyte_desktop.core.errors import ReviewError
from foresyte_desktop.core.model import JobSpec
from foresyte_desktop.core.results import build_results
from foresyte_desktop.core.runner import JobRunner
from foresyte_desktop.core.search import search
from foresyte_desktop.core.store import JobStore
from tests.report_jobs import LINES, copy_of, template

GONE = "0e5c9d3a-0000-4000-8000-000000000000"  # a job id the store does not hold


@pytest.fixture(scope="module")
def jobs_template(tmp_path_factory):
    return template(tmp_path_factory.mktemp("notes"))


@pytest.fixture
def jobs(jobs_template, tmp_path):
    data, ids = jobs_template
    return copy_of(data, tmp_path / "data"), ids


def test_bookmarks_and_notes_persist_undo_and_redo(jobs):
    data, (job_id, _) = jobs
    with JobStore.open(data) as store:
        first = notes.add_bookmark(store, job_id, 25, "  the second   line appears ")
        notes.add_bookmark(store, job_id, 3)
        notes.add_note(store, job_id, "check the spelling", segment=1)
    with JobStore.open(data) as store:  # reopened: all of it was stored
        found = notes.notes(store, job_id)
        assert [(n["on"], n["frame"], n["target"], n["text"]) for n in found] == [
            ("segment", 0, 1, "check the spelling"), ("frame", 3, None, ""),
            ("frame", 25, None, "the second line appears")]
        assert found[2]["time_s"] == pytest.approx(2.5) and found[2]["by"]
        assert [n["id"] for n in notes.notes(store, job_id, notes.FRAME)] == [2, 1]
        state = review.open_review(store, job_id)
        assert [a.op for a in review.history(state)[0]] == ["add_note"] * 3
        assert state.actions[first][0].user == found[0]["by"]

        assert review.undo(store, job_id) is not None  # the note on segment 1
        assert [n["id"] for n in notes.notes(store, job_id)] == [2, 1]
        assert review.redo(store, job_id) is not None
        assert len(notes.notes(store, job_id)) == 3

        assert notes.set_note_text(store, job_id, 1, "second line") is not None
        assert notes.set_note_text(store, job_id, 1, "second line") is None  # nothing to change
        notes.remove_note(store, job_id, 1)
        assert [n["id"] for n in notes.notes(store, job_id)] == [3, 2]
        review.undo(store, job_id)
        assert notes.notes(store, job_id)[-1]["text"] == "second line"
        review.undo(store, job_id)
        assert notes.notes(store, job_id)[-1]["text"] == "the second line appears"
        # The results JSON's log carries them, like every review action.
        log = build_results(store, store.get_job(job_id))["review"]["log"]
        assert {e["kind"] for e in log if e["op"] not in ("undo", "redo")} == {"note"}
        # Notes leave the reading alone: the segments are as the machine read them.
        assert [s["text"] for s in review.open_review(store, job_id).live("segment")] == \
            list(LINES)
        # A retried job starts without them; they stay in the log, as the earlier run's.
        store.retry(job_id)
        with JobRunner(store, data, isolate=False) as runner:
            assert runner.run_next(job_ids=[job_id]).status == "completed"
        assert notes.notes(store, job_id) == []
        log = build_results(store, store.get_job(job_id))["review"]["log"]
        assert len(log) == 9 and all(e["earlier_run"] for e in log)


def test_bad_notes_get_a_sentence_and_change_nothing(jobs):
    data, (job_id, _) = jobs
    with JobStore.open(data) as store:
        notes.add_bookmark(store, job_id, 0, "start")
        before = len(review.open_review(store, job_id).log)
        pending = store.add_job(JobSpec(store.get_job(job_id).input_path, "ocr_only", 1)).job_id
        for call, sentence in [
                (lambda: notes.add_bookmark(store, job_id, 40), "Frame 40 is not in the video, "
                                                                 "whose frames are 0 to 39."),
                (lambda: notes.add_bookmark(store, job_id, -1), "Frame -1 is not in the video"),
                (lambda: notes.add_note(store, job_id, "   ", segment=1),
                 "The note on segment 1 is empty"),
                (lambda: notes.add_note(store, job_id, "x", segment=9),
                 "This job has no segment 9."),
                (lambda: notes.add_note(store, job_id, "x", track=1), "This job has no track 1."),
                (lambda: notes.add_note(store, job_id, "x"), "name one of them"),
                (lambda: notes.add_note(store, job_id, "x", segment=1, track=1),
                 "name one of them"),
                (lambda: notes.remove_note(store, job_id, 7), "This job has no note 7."),
                (lambda: notes.set_note_text(store, job_id, 1, "x") and
                 notes.add_note(store, job_id, "x", segment=1) and
                 notes.set_note_text(store, job_id, 2, ""), "cannot be empty"),
                (lambda: notes.add_bookmark(store, pending, 0), "only a completed job"),
                (lambda: notes.notes(store, job_id, "scene"), "Notes are on frame, segment, "
                                                              "track"),
                (lambda: notes.add_bookmark(store, GONE, 0), f"There is no job {GONE}."),
        ]:
            with pytest.raises(ReviewError, match=sentence.replace("(", r"\(")):
                call()
        # Only the two steps that made sense inside the ninth case were logged.
        assert len(review.open_review(store, job_id).log) == before + 2
        assert notes.set_note_text(store, job_id, 1, "") is not None  # a bookmark may be bare


def test_notes_are_found_by_their_text_in_every_job_or_one_case(jobs):
    data, (a, b) = jobs
    with JobStore.open(data) as store:
        notes.add_bookmark(store, a, 5, "Suspect’s car, Côte d'Azur plate")
        notes.add_bookmark(store, b, 30, "the same car again")
        notes.add_note(store, b, "read as SECOND LINE", segment=2)
        assert [(h.job_id, h.note["frame"]) for h in notes.find_notes(store, "CAR")] == \
            [(a, 5), (b, 30)]
        assert [h.note["text"] for h in notes.find_notes(store, "cote d azur")] == \
            ["Suspect’s car, Côte d'Azur plate"]
        typo = notes.find_notes(store, "suspcet")
        assert [h.job_id for h in typo] == [a] and typo[0].score < 100
        assert notes.find_notes(store, "bicycle") == [] and notes.find_notes(store, " ") == []
        cases.new_case(store, "Case 2291")
        cases.set_case(store, [b], "Case 2291")
        assert [h.job_id for h in notes.find_notes(store, "car", job_ids=cases.case_job_ids(
            store, "case 2291"))] == [b]


def test_cases_group_jobs_each_in_one_at_most(jobs):
    data, (a, b) = jobs
    with JobStore.open(data) as store:
        assert cases.list_cases(store) == []
        cases.new_case(store, "  Case   2291 ")
        cases.new_case(store, "Harbour")
        for call, sentence in [
                (lambda: cases.new_case(store, "case 2291"), "A case called “Case 2291” already "
                                                             "exists"),
                (lambda: cases.new_case(store, "   "), "A case needs a name"),
                (lambda: cases.new_case(store, "x" * 121), "at most 120 characters"),
                (lambda: cases.set_case(store, [a], "Case 9"), "There is no case called “Case "
                                                               "9”; the cases are"),
                (lambda: cases.set_case(store, [a, GONE], "Harbour"), f"There is no job {GONE}"),
                (lambda: cases.case_jobs(store, "nope"), "There is no case called “nope”"),
        ]:
            with pytest.raises(cases.CaseError, match=sentence):
                call()
        assert cases.job_cases(store) == {}  # the refused calls changed nothing
        assert cases.set_case(store, [b, a], "case 2291") == {b: None, a: None}
        assert [j.job_id for j in cases.case_jobs(store, "CASE 2291")] == [a, b]  # queue order
        assert cases.set_case(store, [b], "Harbour") == {b: "Case 2291"}  # moved, not copied
        assert cases.job_cases(store) == {a: "Case 2291", b: "Harbour"}
        assert [(c.name, c.jobs) for c in cases.list_cases(store)] == [("Case 2291", 1),
                                                                       ("Harbour", 1)]
        cases.set_case(store, [a], None)
        assert cases.case_of(store, a) is None and cases.case_of(store, b) == "Harbour"
        assert cases.delete_case(store, "harbour") == 1
        assert cases.job_cases(store) == {} and [c.name for c in cases.list_cases(store)] == \
            ["Case 2291"]
        cases.set_case(store, [a], "Case 2291")
        store.retry(a)  # a retried job keeps its case
        assert cases.case_of(store, a) == "Case 2291"
        store.remove([a])  # a removed job leaves it
        assert cases.case_job_ids(store, "Case 2291") == []
        assert store.query("SELECT count(*) FROM case_jobs")[0][0] == 0


def test_search_limited_to_a_case(jobs):
    data, (a, b) = jobs
    with JobStore.open(data) as store:
        assert {h.job_id for h in search(store, "second line")} == {a, b}
        cases.new_case(store, "Case 2291")
        assert search(store, "second line", case="Case 2291") == []
        cases.set_case(store, [b], "Case 2291")
        hits = search(store, "second line", case="case 2291")
        assert [h.job_id for h in hits] == [b] and hits[0].text == LINES[1]
        with pytest.raises(cases.CaseError, match="There is no case called “Case 1”"):
            search(store, "second line", case="Case 1")
