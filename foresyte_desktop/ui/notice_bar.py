"""A dismissable notice above the job list: what was skipped and why, without a modal dialog,
with at most one button for what the user can do about it."""
from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

MAX_LINES = 8


class NoticeBar(QFrame):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("NoticeBar")
        self.setStyleSheet("#NoticeBar { background: #fff4d6; border: 1px solid #e8c66a; "
                           "border-radius: 6px; } #NoticeBar QLabel { color: #4a3b00; }")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.button = QPushButton()
        self.button.clicked.connect(self._on_button)
        self._do: Callable[[], None] | None = None
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_lines(self, title: str, lines: list[str],
                   action: tuple[str, Callable[[], None]] | None = None) -> None:
        """A bold title and one line per item (the first few, then how many more); `action`,
        (label, what it does), adds a button that does it and dismisses the notice."""
        shown = [html.escape(line) for line in lines[:MAX_LINES]]
        if len(lines) > MAX_LINES:
            shown.append(f"…and {len(lines) - MAX_LINES} more.")
        self.label.setText(f"<b>{html.escape(title)}</b><br>" + "<br>".join(shown))
        self._do = action[1] if action else None
        self.button.setText(action[0] if action else "")
        self.button.setVisible(action is not None)
        self.show()

    def _on_button(self) -> None:
        do, self._do = self._do, None
        self.hide()
        if do is not None:
            do()

    def text(self) -> str:
        return self.label.text()
