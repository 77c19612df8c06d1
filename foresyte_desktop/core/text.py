"""Text as ForeSyte compares it: search, segments and track voting ignore case, accents and
spacing; labels drawn on frames keep their case but lose their accents; whether two readings
are the same line's text ignores spacing alone."""
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
