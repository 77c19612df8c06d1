"""Logging to a file in the data dir. Recognised text is never logged unless debug is on."""
from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path


def debug_enabled() -> bool:
    return os.environ.get("FORESYTE_DEBUG", "").lower() in {"1", "true", "yes"}


def configure_logging(data_dir: Path) -> Path:
    logs = data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = logs / "foresyte.log"
    root = logging.getLogger("foresyte_desktop")
    if not any(isinstance(h, logging.handlers.RotatingFileHandler) for h in root.handlers):
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3,
                                                       encoding="utf-8")
        handler.setFormatter(logging.Formatter(
            "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug_enabled() else logging.INFO)
    return path
