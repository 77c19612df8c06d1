"""The timeline strip's numbers: object density per class and bin, and text bars."""
from foresyte_desktop.core.model import Detection, FrameResult, OcrLine
from foresyte_desktop.core.timeline import build_timeline

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
