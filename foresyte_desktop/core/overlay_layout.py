"""Where overlay labels go: pure geometry in frame pixels, so one layout serves every size the
frame is drawn at (the viewer at any zoom or pixel ratio, the PNG, the annotated MP4).

`place_labels` puts each label outside its own box: above it, else below it (flipped), else
beside it, else stacked further above or below, always inside the frame. A placed label never
intersects a text line's box (its own or another's) nor another label; a label with no such
place is left out (its box is still drawn).
"""
from __future__ import annotations

from dataclasses import dataclass

Rect = tuple[float, float, float, float]  # x1, y1, x2, y2
STACK_STEPS = 6  # how many label heights further away a label may go before it is left out


@dataclass(frozen=True)
class Mark:
    """A box drawn on the frame and the size of its label. `text` marks are text lines, which
    no label may cover; other marks (objects) may lie under other marks' labels."""

    box: Rect
    size: tuple[float, float]  # the label's width and height
    text: bool = True


def intersects(a: Rect, b: Rect) -> bool:
    """True if the rectangles share area (touching edges do not)."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _candidates(box: Rect, size: tuple[float, float], width: float,
                height: float) -> list[Rect]:
    x1, y1, x2, y2 = box
    w, h = size
    gap = max(1.0, h * 0.15)
    step = h + gap
    spots = [(x1, y1 - gap - h), (x1, y2 + gap), (x2 + gap, y1), (x1 - gap - w, y1)]
    for n in range(1, STACK_STEPS + 1):
        spots += [(x1, y1 - gap - h - n * step), (x1, y2 + gap + n * step)]
    out = []
    for x, y in spots:
        if w > width or y < 0 or y + h > height:
            continue  # off the frame's top or bottom: this side has no room
        x = min(max(x, 0.0), width - w)
        out.append((x, y, x + w, y + h))
    return out


def place_labels(marks: list[Mark], width: float, height: float) -> list[Rect | None]:
    """One label rectangle per mark (None where none fits), in the marks' order. Text lines
    are placed first, top line first, so stacked lines keep their labels next to them."""
    walls = [m.box for m in marks if m.text]
    placed: list[Rect] = []
    out: list[Rect | None] = [None] * len(marks)
    order = sorted(range(len(marks)), key=lambda i: (not marks[i].text, marks[i].box[1],
                                                     marks[i].box[0]))
    for i in order:
        mark = marks[i]
        for spot in _candidates(mark.box, mark.size, width, height):
            if intersects(spot, mark.box) or any(intersects(spot, b) for b in walls) or \
                    any(intersects(spot, p) for p in placed):
                continue
            out[i] = spot
            placed.append(spot)
            break
    return out
