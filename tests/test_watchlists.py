"""Watchlists and alerts on a real DuckDB store: exact, fuzzy and pattern terms on real OCR
output, every stored job checked again when a list changes, and bad input refused whole."""
import json

import pytest

from foresyte_desktop import cli
from foresyte_desktop.core import alerts, watchlists
from foresyte_desktop.core.model import FrameResult, JobSpec, OcrLine
from foresyte_desktop.core.runner import JobRunner
from foresyte_desktop.core.watchlists import WatchlistError, add_terms, make_term
from tests.videos import make_text_video


def box(y=300.0):
    return [[100.0, y], [500.0, y], [500.0, y + 40], [100.0, y + 40]]


def stored(store, name, script):
    """A completed job whose frames read `script`: {frame_index: [text, ...]} (stored data)."""
    job = store.add_job(JobSpec(f"/videos/{name}"))
    frames = [FrameResult(fi, fi / 10, [OcrLine(t, 0.9, box(300 + 60 * n))
                                        for n, t in enumerate(texts)])
              for fi, texts in sorted(script.items())]
    store.commit_batch(job.job_id, frames, frames_done=len(frames),
                       checkpoint_frame=frames[-1].frame_index)
    store.finish(job.job_id, "completed")
    return job.job_id


def found(store):
    return sorted((a.term, a.text, a.frame_index, a.last_frame, a.distance)
                  for a in alerts.list_alerts(store))


@pytest.fixture(scope="module")
def plate_video(tmp_path_factory):
    path = tmp_path_factory.mktemp("plates") / "car park.mp4"
    return make_text_video(path, [("CAR AB-123-CD", 20), ("JANE DOE", 20)], fps=10)


def test_exact_fuzzy_and_pattern_terms_on_real_ocr(store, data_dir, text_video, plate_video):
    # A list added before the jobs ran: each job is checked as it completes.
    add_terms(store, "Case 2291", [
        make_term("AA-999-AA", plate=True), make_term("jane do", tolerance=1),
        make_term("hello world"), make_term("helo world"),  # as written only: misspelt
        make_term(r"line \d+", regex=True)])
    jobs = {}
    with JobRunner(store, data_dir, isolate=False) as runner:
        for video in (text_video, plate_video):
            jobs[video.name] = store.add_job(JobSpec(str(video), frame_stride=10)).job_id
            assert runner.run_next().status == "completed"
    hits = {(a.term, a.job_id): a for a in alerts.list_alerts(store)}
    assert set(hits) == {("hello world", jobs["two lines.mp4"]),
                         ("line \\d+", jobs["two lines.mp4"]),
                         ("AA-999-AA", jobs["car park.mp4"]),
                         ("jane do", jobs["car park.mp4"])}
    plate, name = hits["AA-999-AA", jobs["car park.mp4"]], hits["jane do", jobs["car park.mp4"]]
    assert "AB" in plate.text and "123" in plate.text and plate.frame_index == 0
    assert (name.frame_index, name.distance, name.time_s) == (20, 1, 2.0)
    assert hits["hello world", jobs["two lines.mp4"]].distance == 0
    assert "42" in hits["line \\d+", jobs["two lines.mp4"]].text
    assert all(a.state == "new" and a.video_path.endswith(".mp4") for a in hits.values())

    # A list added afterwards checks the stored jobs; a fuzzy term finds what OCR misread.
    _, fresh = add_terms(store, "Names", [make_term("JANE D0E", tolerance=1),
                                          make_term("seccond", tolerance=1)])
    assert sorted((a.term, a.distance) for a in fresh) == [("JANE D0E", 1), ("seccond", 1)]


def test_every_stored_job_is_checked_again_when_a_list_changes(store):
    a = stored(store, "a.mp4", {0: ["Vins de Burgundv"], 1: ["Vins de Burgundy"],
                                2: ["Château Margaux"], 9: ["Exit 42"]})
    b = stored(store, "b.mp4", {0: ["CHATEAU MARGAUX"], 5: ["plate XY-987-ZW"]})
    _, fresh = add_terms(store, "Wine", [make_term("burgundy", tolerance=1)])
    assert [(x.job_id, x.frame_index, x.last_frame, x.distance) for x in fresh] == \
        [(a, 0, 1, 0)]  # one stretch of screen time, the closest reading
    assert fresh[0].text == "Vins de Burgundy"
    alerts.set_state(store, [fresh[0].alert_id], "acknowledged")

    _, fresh = add_terms(store, "wine", [make_term("chateau margaux")])  # case-blind name
    assert sorted((x.job_id, x.text) for x in fresh) == sorted([(a, "Château Margaux"),
                                                                (b, "CHATEAU MARGAUX")])
    kept = [x for x in alerts.list_alerts(store) if x.term == "burgundy"]
    assert [x.state for x in kept] == ["acknowledged"]  # checking again kept its state

    add_terms(store, "Plates", [make_term("AA-999-AA", plate=True)])
    assert ("AA-999-AA", "plate XY-987-ZW", 5, 5, 0) in found(store)
    removed, _ = watchlists.remove(store, "Wine", ["chateau margaux"])
    assert removed == 1 and {t for t, *_ in found(store)} == {"burgundy", "AA-999-AA"}
    watchlists.remove(store, "plates")
    assert {t for t, *_ in found(store)} == {"burgundy"}

    # A job removed or run again takes its alerts with it.
    store.retry(a)
    assert found(store) == []


