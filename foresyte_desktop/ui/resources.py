"""Files shipped with ForeSyte (the sample video), found in a source tree and in a PyInstaller bundle."""
from __future__ import annotations

import sys
from pathlib import Path

SAMPLE_VIDEO = "sample.mp4"


def resource_path(name: str) -> Path:
    """`resources/<name>`: under sys._MEIPASS when frozen, else at the top of the source tree."""
    base = getattr(sys, "_MEIPASS", None)
    root = Path(base) if base else Path(__file__).resolve().parents[2]
    return root / "resources" / name
