"""Where ForeSyte keeps its data, and keeping third-party libraries out of the user's home."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "ForeSyte"
DB_NAME = "foresyte.duckdb"


def default_data_dir() -> Path:
    """The platform's per-user application data folder: `$XDG_DATA_HOME/foresyte`,
    `~/Library/Application Support/ForeSyte` or `%LOCALAPPDATA%\\ForeSyte`."""
    # Folders in XDG_DATA_HOME are lower case by custom; macOS and Windows show the name.
    name = APP_NAME if sys.platform in ("win32", "darwin") else "foresyte"
    return Path(user_data_dir(name, appauthor=False))


def resolve_data_dir(explicit: str | os.PathLike | None = None) -> Path:
    """`--data-dir` wins, then FORESYTE_DATA_DIR, then the platform default; created user-only."""
    chosen = explicit or os.environ.get("FORESYTE_DATA_DIR") or default_data_dir()
    path = Path(chosen).expanduser().resolve()
    make_private_dir(path)
    return path


def make_private_dir(path: Path) -> None:
    """Create a folder readable by its owner alone (0700 on POSIX): what videos show is private."""
    if path.is_dir():
        return  # an existing folder keeps the permissions its owner gave it
    path.mkdir(parents=True, mode=0o700)
    if os.name == "posix":
        os.chmod(path, 0o700)  # mkdir's mode is filtered by the umask


def output_dir(data_dir: Path) -> Path:
    out = data_dir / "output"
    make_private_dir(out)
    return out


def models_dir(data_dir: Path) -> Path:
    return data_dir / "models"


def confine_third_party_files(data_dir: Path) -> None:
    """Point ultralytics, matplotlib and torch at folders under the data dir, not at ~.

    Must run before those libraries are imported: they read these variables at import time.
    """
    config = data_dir / "config"
    for var, sub in (("YOLO_CONFIG_DIR", "ultralytics"), ("MPLCONFIGDIR", "matplotlib"),
                     ("TORCH_HOME", "torch"), ("XDG_CACHE_HOME", "cache")):
        if not os.environ.get(var):
            target = config / sub
            target.mkdir(parents=True, exist_ok=True)
            os.environ[var] = str(target)
    # OpenCV and FFmpeg print decoder chatter to stderr; failures reach the user as sentences.
    os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
    # Ultralytics would otherwise try to install missing packages and send usage analytics.
    os.environ.setdefault("YOLO_AUTOINSTALL", "false")
    os.environ.setdefault("YOLO_VERBOSE", "false")
    if offline():
        os.environ.setdefault("YOLO_OFFLINE", "true")


def offline() -> bool:
    """FORESYTE_OFFLINE=1 forbids every network fetch (tests, air-gapped machines)."""
    return os.environ.get("FORESYTE_OFFLINE", "").lower() in {"1", "true", "yes"}
