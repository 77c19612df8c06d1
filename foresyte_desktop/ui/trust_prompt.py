"""Asking the user, once per file content, before a PyTorch .pt model is used: unpickling one
can run any code in it. The check runs in the library's lane; only the question is on the GUI
thread."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget


def confirm_pickle_model(parent: QWidget, path: str) -> bool:
    """True when the user trusts the .pt file at `path`."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Trust This Model File?",
                      f"“{Path(path).name}” is a PyTorch .pt file, and loading one can run any "
                      "code it contains. Use it only if you trust where it came from.",
                      parent=parent)
    box.setInformativeText(f"{path}\n\nAn .onnx export of the model holds no code and is the "
                           "safer choice. ForeSyte asks again if the file changes.")
    trust = box.addButton("Trust and Use", QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.exec()
    return box.clickedButton() is trust
