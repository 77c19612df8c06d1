"""Asking where to save an export: the format from a typed extension (else the filter chosen),
the suffix added, and a question before an existing file — the one that will be written — is
replaced."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget


def resolve(typed: str, suffixes: dict[str, str], chosen: str) -> tuple[str, Path]:
    """(format, path) for a typed file name: the format its extension names (the longest
    suffix that matches), else `chosen` with that format's suffix added."""
    lower = Path(typed).name.lower()
    for fmt, suffix in sorted(suffixes.items(), key=lambda kv: -len(kv[1])):
        if lower.endswith(suffix) and len(lower) > len(suffix):
            return fmt, Path(typed)
    return chosen, Path(typed + suffixes[chosen])


def ask_save_path(parent: QWidget, title: str, folder: Path, name: str,
                  filters: dict[str, tuple[str, str]], fmt: str) -> tuple[str, Path] | None:
    """(format, path) to write, or None if the user gave up. `filters` maps each format to its
    (filter text, suffix); `fmt` is selected first and `name` proposed in `folder`."""
    dialog = QFileDialog(parent, title, str(folder), ";;".join(f for f, _ in filters.values()))
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    # The dialog would ask about the name as typed, before its suffix is known: asked below.
    dialog.setOption(QFileDialog.Option.DontConfirmOverwrite)
    dialog.selectNameFilter(filters[fmt][0])
    dialog.selectFile(name)
    if not dialog.exec() or not dialog.selectedFiles():
        return None
    chosen = next((k for k, (f, _) in filters.items() if f == dialog.selectedNameFilter()), fmt)
    fmt, path = resolve(dialog.selectedFiles()[0], {k: s for k, (_, s) in filters.items()},
                        chosen)
    if path.exists() and not confirm_replace(parent, path):
        return None
    return fmt, path


def confirm_replace(parent: QWidget, path: Path) -> bool:
    box = QMessageBox(QMessageBox.Icon.Warning, "Replace File?",
                      f"“{path.name}” already exists in {path.parent}. Replace it?",
                      QMessageBox.StandardButton.Cancel, parent)
    replace = box.addButton("Replace", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is replace
