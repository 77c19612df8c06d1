"""Where overlay labels go (pure geometry): never over a text line's box or another label,
inside the frame, next to their own box; and the renderer that draws them, CJK included."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from foresyte_desktop.core.model import FrameResult, OcrLine
from foresyte_desktop.core.overlay_draw import OverlayOptions, draw_overlays, overlay_layer
from foresyte_desktop.core.overlay_layout import Mark, intersects, place_labels

W, H = 640, 360


def check(marks, rects):
    walls = [m.box for m in marks if m.text]
    placed = [r for r in rects if r is not None]
    for mark, rect in zip(marks, rects):
        if rect is None:
            continue
        assert 0 <= rect[0] and rect[2] <= W and 0 <= rect[1] and rect[3] <= H
        assert (rect[2] - rect[0], rect[3] - rect[1]) == pytest.approx(mark.size)
        assert not intersects(rect, mark.box)
        assert not any(intersects(rect, b) for b in walls), (rect, walls)
        assert sum(intersects(rect, p) for p in placed) == 1  # itself only


def test_stacked_lines_label_the_upper_above_and_flip_the_lower_below():
    upper, lower = Mark((196, 251, 446, 291), (90, 15)), Mark((209, 296, 427, 334), (85, 15))
    low, up = place_labels([lower, upper], W, H)  # in any order
    assert low[1] >= lower.box[3]  # the lower line's label went below it: no room above
    assert up[3] <= upper.box[1]  # the upper line's above it
    check([lower, upper], [low, up])


def test_with_no_room_above_or_below_a_label_goes_beside_its_line():
    lines = [Mark((100, 5, 300, 180), (60, 15)), Mark((100, 182, 300, 355), (60, 15))]
    rects = place_labels(lines, W, H)
    check(lines, rects)
    assert all(r is not None and r[0] >= 300 for r in rects)  # to the right


box = st.tuples(st.floats(0, W - 20), st.floats(0, H - 10), st.floats(5, 300),
                st.floats(5, 80)).map(lambda b: (b[0], b[1], min(W, b[0] + b[2]),
                                                 min(H, b[1] + b[3])))
mark = st.builds(Mark, box, st.tuples(st.floats(10, 200), st.floats(8, 30)), st.booleans())


@settings(max_examples=200, deadline=None)
@given(st.lists(mark, max_size=12))
def test_no_label_ever_covers_a_text_line_or_another_label(marks):
    check(marks, place_labels(marks, W, H))


def line(text, x1, y1, x2, y2):
    return OcrLine(text, 0.9, [[x1, y1], [x2, y1], [x2, y2], [x1, y2]])


def test_cjk_labels_are_drawn_with_their_own_glyphs():
    def label_pixels(text):
        layer = overlay_layer(FrameResult(0, 0.0, [line(text, 200, 200, 400, 240)]), W, H)
        return np.asarray(layer)[170:200]
    tokyo, osaka = label_pixels("東京"), label_pixels("大阪")
    assert tokyo.any() and not np.array_equal(tokyo, osaka)  # not two rows of empty boxes


def test_boxes_only_draws_the_boxes_without_their_labels():
    frame = FrameResult(0, 0.0, [line("HELLO", 200, 200, 400, 240)])
    image = np.zeros((H, W, 3), np.uint8)
    labelled = draw_overlays(image, frame)
    boxes = draw_overlays(image, frame, OverlayOptions(labels=False))
    assert (labelled[170:198] != 0).any() and not (boxes[170:198] != 0).any()
    assert np.array_equal(labelled[200:241], boxes[200:241])
