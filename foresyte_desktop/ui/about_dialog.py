"""Help ▸ About ForeSyte: the version, the licence, and buttons that show the licence text and
the third-party notices. The AGPL asks an interactive program to show these notices."""
from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout,
    QWidget,
)

from foresyte_desktop import __version__
from foresyte_desktop.core.licences import (
    LICENCE, LICENCE_FILE, LICENCE_NAME, NOTICES_FILE, shipped_text,
)


class TextFileDialog(QDialog):
    """A licence file, read-only, in a fixed-width font (the texts are laid out for one)."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.view = QPlainTextEdit()
        self.view.setReadOnly(True)
        self.view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.view.setPlainText(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addWidget(buttons)
        self.resize(820, 640)


class AboutDialog(QDialog):
    def __init__(self, data_dir: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("About ForeSyte")
        icon = QLabel()
        icon.setPixmap(QGuiApplication.windowIcon().pixmap(64, 64))
        self.text = QLabel(
            f"<h3>ForeSyte Desktop {html.escape(__version__)}</h3>"
            "<p>Reads the text and the objects in video files.</p>"
            f"<p>Licence: {LICENCE_NAME} ({LICENCE}). ForeSyte is free software: you may "
            "redistribute and modify it under that licence. It comes with ABSOLUTELY NO "
            "WARRANTY. Whoever gave you ForeSyte must also give you, or offer you, its source "
            "code.</p>"
            "<p>It contains third-party software, each part under its own licence: see the "
            "third-party notices.</p>"
            f"<p>Data folder: {html.escape(str(data_dir))}</p>")
        self.text.setWordWrap(True)
        self.text.setMinimumWidth(440)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.licence_button = self._viewer_button(buttons, "Licence…", "ForeSyte Licence",
                                                  LICENCE_FILE)
        self.notices_button = self._viewer_button(buttons, "Third-Party Notices…",
                                                  "Third-Party Notices", NOTICES_FILE)
        top = QHBoxLayout()
        top.addWidget(icon, 0)
        top.addWidget(self.text, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(buttons)
        self.viewer: TextFileDialog | None = None

    def _viewer_button(self, buttons: QDialogButtonBox, label: str, title: str,
                       name: str) -> QPushButton:
        button = buttons.addButton(label, QDialogButtonBox.ButtonRole.ActionRole)
        text = shipped_text(name)
        if text is None:  # read now, so a missing file shows as a disabled button
            button.setEnabled(False)
            button.setToolTip(f"{name} is not installed with this copy of ForeSyte")
        else:
            button.clicked.connect(lambda: self._show(title, text))
        return button

    def _show(self, title: str, text: str) -> None:
        self.viewer = TextFileDialog(title, text, self)
        self.viewer.open()


def show_about(data_dir: Path, parent: QWidget) -> AboutDialog:
    """Open the About box over `parent`; it is deleted when closed."""
    dialog = AboutDialog(data_dir, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
