"""The bar over the viewer while a tracked object is followed: which object, when it is on screen,
the text agreed on it, and buttons to jump to its first and last sighting, zoom to it, or stop."""
from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

from foresyte_desktop.core.formatting import plural, video_time
from foresyte_desktop.ui.frame_view import FOLLOW_COLOR, object_name


def track_title(track: dict) -> str:
    """"car #4": the object's class and its track id."""
    return object_name(track["label"], track["id"])


def track_summary(track: dict) -> str:
    """When the object is on screen and what it reads, in one line of plain text."""
    text = f"{video_time(track['start_s'])}–{video_time(track['end_s'])}, " \
           f"{plural(len(track['boxes']), 'frame')}"
    if track.get("text"):
        text += f", reads “{track['text']}” ({track['text_votes']} of " \
                f"{plural(track['text_frames'], 'reading')})"
    return text


class FollowBar(QFrame):
    def __init__(self, actions: list[QAction], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("FollowBar")
        self.setStyleSheet(f"#FollowBar {{ background: #2a1c1c; border-bottom: 2px solid "
                           f"{FOLLOW_COLOR.name()}; }} #FollowBar QLabel {{ color: #f2f2f2; }}"
                           " #FollowBar QToolButton { color: #f2f2f2; }")
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.RichText)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 3, 6, 3)
        layout.addWidget(self.label, 1)
        for action in actions:
            button = QToolButton()
            button.setDefaultAction(action)
            button.setAutoRaise(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            layout.addWidget(button)
        self.hide()

    def show_track(self, track: dict, on_frame: bool) -> None:
        where = "" if on_frame else " · <i>not on this frame</i>"
        self.label.setText(f"Following <b style='color:{FOLLOW_COLOR.name()}'>"
                           f"{html.escape(track_title(track))}</b> · "
                           f"{html.escape(track_summary(track))}{where}")
        self.show()

    def text(self) -> str:
        return self.label.text()
