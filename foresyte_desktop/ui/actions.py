"""Making the window's actions: text, shortcut, standard icon, and a tooltip naming the keys."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QStyle, QWidget


def make_action(parent: QWidget, text: str, slot: Callable, keys: str | None = None,
                icon: QStyle.StandardPixmap | None = None, tip: str | None = None,
                checkable: bool = False) -> QAction:
    """A QAction on `parent`; `slot` gets `toggled` when checkable, else `triggered`."""
    act = QAction(text, parent)
    if keys:
        act.setShortcut(QKeySequence(keys))
    if icon is not None:
        act.setIcon(parent.style().standardIcon(icon))
    act.setCheckable(checkable)
    tip = tip or text
    act.setStatusTip(tip)
    keys_text = act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    act.setToolTip(f"{tip} ({keys_text})" if keys_text else tip)
    (act.toggled if checkable else act.triggered).connect(slot)
    return act
