"""Which model files may be loaded. A `.pt` file is a Python pickle: loading it can run any
code, so each one needs the user's confirmation once, remembered by the SHA-256 of its
content (a changed file must be confirmed again). `.onnx` holds no code and needs none.

A process hashes each version of a file once (the window's question, the runner's check);
the analysis child hashes it again right before loading, since the file may have been swapped
since, and only that hash decides what is loaded.
"""
from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

from foresyte_desktop.core.errors import ModelError

PICKLE_SUFFIXES = (".pt", ".pth")


class UntrustedModel(ModelError):
    """A pickle model file the user has not confirmed."""

    def __init__(self, path: str, sha256: str):
        self.path, self.sha256 = path, sha256
        super().__init__(
            f"“{Path(path).name}” is a PyTorch .pt file, and loading one can run any code it "
            f"contains. If you trust where it came from, confirm it in the window or run again "
            f"with --trust-model; an .onnx export of the model is the safer choice.")


def is_pickle(path: str | os.PathLike) -> bool:
    return Path(path).suffix.lower() in PICKLE_SUFFIXES


def sha256_file(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


_known: dict[tuple[str, int, int], str] = {}  # (path, size, mtime) → SHA-256
_known_lock = threading.Lock()


def model_sha256(path: str | os.PathLike) -> str:
    """The SHA-256 of a model file, read once per version of the file (its size and mtime)."""
    st = os.stat(path)
    key = (str(Path(path).resolve()), st.st_size, st.st_mtime_ns)
    with _known_lock:
        sha = _known.get(key)
    if sha is None:
        sha = sha256_file(path)
        with _known_lock:
            _known[key] = sha
    return sha


def check_trusted(store, path: str) -> str | None:
    """The SHA-256 of a pickle model the user trusts (None for formats that need no trust);
    raises UntrustedModel otherwise."""
    if not is_pickle(path):
        return None
    sha = model_sha256(path)
    if not store.is_model_trusted(sha):
        raise UntrustedModel(path, sha)
    return sha


def untrusted_sha(store, path: str | None) -> str | None:
    """The SHA-256 of `path` when it is a pickle the user has not trusted yet, else None.
    A missing or unreadable file is left to the job, which fails with the reason."""
    if not path or not Path(path).is_file():
        return None
    try:
        check_trusted(store, path)
    except UntrustedModel as exc:
        return exc.sha256
    except OSError:
        return None
    return None


def verify_unchanged(path: str, sha256: str | None) -> None:
    """Right before loading: the file is still the one that was trusted."""
    if sha256 and sha256_file(path) != sha256:
        raise ModelError(f"“{Path(path).name}” changed after it was confirmed as trusted; "
                         "confirm the new file before using it.")
