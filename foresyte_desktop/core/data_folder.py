"""Opening the data folder: the one way the window, the CLI and the self-test start on one.

It is resolved and created, third-party libraries and the log are pointed into it (before those
libraries are imported), and its job store is opened.
"""
from __future__ import annotations

import os
from pathlib import Path

from foresyte_desktop.core.errors import StoreError
from foresyte_desktop.core.logsetup import configure_logging
from foresyte_desktop.core.paths import (
    confine_third_party_files, default_data_dir, resolve_data_dir,
)
from foresyte_desktop.core.store import JobStore


def open_data_folder(explicit: str | os.PathLike | None = None) -> tuple[Path, JobStore]:
    """The data folder and its open store. StoreError (StoreLockedError when another ForeSyte
    holds it) says in a sentence why it cannot be used."""
    try:
        data_dir = resolve_data_dir(explicit)
    except OSError as exc:
        chosen = explicit or os.environ.get("FORESYTE_DATA_DIR") or default_data_dir()
        raise StoreError(f"ForeSyte cannot use the data folder {chosen}: "
                         f"{exc.strerror or exc}.") from None
    confine_third_party_files(data_dir)
    configure_logging(data_dir)
    return data_dir, JobStore.open(data_dir)
