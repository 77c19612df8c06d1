"""ForeSyte's licence, the licence files shipped with it, and the one-time note on the licence
of the default YOLO weights.

LICENSE and THIRD-PARTY-NOTICES.txt sit at the top of a source tree and in a bundle's
_internal folder (tools/third_party_notices.py writes the notices).
"""
from __future__ import annotations

import sys
from pathlib import Path

from foresyte_desktop.core.paths import models_dir
from foresyte_desktop.core.pipelines.yolo import DEFAULT_MODEL

LICENCE = "AGPL-3.0-or-later"
LICENCE_NAME = "GNU Affero General Public License, version 3 or later"
LICENCE_FILE = "LICENSE"
NOTICES_FILE = "THIRD-PARTY-NOTICES.txt"
WEIGHTS_NOTE = (f"The default YOLO weights ({DEFAULT_MODEL}) come from Ultralytics under the "
                "GNU AGPL-3.0. You may use them under its terms: whoever receives the weights, "
                "or software built with them, from you must get them under the AGPL-3.0 too, "
                "with the source. For other terms Ultralytics sells an Enterprise licence. "
                "See “YOLO weights” in the README.")


def shipped_text(name: str) -> str | None:
    """The text of LICENSE or THIRD-PARTY-NOTICES.txt; None when this copy of ForeSyte has
    none (an install from a wheel, which carries neither)."""
    base = getattr(sys, "_MEIPASS", None)
    root = Path(base) if base else Path(__file__).resolve().parents[2]
    try:
        return (root / name).read_text(encoding="utf-8")
    except OSError:
        return None


def weights_note_due(data_dir: Path) -> str | None:
    """WEIGHTS_NOTE the first time this is asked after the default weights reached the data
    folder, else None. A marker beside the weights keeps it to once, for the window and the
    CLI alike."""
    folder = models_dir(Path(data_dir))
    marker = folder / f"{DEFAULT_MODEL}.licence-noted"
    if not (folder / DEFAULT_MODEL).is_file() or marker.exists():
        return None
    try:
        marker.touch()
    except OSError:
        pass  # a read-only data folder: the note is shown again next time, which is harmless
    return WEIGHTS_NOTE
