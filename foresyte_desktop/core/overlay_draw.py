"""The one overlay renderer: a frame's text lines, objects (in their class colours, one of
them followed) and the job's text region, with their labels where overlay_layout puts them.

It draws with Pillow on a transparent layer at any scale of the frame: the viewer shows that
layer over the video at the pixels it displays, and the PNG and the annotated MP4 composite it
at the video's own size, so all three show the same thing. Pillow renders TrueType fonts,
CJK included, without Qt, so the command line and the export child use it too; labels are
drawn in DejaVu Sans, and in a CJK font (WenQuanYi Zen Hei or Noto Sans CJK) when the text has
CJK or Hangul.
"""
from __future__ import annotations

import colorsys
import functools
import os
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from foresyte_desktop.core.model import Detection, FrameResult
from foresyte_desktop.core.overlay_layout import Mark, Rect, place_labels
from foresyte_desktop.core.roi import Roi
from foresyte_desktop.core.text import has_cjk

RGB = tuple[int, int, int]
OCR_COLOR: RGB = (0xFF, 0xB0, 0x00)
REGION_COLOR: RGB = (0x50, 0xDC, 0x50)
FOLLOW_COLOR: RGB = (0xFF, 0x2D, 0x95)
DIMMED_ALPHA = 90  # other objects while one is followed: still there, not in the way
LABEL_ALPHA = 235
LABEL_MAX_CHARS = 60
REFERENCE_PX = 100  # labels are measured at this size and scaled, so every scale lays out alike
PEN = "\u270e"  # marks a label the analyst corrected or added, drawn in the Latin font (CJK
ITALIC_SHEAR = 0.2  # fonts lack it); such a label's text is slanted by this much

LATIN_FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
               "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
               "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
               "/Library/Fonts/Arial Bold.ttf", "C:/Windows/Fonts/arialbd.ttf")
CJK_FONTS = ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
             "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
             "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc",
             "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
             "/System/Library/Fonts/PingFang.ttc", "C:/Windows/Fonts/msyhbd.ttc")


@dataclass(frozen=True)
class OverlayOptions:
    """What is drawn: the layers shown, labels or boxes only, the text region, the followed
    object."""

    ocr: bool = True
    detections: bool = True
    labels: bool = True
    region: Roi | None = None
    followed: int | None = None


def class_color(class_id: int) -> RGB:
    """A distinct, stable colour per detector class (golden-angle hues, away from OCR amber)."""
    hue = int(200 + class_id * 137.508) % 360
    r, g, b = colorsys.hsv_to_rgb(hue / 360, 190 / 255, 1.0)
    return round(r * 255), round(g * 255), round(b * 255)


def object_name(label: str, track_id: int | None) -> str:
    """"person #3": the class, and the tracked object's id when there is one."""
    return label + (f" #{track_id}" if track_id is not None else "")


def detection_label(det: Detection) -> str:
    return f"{object_name(det.label, det.track_id)} {det.confidence:.0%}"


@functools.lru_cache(maxsize=4)
def _font_file(cjk: bool) -> str | None:
    # A CJK font has Latin letters too; without one, Latin at least.
    order = (*CJK_FONTS, *LATIN_FONTS) if cjk else LATIN_FONTS
    return next((p for p in order if os.path.isfile(p)), None)


