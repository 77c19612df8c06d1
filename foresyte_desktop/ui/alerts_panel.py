"""The Alerts panel: what the watchlists found, newest first, each opening its frame, and
acknowledged or dismissed with the buttons under the list."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)

from foresyte_desktop.core.alerts import Alert
from foresyte_desktop.core.formatting import local_time, plural, video_time

COLUMNS = ("At", "Read", "Term", "Video", "Raised")
_SEEN = QColor("#6b6b6b")


class AlertsPanel(QWidget):
    open_requested = Signal(str, int)      # job id, frame index
    state_requested = Signal(object, str)  # alert ids, "acknowledged" or "dismissed"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.alerts: list[Alert] = []
        self.summary = QLabel("No alerts yet: add a watchlist with `foresyte watchlist add`.")
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.setMinimumWidth(360)  # what was read and the term side by side, in a side dock
        self.table.itemDoubleClicked.connect(lambda _item: self.open_current())
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.open_button = QPushButton("Open Frame")
        self.ack_button = QPushButton("Acknowledge")
        self.dismiss_button = QPushButton("Dismiss")
        self.open_button.clicked.connect(self.open_current)
        self.ack_button.clicked.connect(lambda: self._request("acknowledged"))
        self.dismiss_button.clicked.connect(lambda: self._request("dismissed"))
        buttons = QHBoxLayout()
        for button in (self.open_button, self.ack_button, self.dismiss_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._update_buttons()

    def show_alerts(self, alerts: list[Alert]) -> None:
        """Fill the list (newest first), keeping the selected alerts selected."""
        keep = set(self.selected_ids())
        self.alerts = list(alerts)
        new = sum(a.state == "new" for a in alerts)
        self.summary.setText(f"{plural(len(alerts), 'alert')}, {new} new. Double-click one to "
                             "open its frame." if alerts else "No alerts.")
        self.table.setRowCount(len(alerts))
        for row, alert in enumerate(alerts):
            errors = "" if not alert.distance else f" ({plural(alert.distance, 'OCR error')})"
            cells = (video_time(alert.time_s), alert.text,
                     f"{alert.list_name}: {alert.term}{errors}", Path(alert.video_path).name,
                     local_time(alert.raised_at))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(alert.sentence())
                if alert.state == "new":
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                else:
                    item.setForeground(QBrush(_SEEN))
                self.table.setItem(row, col, item)
            if alert.alert_id in keep:
                self.table.selectRow(row)
        self._update_buttons()

    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        return [self.alerts[r].alert_id for r in rows if r < len(self.alerts)]

    def open_current(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.alerts):
            self.open_requested.emit(self.alerts[row].job_id, self.alerts[row].frame_index)

    def _request(self, state: str) -> None:
        ids = self.selected_ids()
        if ids:
            self.state_requested.emit(ids, state)

    def _update_buttons(self) -> None:
        chosen = bool(self.table.selectedIndexes())
        for button in (self.open_button, self.ack_button, self.dismiss_button):
            button.setEnabled(chosen)
