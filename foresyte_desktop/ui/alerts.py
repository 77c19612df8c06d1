"""Alerts in the window: the Alerts panel in its dock, a notice above the job list when a
watchlist term is read, the system tray's message while the window is minimised, and an alert
opened on its frame."""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QStyle, QSystemTrayIcon

from foresyte_desktop.core.formatting import plural
from foresyte_desktop.ui.actions import make_action
from foresyte_desktop.ui.alerts_panel import AlertsPanel
from foresyte_desktop.ui.notice_bar import NoticeBar
from foresyte_desktop.ui.review import Review
from foresyte_desktop.workers.watching import Watching


class Alerts(QObject):
    def __init__(self, window: QMainWindow, watching: Watching, review: Review,
                 notice: NoticeBar):
        super().__init__(window)
        self.window = window
        self.watching = watching
        self.notice = notice
        self.panel = AlertsPanel()
        self.act_alerts = make_action(window, "Alerts", self.show_panel, "Ctrl+Shift+A",
                                      QStyle.StandardPixmap.SP_MessageBoxWarning,
                                      "What the watchlists found in the videos")
        self.dock = QDockWidget("Alerts")
        self.dock.setObjectName("alerts_dock")
        self.dock.setWidget(self.panel)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()  # until an alert is raised or asked for
        self.tray = QSystemTrayIcon(QApplication.windowIcon(), self)
        self.tray.setToolTip("ForeSyte")
        self.tray.messageClicked.connect(self._from_tray)
        self.panel.open_requested.connect(review.show_frame)
        self.panel.state_requested.connect(watching.set_state)
        watching.alerts_raised.connect(self._on_raised)
        watching.alerts_changed.connect(self.reload)
        watching.start()
        self.reload()

    def show_panel(self) -> None:
        self.dock.show()
        self.dock.raise_()
        self.reload()

    def reload(self) -> None:
        self.watching.alerts(on_done=self.panel.show_alerts)

    def _on_raised(self, found: list) -> None:
        """A notice naming what was read, in the window and, while it is minimised, on the
        desktop."""
        title = f"{plural(len(found), 'new alert')}:"
        lines = [a.sentence() for a in found]
        self.notice.show_lines(title, lines)
        self.window.statusBar().showMessage(f"{title} {lines[0]}", 15000)
        self.reload()
        if not self.dock.isVisible():
            self.dock.show()
        if self.window.isMinimized() and QSystemTrayIcon.isSystemTrayAvailable():
            self.tray.show()
            self.tray.showMessage(f"ForeSyte: {title.rstrip(':')}", "\n".join(lines[:5]),
                                  QSystemTrayIcon.MessageIcon.Warning, 15000)

    def _from_tray(self) -> None:
        self.window.showNormal()
        self.window.activateWindow()
        self.show_panel()
