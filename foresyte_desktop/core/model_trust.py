"""Which model files may be loaded. A `.pt` file is a Python pickle: loading it can run any
code, so each one needs the user's confirmation once, remembered by the SHA-256 of its
content (a changed file must be confirmed again). `.onnx` holds no code and needs none."""
from __future__ import annotations

import hashlib
import os
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


def check_trusted(store, path: str) -> str | None:
    """The SHA-256 of a pickle model the user trusts (None for formats that need no trust);
    raises UntrustedModel otherwise."""
    if not is_pickle(path):
        return None
    sha = sha256_file(path)
    if not store.is_model_trusted(sha):
        raise UntrustedModel(path, sha)
    return sha


def verify_unchanged(path: str, sha256: str | None) -> None:
    """Right before loading: the file is still the one that was trusted."""
    if sha256 and sha256_file(path) != sha256:
        raise ModelError(f"“{Path(path).name}” changed after it was confirmed as trusted; "
                         "confirm the new file before using it.")
