"""Text as ForeSyte compares it: search, segments and track voting ignore case, accents and
spacing; labels drawn on frames keep their case but lose their accents; whether two readings
are the same line's text ignores spacing alone. Which text is CJK (Hangul included), and
which is Chinese or Japanese, written without spaces between words."""
from __future__ import annotations

import re
import unicodedata

# Letters that carry their mark inside the letter, so Unicode decomposition keeps them whole.
_FOLD = {"ø": "o", "đ": "d", "ł": "l", "ħ": "h", "ŧ": "t", "ı": "i", "æ": "ae", "œ": "oe",
         "þ": "th", "Ø": "O", "Đ": "D", "Ł": "L", "Ħ": "H", "Ŧ": "T", "Æ": "AE", "Œ": "OE",
         "Þ": "TH"}
_FOLDABLE = re.compile("|".join(_FOLD))
# The combining diacritics that decomposition splits off accented letters.
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
CJK_RANGES = ((0x1100, 0x11FF), (0x2E80, 0x9FFF), (0xA960, 0xA97F), (0xAC00, 0xD7FF),
              (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF), (0x20000, 0x3FFFF))
_HANGUL = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7FF))


def strip_accents(text: str) -> str:
    """Accents removed, case kept: "Côte Ø" → "Cote O"."""
    if text.isascii():
        return text
    folded = _FOLDABLE.sub(lambda m: _FOLD[m.group()], text)
    return _MARKS.sub("", unicodedata.normalize("NFKD", folded))


def normalise(text: str) -> str:
    """Case-folded, accents removed, whitespace runs made one space: "Côte  D'Or" → "cote d'or"."""
    if text.isascii():  # the common case, ten times faster
        return " ".join(text.lower().split())
    return " ".join(strip_accents(text.casefold()).split())


def squeezed(text: str) -> str:
    """The text without its spaces: readings of one line differ in spacing more than in
    anything else (small text often loses its spaces)."""
    return "".join(text.split())


def _in(ch: str, ranges) -> bool:
    return any(lo <= ord(ch) <= hi for lo, hi in ranges)


def has_cjk(text: str) -> bool:
    """Whether any character of `text` is CJK or Hangul (full-width forms included)."""
    return any(_in(ch, CJK_RANGES) for ch in text)


def mostly_unspaced(text: str) -> bool:
    """Whether at least half the characters of `text`, spaces aside, are Chinese or Japanese
    (CJK but not Hangul): scripts that put no spaces between words."""
    chars = squeezed(text)
    return bool(chars) and 2 * sum(_in(ch, CJK_RANGES) and not _in(ch, _HANGUL)
                                   for ch in chars) >= len(chars)