@functools.lru_cache(maxsize=64)
def font(text_is_cjk: bool, px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = _font_file(text_is_cjk)
    return ImageFont.truetype(path, px) if path else ImageFont.load_default(px)


@dataclass(frozen=True)
class _Style:
    """Sizes in frame pixels, from the frame's shorter side: labels and lines keep their
    share of the picture at any size it is shown."""

    font_px: float
    line: float

    @classmethod
    def of(cls, width: int, height: int) -> _Style:
        unit = min(width, height) / 360
        return cls(font_px=max(6.0, 11.0 * unit), line=max(1.0, round(1.5 * unit)))

    def label_size(self, text: str, edited: bool = False) -> tuple[float, float]:
        advance = font(has_cjk(text), REFERENCE_PX).getlength(text) * self.font_px / REFERENCE_PX
        if edited:
            advance += _pen_advance() * self.font_px / REFERENCE_PX
        return advance + 0.6 * self.font_px, 1.35 * self.font_px


def _pen_advance() -> float:
    """The width of the pen and a space before an edited label's text, at REFERENCE_PX."""
    return font(False, REFERENCE_PX).getlength(PEN + " ")


def _short(text: str) -> str:
    return text if len(text) <= LABEL_MAX_CHARS else text[:LABEL_MAX_CHARS - 1] + "…"


def _bounds(quad: list[list[float]]) -> Rect:
    xs, ys = [x for x, _ in quad], [y for _, y in quad]
    return min(xs), min(ys), max(xs), max(ys)


def _ink(color: RGB) -> RGB:
    """Black on light tags (amber among them), white on dark ones: by relative luminance."""
    r, g, b = (c / 255 for c in color)
    return (0, 0, 0) if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 else (255, 255, 255)


def overlay_layer(frame: FrameResult | None, width: int, height: int,
                  options: OverlayOptions = OverlayOptions(), scale: float = 1.0) -> Image.Image:
    """A transparent RGBA image of the frame's size times `scale`, with what `options` asks
    for drawn on it."""
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    style = _Style.of(width, height)
    k = scale
    line = max(1, round(style.line * k))

    if options.region is not None and options.ocr:
        x1, y1, x2, y2 = options.region
        _dashed_rect(draw, (x1 * width * k, y1 * height * k, x2 * width * k - 1,
                            y2 * height * k - 1), REGION_COLOR, line, dash=6 * line)
    if frame is None:
        return layer
    items: list[tuple[Mark, str, RGB, int, bool]] = []  # mark, label, colour, alpha, edited
    if options.detections:
        for det in frame.detections:
            followed = options.followed is not None and det.track_id == options.followed
            color = FOLLOW_COLOR if followed else class_color(det.class_id)
            alpha = DIMMED_ALPHA if options.followed is not None and not followed else 255
            width_px = line * (4 if followed else 2)
            x1, y1, x2, y2 = (v * k for v in det.box)
            draw.rectangle((x1, y1, x2, y2), fill=(*color, 40 if followed else 28),
                           outline=(*color, alpha), width=width_px)
            text = _short(detection_label(det))
            items.append((Mark(tuple(det.box), style.label_size(text), text=False), text, color,
                          min(alpha, LABEL_ALPHA), False))
    if options.ocr:
        for ocr in frame.ocr:
            points = [(x * k, y * k) for x, y in ocr.box]
            draw.polygon(points, fill=(*OCR_COLOR, 40), outline=(*OCR_COLOR, 255), width=line)
            text = _short(ocr.text)
            edited = ocr.machine_text is not None
            items.append((Mark(_bounds(ocr.box), style.label_size(text, edited)), text,
                          OCR_COLOR, LABEL_ALPHA, edited))
    if options.labels:
        rects = place_labels([m for m, *_ in items], width, height)
        for (_, text, color, alpha, edited), rect in zip(items, rects):
            if rect is not None:
                _label(layer, draw, text, tuple(v * k for v in rect), color, alpha,
                       round(style.font_px * k), edited)
    return layer


def _label(layer: Image.Image, draw: ImageDraw.ImageDraw, text: str, rect: Rect, color: RGB,
           alpha: int, px: int, edited: bool = False) -> None:
    """A tag with its text; an edited one has a pen before its text, which is slanted."""
    draw.rounded_rectangle(rect, radius=max(1, px // 4), fill=(*color, alpha))
    ink = (*_ink(color), 255 if alpha >= LABEL_ALPHA else alpha)  # a dimmed tag, dimmed text
    px = max(1, px)
    middle = (rect[1] + rect[3]) / 2
    if not edited:
        draw.text(((rect[0] + rect[2]) / 2, middle), text, anchor="mm",
                  font=font(has_cjk(text), px), fill=ink)
        return
    pen_w = _pen_advance() * px / REFERENCE_PX
    left = rect[0] + 0.3 * px
    draw.text((left, middle), PEN, anchor="lm", font=font(False, px), fill=ink)
    # The text, slanted: drawn upright on its own layer, sheared, and laid over the tag.
    w, h = max(1, round(rect[2] - left - pen_w)), max(1, round(rect[3] - rect[1]))
    text_layer = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    ImageDraw.Draw(text_layer).text((w / 2, h / 2), text, anchor="mm",
                                    font=font(has_cjk(text), px), fill=ink)
    text_layer = text_layer.transform(
        (w, h), Image.Transform.AFFINE, (1, ITALIC_SHEAR, -ITALIC_SHEAR * h / 2, 0, 1, 0),
        resample=Image.Resampling.BICUBIC)
    at = (round(left + pen_w), round(rect[1]))
    if at[0] < layer.width and at[1] < layer.height:
        layer.alpha_composite(text_layer, at)


def _dashed_rect(draw: ImageDraw.ImageDraw, rect: Rect, color: RGB, width: int,
                 dash: float) -> None:
    x1, y1, x2, y2 = rect
    for a, b in (((x1, y1), (x2, y1)), ((x2, y1), (x2, y2)), ((x2, y2), (x1, y2)),
                 ((x1, y2), (x1, y1))):
        length = max(abs(b[0] - a[0]), abs(b[1] - a[1]))
        n = 0.0
        while n < length:
            t0, t1 = n / length, min(n + dash, length) / length
            draw.line([(a[0] + (b[0] - a[0]) * t0, a[1] + (b[1] - a[1]) * t0),
                       (a[0] + (b[0] - a[0]) * t1, a[1] + (b[1] - a[1]) * t1)],
                      fill=(*color, 255), width=width)
            n += 2 * dash


def draw_overlays(image: np.ndarray, frame: FrameResult | None,
                  options: OverlayOptions = OverlayOptions()) -> np.ndarray:
    """A copy of the BGR `image` with `frame`'s overlays composited on it, at its own size."""
    height, width = image.shape[:2]
    layer = overlay_layer(frame, width, height, options)
    out = image.copy()
    box = layer.getbbox()
    if box is None:  # nothing drawn: the frame as it was
        return out
    x1, y1, x2, y2 = box
    patch = Image.fromarray(np.ascontiguousarray(out[y1:y2, x1:x2, ::-1])).convert("RGBA")
    patch = Image.alpha_composite(patch, layer.crop(box))
    out[y1:y2, x1:x2] = np.asarray(patch.convert("RGB"))[:, :, ::-1]
    return out
