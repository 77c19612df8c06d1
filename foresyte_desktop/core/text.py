"""Text as search and track voting compare it: case, accents and spacing do not count."""
from __future__ import annotations

import re
import unicodedata

# Letters that carry their mark inside the letter, so Unicode decomposition keeps them whole.
_FOLD = {"ø": "o", "đ": "d", "ł": "l", "ħ": "h", "ŧ": "t", "ı": "i", "æ": "ae", "œ": "oe",
         "þ": "th"}
_FOLDABLE = re.compile("|".join(_FOLD))
# The combining diacritics that decomposition splits off accented letters.
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


def normalise(text: str) -> str:
    """Case-folded, accents removed, whitespace runs made one space: "Côte  D'Or" → "cote d'or"."""
    if text.isascii():  # the common case, ten times faster
        return " ".join(text.lower().split())
    folded = _FOLDABLE.sub(lambda m: _FOLD[m.group()], text.casefold())
    return " ".join(_MARKS.sub("", unicodedata.normalize("NFKD", folded)).split())
