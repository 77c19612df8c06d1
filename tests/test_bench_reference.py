"""The dense reference comparison (bench/reference.py) on small hand-made results documents: no
video, no OCR."""
from foresyte_desktop.bench.reference import compare, fmt_report, frame_diff, norm

FPS = 30.0


def doc(frames: dict[int, list[str]], *, step: int = 1, last: int | None = None) -> dict:
    """A results document: `frames` maps the first frame index of each reading to its lines,
    carried over every `step`-th frame up to `last`."""
    last = max(frames) if last is None else last
    results, lines = [], []
    for index in range(0, last + 1, step):
        lines = frames.get(index, lines)
        results.append({"frame_index": index, "time_s": round(index / FPS, 4),
                        "ocr": [{"text": t, "confidence": 0.9,
                                 "box": [[0, 0], [10, 0], [10, 5], [0, 5]]} for t in lines]})
    return {"results": results, "text_segments": []}


def test_normalising_folds_case_spaces_and_punctuation():
    assert norm("Gate 14 closes, NOW!") == norm("gate14closes now") == "gate14closesnow"
    assert norm("不准再看别人。") == "不准再看别人"
    assert norm(" ...  ") == ""


def test_same_text_read_in_another_order_or_split_is_no_difference():
    assert frame_diff(["abc", "def"], ["def", "abc"]) == ([], [])
    assert frame_diff(["gate14closes"], ["gate14", "closes"]) == ([], [])
    assert frame_diff(["gate14", "closes"], ["gate14closes"]) == ([], [])
    assert frame_diff(["gate15closes"], ["gate14closes"]) == (["gate15closes"], ["gate14closes"])


def test_identical_documents_agree():
    ref = doc({0: ["Hello there"], 60: ["Second line"], 120: []}, step=3, last=150)
    fast = doc({0: ["hello there"], 60: ["Second  line."], 120: []}, last=150)
    result = compare(ref, fast)
    assert result["frames_differing"] == 0 and result["frames_agreeing_share"] == 1.0
    assert result["lines"] == [] and result["stretches"] == []


def test_a_carried_stale_reading_is_a_stale_stretch_naming_both_lines():
    # The screen changes one glyph at frame 60; the fast path keeps the old reading until 150.
    ref = doc({0: ["Gate 14 closes"], 60: ["Gate 15 closes"]}, step=3, last=180)
    fast = doc({0: ["Gate 14 closes"], 150: ["Gate 15 closes"]}, last=180)
    result = compare(ref, fast)
    assert result["stale_stretches"] == 1 and result["missing_stretches"] == 0
    (stretch,) = result["stretches"]
    assert (stretch["first_frame"], stretch["last_frame"]) == (60, 147)
    assert stretch["kind"] == "stale"
    assert stretch["duration_s"] == round(147 / FPS - 60 / FPS, 3)
    assert [(d["text"], d["duration_s"], d["frames"]) for d in stretch["stale"]] == \
        [("Gate 14 closes", stretch["duration_s"], 30)]
    assert [(d["text"], d["start_s"], d["end_s"]) for d in stretch["missing"]] == \
        [("Gate 15 closes", 2.0, 4.9)]
    assert result["longest_stale_s"] == stretch["duration_s"]
    assert stretch["stale"][0]["reference_read_until_s"] == round(57 / FPS, 4)
    assert result["lines"] == []  # the new line is read in the end
    assert "stale" in fmt_report("clip", result)


def test_reading_carried_between_sparse_fast_records():
    # A fast path that writes only the frames where its reading changes: carried in between.
    ref = doc({0: ["One"], 30: ["Two"]}, step=3, last=90)
    fast = {"results": [{"frame_index": 0, "time_s": 0.0, "ocr": [{"text": "One"}]},
                        {"frame_index": 30, "time_s": 1.0, "ocr": [{"text": "Two"}]}]}
    assert compare(ref, fast)["frames_differing"] == 0


def test_a_short_line_never_read_is_missed_and_a_misread_one_read_differently():
    ref = doc({0: ["First line"], 30: ["Short"], 45: ["不准想着别人"], 90: []}, step=3, last=120)
    fast = doc({0: ["First line"], 30: [], 45: ["不准再看别人"], 90: []}, last=120)
    result = compare(ref, fast)
    lines = {line["text"]: line for line in result["lines"]}
    assert set(lines) == {"Short", "不准想着别人"}
    assert lines["Short"]["status"] == "missed" and lines["Short"]["foresyte_read"] is None
    assert (lines["Short"]["start_s"], lines["Short"]["end_s"]) == (1.0, 1.4)
    assert lines["不准想着别人"]["status"] == "read differently"
    assert lines["不准想着别人"]["foresyte_read"] == "不准再看别人"
    kinds = [(s["first_frame"], s["last_frame"], s["kind"]) for s in result["stretches"]]
    assert kinds == [(30, 87, "stale")]  # one run of differing frames, 30 to 87
    (stretch,) = result["stretches"]
    assert [(d["text"], d["start_s"], d["end_s"]) for d in stretch["missing"]] == \
        [("Short", 1.0, 1.4), ("不准想着别人", 1.5, 2.9)]
    assert [(d["text"], d["duration_s"]) for d in stretch["stale"]] == [("不准再看别人", 1.4)]
    assert stretch["stale"][0]["reference_read_until_s"] is None  # a misreading