def test_dismissed_alerts_stay_dismissed_and_the_cli_lists_them(store, data_dir, capsys):
    stored(store, "a.mp4", {0: ["JANE DOE"], 10: ["John Smith"]})
    _, fresh = add_terms(store, "Names", [make_term("jane doe"), make_term("john smith")])
    jane = next(x for x in fresh if x.term == "jane doe")
    assert cli.main(["alerts", "--dismiss", str(jane.alert_id), "--data-dir",
                     str(data_dir)]) == 0
    add_terms(store, "Names", [make_term("nobody")])  # checks again: jane stays dismissed
    assert [x.term for x in alerts.list_alerts(store)] == ["john smith"]
    capsys.readouterr()
    assert cli.main(["alerts", "--json", "--data-dir", str(data_dir)]) == 0
    [shown] = json.loads(capsys.readouterr().out)
    assert (shown["term"], shown["text"], shown["frame_index"], shown["state"]) == \
        ("john smith", "John Smith", 10, "new")
    assert cli.main(["alerts", "--all", "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert "dismissed" in out and "“JANE DOE” at 0:00.0 in a.mp4 (Names: jane doe" in out
    assert cli.main(["alerts", "--acknowledge", "999", "--data-dir", str(data_dir)]) == 1


def test_bad_terms_empty_lists_and_bad_csv_rows_change_nothing(store, data_dir, tmp_path,
                                                               capsys):
    stored(store, "a.mp4", {0: ["HELLO"]})
    add_terms(store, "Names", [make_term("hello")])
    before = (watchlists.watchlists(store), found(store))
    with pytest.raises(WatchlistError, match="not a valid regular expression"):
        make_term("[abc", regex=True)
    with pytest.raises(WatchlistError, match="matches empty text"):
        make_term("x*", regex=True)
    with pytest.raises(WatchlistError, match="No terms were given"):
        add_terms(store, "Names", [])
    with pytest.raises(WatchlistError, match="too short"):
        make_term("ab", tolerance=1)
    with pytest.raises(WatchlistError, match="not a plate format"):
        make_term("AB-12", plate=True)

    bad = tmp_path / "names.csv"
    bad.write_text("term,kind,tolerance\nsmith,word,1\n\"(unclosed\",regex,exact\n", "utf-8")
    assert cli.main(["watchlist", "import", "Names", str(bad), "--data-dir",
                     str(data_dir)]) == 1
    err = capsys.readouterr().err
    assert "names.csv, row 3: “(unclosed” is not a valid regular expression" in err
    assert "Nothing was imported." in err
    for text, reason in (("term\n", "holds no terms"), ("smith,word,two\n", "row 1"),
                         ("smith,colour\n", "is not a kind of term")):
        bad.write_text(text, "utf-8")
        with pytest.raises(WatchlistError, match=reason):
            watchlists.read_csv(bad)
    bad.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(WatchlistError, match="not a UTF-8 text file"):
        watchlists.read_csv(bad)
    assert cli.main(["watchlist", "add", "Names", "[x", "--regex", "--data-dir",
                     str(data_dir)]) == 1
    assert "“[x” is not a valid regular expression" in capsys.readouterr().err
    assert (watchlists.watchlists(store), found(store)) == before


def test_csv_import_export_and_list_from_the_cli(store, data_dir, tmp_path, capsys):
    stored(store, "a.mp4", {0: ["Plate AB 123 CD"], 3: ["JANE D0E"]})
    source = tmp_path / "case.csv"
    source.write_text("term,kind,tolerance\nAA-999-AA,plate,exact\nJane Doe,,1\n"
                      "\"gate \\d+\",regex,\n", "utf-8")
    assert cli.main(["watchlist", "import", "Case 2291", str(source), "--data-dir",
                     str(data_dir)]) == 0
    captured = capsys.readouterr()
    assert "“Case 2291” holds 3 terms; checked every stored job: 2 new alerts." in captured.err
    assert "“JANE D0E” at 0:00.3 in a.mp4 (Case 2291: Jane Doe, 1 OCR error)" in captured.out
    out = tmp_path / "out.csv"
    assert cli.main(["watchlist", "export", "case 2291", "-o", str(out), "--data-dir",
                     str(data_dir)]) == 0
    assert out.read_text("utf-8") == ("term,kind,tolerance\nAA-999-AA,plate,exact\n"
                                      "Jane Doe,phrase,1\ngate \\d+,regex,exact\n")
    assert watchlists.read_csv(out) == watchlists.find_list(store, "Case 2291").terms
    assert cli.main(["watchlist", "add", "Plates", "XY-123-ZZ", "--fuzzy", "1",
                     "--data-dir", str(data_dir)]) == 0
    capsys.readouterr()
    assert cli.main(["watchlist", "list", "--data-dir", str(data_dir)]) == 0
    assert capsys.readouterr().out == "Case 2291  (3 terms)\nPlates  (1 term)\n"
    assert cli.main(["watchlist", "list", "plates", "--data-dir", str(data_dir)]) == 0
    assert capsys.readouterr().out == "  word “XY-123-ZZ”, up to 1 OCR error\n"
