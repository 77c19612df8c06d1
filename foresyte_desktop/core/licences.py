"""ForeSyte's licence, and the licence files shipped with it.

LICENSE and THIRD-PARTY-NOTICES.txt sit at the top of a source tree and in a bundle's
_internal folder (tools/third_party_notices.py writes the notices).
"""
from __future__ import annotations

import sys
from pathlib import Path

LICENCE = "AGPL-3.0-or-later"
LICENCE_NAME = "GNU Affero General Public License, version 3 or later"
LICENCE_FILE = "LICENSE"
NOTICES_FILE = "THIRD-PARTY-NOTICES.txt"


def shipped_text(name: str) -> str | None:
    """The text of LICENSE or THIRD-PARTY-NOTICES.txt; None when this copy of ForeSyte has
    none (an install from a wheel, which carries neither)."""
    base = getattr(sys, "_MEIPASS", None)
    root = Path(base) if base else Path(__file__).resolve().parents[2]
    try:
        return (root / name).read_text(encoding="utf-8")
    except OSError:
        return None
