"""The timeline's numbers: object density per class and bin, text bars, the frames where what
is on screen changes, and reading a typed position."""
import pytest

from foresyte_desktop.core.model import Detection, FrameResult, OcrLine
from foresyte_desktop.core.timeline import Changes, build_timeline, parse_position

BOX = [[10.0, 10.0], [90.0, 10.0], [90.0, 30.0], [10.0, 30.0]]


def test_density_per_class_and_bars():
    person = Detection("person", 0, 0.9, [0.0, 0.0, 50.0, 100.0], 1)
    frames = [FrameResult(i, i / 10, [OcrLine("SALE", 0.9, BOX)] if i < 5 else [],
                          [person, Detection("car", 2, 0.8, [60.0, 0.0, 99.0, 40.0])] if i < 10
                          else [])
              for i in range(20)]
    tl = build_timeline(frames, duration_s=2.0, bins=4)
    assert tl.bin_s == 0.5
    assert tl.density == {"car": [1.0, 1.0, 0.0, 0.0], "person": [1.0, 1.0, 0.0, 0.0]}
    assert tl.text_bars == [(0.0, 0.4, "SALE")]
    assert tl.class_ids == {"car": 2, "person": 0}
    assert build_timeline([], 0.0, bins=3).density == {}


def test_changes_are_where_segments_start_and_end_and_objects_appear():
    segments = [{"first_frame": 0, "last_frame": 8}, {"first_frame": 10, "last_frame": 18},
                {"first_frame": 10, "last_frame": 38}]  # two lines from frame 10
    tracks = [{"first_frame": 14}]
    changes = Changes(segments, tracks, stride=2)
    assert changes.starts == [0, 10]
    assert changes.frames == [0, 10, 14, 20, 40]  # 8 + 2: where the first line is gone
    assert Changes.after(changes.frames, 10) == 14 and Changes.after(changes.frames, 40) is None
    assert Changes.before(changes.frames, 10) == 0 and Changes.before(changes.frames, 0) is None


def test_a_typed_position_is_a_time_or_a_frame_number():
    assert parse_position("1:23.5", 10, 10_000) == 835
    assert parse_position("83.5", 10, 10_000) == parse_position("83,5 s", 10, 10_000) == 835
    assert parse_position("1:02:03", 25, 10**6) == 3723 * 25
    assert parse_position("#120", 10, 1000) == 119  # counted from 1, as the window shows them
    assert parse_position("99", 10, 50) == 49 and parse_position("#0", 10, 50) == 0
    for bad in ("ten past", "#x", "1:2:3:4", "-5"):
        with pytest.raises(ValueError, match="is not a"):
            parse_position(bad, 10, 100)
