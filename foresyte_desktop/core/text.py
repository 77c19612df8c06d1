"""Text as search and track voting compare it: case, accents and spacing do not count."""
from __future__ import annotations

import unicodedata

# Letters that carry their mark inside the letter, so Unicode decomposition keeps them whole.
_FOLD = str.maketrans({"ø": "o", "đ": "d", "ł": "l", "ħ": "h", "ŧ": "t", "ı": "i",
                       "æ": "ae", "œ": "oe", "þ": "th"})


def normalise(text: str) -> str:
    """Case-folded, accents removed, runs of whitespace made one space: "Côte  D'Or" → "cote d'or"."""
    if text.isascii():  # the common case, ten times faster
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())