def test_a_line_the_fast_path_adds_is_stale_and_one_it_lacks_is_missing():
    ref = doc({0: ["Title"], 60: ["Title", "Subtitle"], 120: ["Title"]}, step=3, last=210)
    fast = doc({0: ["Title"], 75: ["Title", "Subtitle"], 180: ["Title"]}, last=210)
    result = compare(ref, fast)
    kinds = [(s["first_frame"], s["last_frame"], s["kind"]) for s in result["stretches"]]
    assert kinds == [(60, 72, "missing"), (120, 177, "stale")]
    assert [(d["text"], d["duration_s"]) for d in result["stretches"][0]["missing"]] == \
        [("Subtitle", 0.4)]
    assert [(d["text"], d["duration_s"]) for d in result["stretches"][1]["stale"]] == \
        [("Subtitle", round(177 / FPS - 4, 3))]
    assert result["lines"] == []  # "Subtitle" is read on some of its frames


def test_stretches_of_at_most_a_quarter_second_are_not_reported():
    # Frames 60–66 differ: 0.2 s from the first to the last differing frame.
    ref = doc({0: ["Alpha"], 60: ["Beta"]}, step=3, last=120)
    fast = doc({0: ["Alpha"], 69: ["Beta"]}, last=120)
    result = compare(ref, fast)
    assert result["frames_differing"] == 3 and result["stretches"] == []
    assert compare(ref, fast, min_s=0.1)["stretches"][0]["duration_s"] == 0.2


def test_a_line_missing_all_along_does_not_hide_a_short_stale_one():
    # A logo the fast path never reads makes one long stretch; the stale line inside it keeps
    # its own run, and only a stale run over a quarter second makes the stretch stale.
    ref = doc({0: ["LOGO", "Line one"], 30: ["LOGO", "Line two"], 60: ["LOGO"]}, step=3, last=90)
    fast = doc({0: ["Line one"], 36: ["Line two"], 60: []}, last=90)
    result = compare(ref, fast)
    (stretch,) = result["stretches"]
    assert (stretch["first_frame"], stretch["last_frame"]) == (0, 90)
    assert [(d["text"], d["start_s"], d["end_s"]) for d in stretch["stale"]] == \
        [("Line one", 1.0, 1.1)]
    assert stretch["kind"] == "missing" and result["longest_stale_s"] == 0.1
    assert [line["text"] for line in result["lines"]] == ["LOGO"]
    assert "missing" in fmt_report("clip", result)


def test_a_reading_the_reference_flickers_around_is_unsteady_not_stale():
    # A faint watermark: the reference reads its place as A, then B, then A again; the fast
    # path holds one reading of it that the reference never gives.
    ref = doc({0: ["微信公众号"], 30: ["销信公众号"], 60: ["微信公众号"], 90: ["微信公伙号"]},
              step=3, last=120)
    fast = doc({0: ["有信公众号"]}, last=120)
    result = compare(ref, fast)
    (stretch,) = result["stretches"]
    assert stretch["kind"] == "unsteady" and stretch["stale"][0]["reference_unsteady"]
    assert result["stale_stretches"] == 0 and result["longest_stale_s"] == 0.0
    assert result["unsteady_stretches"] == 1 and result["longest_unsteady_s"] == 4.0
    assert "flickers there" in fmt_report("clip", result)


def test_text_that_changed_once_or_was_read_before_stays_stale_under_a_flicker_rule():
    # The reference reads A steadily, then B steadily: a misreading carried past the change
    # is stale.
    ref = doc({0: ["Gate 14 closes"], 60: ["Gate 15 closes"]}, step=3, last=120)
    fast = doc({0: ["Gate 14 c1oses"]}, last=120)
    result = compare(ref, fast)
    assert [s["kind"] for s in result["stretches"]] == ["stale"]
    assert result["longest_stale_s"] == 4.0 and result["longest_unsteady_s"] == 0.0
    # A reading the reference gave before, carried over A, B, A: stale, however the
    # reference reads that place.
    ref = doc({0: ["Gate 14"], 30: ["Gate 15"], 60: ["Gate 14"], 90: ["Gate 15"]}, step=3,
              last=120)
    fast = doc({0: ["Gate 14"]}, last=120)
    result = compare(ref, fast)
    assert result["stretches"] and {s["kind"] for s in result["stretches"]} == {"stale"}
    assert result["unsteady_stretches"] == 0
