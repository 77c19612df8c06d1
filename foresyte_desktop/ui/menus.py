"""The window's menus, toolbars and the job list's context menu, made from the actions its
controllers own. `window` is the MainWindow, with its controllers built."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QSizePolicy, QToolBar, QWidget


def build_menus(window: QMainWindow) -> None:
    jobs, exports, frames = window.job_actions, window.exports, window.frame_exports
    region, viewer = window.region_tool, window.viewer
    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    file_menu.addActions([jobs.act_add, jobs.act_add_folder, window.watch_folders.act_watch])
    file_menu.addSeparator()
    file_menu.addActions([exports.act_export, frames.act_export_frame, frames.act_copy_frame,
                          frames.act_export_video, window.report_export.act_report,
                          jobs.act_reveal, jobs.act_data_folder])
    file_menu.addSeparator()
    file_menu.addAction(window.act_quit)

    edits = window.review_edits
    edit_menu = bar.addMenu("&Edit")
    edit_menu.addActions([edits.act_undo, edits.act_redo])
    edit_menu.addSeparator()
    edit_menu.addActions([edits.act_replace, edits.act_suggest])

    jobs_menu = bar.addMenu("&Jobs")
    jobs_menu.addActions([jobs.act_cancel, jobs.act_retry, jobs.act_remove,
                          jobs.act_clear_finished])
    jobs_menu.addSeparator()
    jobs_menu.addActions([region.act_draw, region.act_clear])
    jobs_menu.addSeparator()
    jobs_menu.addActions([window.cases.act_new, window.cases.act_put, window.cases.act_take_out])
    jobs_menu.addSeparator()
    jobs_menu.addActions(list(exports.act_export_as.values()))
    jobs_menu.addAction(frames.act_export_video)

    bar.addMenu("&Queue").addAction(jobs.act_start)

    review_menu = bar.addMenu("&Review")
    review_menu.setToolTipsVisible(True)
    for act in edits.menu_actions():
        review_menu.addSeparator() if act is None else review_menu.addAction(act)

    view_menu = bar.addMenu("&View")
    view_menu.addActions([viewer.act_show_ocr, viewer.act_show_detections,
                          viewer.act_show_labels, viewer.act_follow])
    view_menu.addSeparator()
    view_menu.addActions(viewer.navigation_actions())
    follow_menu = view_menu.addMenu("Followed Object")
    follow_menu.setToolTipsVisible(True)
    follow_menu.addActions(viewer.following_actions())
    view_menu.addSeparator()
    view_menu.addActions([window.find.act_find, window.alerts.act_alerts])

    help_menu = bar.addMenu("&Help")
    help_menu.addActions([jobs.act_sample, window.act_shortcuts])
    help_menu.addSeparator()
    help_menu.addAction(window.act_about)


def build_toolbars(window: QMainWindow) -> None:
    jobs = window.job_actions
    main = QToolBar("Queue")
    main.setObjectName("queue_toolbar")
    main.setMovable(False)
    main.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    main.addActions([jobs.act_add, jobs.act_start])
    main.addSeparator()
    main.addActions([jobs.act_cancel, jobs.act_retry, jobs.act_remove])
    main.addSeparator()
    main.addActions([window.exports.act_export, jobs.act_reveal])
    main.addSeparator()
    main.addAction(window.find.act_find)
    spacer = QWidget()
    spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    main.addWidget(spacer)
    main.addWidget(QLabel(" Parallel jobs: "))
    main.addWidget(window.window_settings.parallel)
    main.addWidget(QLabel("  When done: "))
    main.addWidget(window.window_settings.when_done)
    window.addToolBar(main)
    window.addToolBarBreak()
    options = QToolBar("New jobs")
    options.setObjectName("options_toolbar")
    options.setMovable(False)
    for widget in window.options.widgets():
        options.addWidget(widget)
    options.addSeparator()
    options.addWidget(window.cases.bar)  # the case new files join, and the list shows
    window.addToolBar(options)


def job_context_menu(window: QMainWindow, pos) -> None:
    """The job list's right-click menu: actions on the jobs, or on empty space, adding some."""
    jobs, table = window.job_actions, window.table
    menu = QMenu(window)
    if not table.indexAt(pos).isValid():
        menu.addActions([jobs.act_add, jobs.act_add_folder, jobs.act_sample])
        menu.addSeparator()
        menu.addAction(jobs.act_clear_finished)
        menu.exec(table.viewport().mapToGlobal(pos))
        return
    menu.addActions([jobs.act_cancel, jobs.act_retry, jobs.act_remove,
                     jobs.act_clear_finished])
    menu.addSeparator()
    menu.addActions([window.region_tool.act_draw, window.region_tool.act_clear])
    menu.addSeparator()
    menu.addActions([window.cases.act_put, window.cases.act_take_out])
    menu.addSeparator()
    menu.addAction(jobs.act_reveal)
    export = menu.addMenu("Export")
    export.addActions(list(window.exports.act_export_as.values()))
    export.addAction(window.frame_exports.act_export_video)
    job = table.current_job()
    if job and job.error_message:
        menu.addSeparator()
        menu.addAction(jobs.act_copy_error)
    menu.exec(table.viewport().mapToGlobal(pos))


def shortcut_actions(window: QMainWindow) -> list[QAction]:
    """The actions the Keyboard Shortcuts list shows, in its order."""
    jobs, frames, viewer = window.job_actions, window.frame_exports, window.viewer
    edits = window.review_edits
    return [jobs.act_add, jobs.act_add_folder, window.find.act_find, window.alerts.act_alerts,
            jobs.act_start,
            jobs.act_cancel, jobs.act_retry, jobs.act_remove, window.exports.act_export,
            jobs.act_reveal, frames.act_export_frame, frames.act_copy_frame,
            frames.act_export_video, window.region_tool.act_draw,
            viewer.act_show_ocr, viewer.act_show_detections, viewer.act_follow,
            *viewer.navigation_actions(), *viewer.following_actions(),
            *[act for act in edits.menu_actions() if act is not None], edits.act_undo,
            edits.act_redo, edits.act_replace, window.cases.act_put,
            window.report_export.act_report]
