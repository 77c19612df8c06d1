"""Files shipped with ForeSyte (the sample video, icons, default settings), found in a source
tree and in a PyInstaller bundle."""
from __future__ import annotations

import json
import sys
from pathlib import Path

SAMPLE_VIDEO = "sample.mp4"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


def resource_path(name: str) -> Path:
    """`resources/<name>`: under sys._MEIPASS when frozen, else at the top of the source tree."""
    base = getattr(sys, "_MEIPASS", None)
    root = Path(base) if base else Path(__file__).resolve().parents[2]
    return root / "resources" / name


def default_settings() -> dict:
    """What a first start uses before the user chose anything (resources/default_settings.json);
    empty when the file is missing or unreadable, and the built-in defaults apply."""
    try:
        settings = json.loads(resource_path("default_settings.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return settings if isinstance(settings, dict) else {}


def icon_files() -> list[Path]:
    """The application icon at each size shipped."""
    return [p for p in (resource_path(f"icons/foresyte-{n}.png") for n in ICON_SIZES)
            if p.is_file()]
