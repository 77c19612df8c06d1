"""Opening the window: Qt set-up, the data folder and its database, and a clear refusal (never a
traceback) when there is no display or another ForeSyte holds the database."""
from __future__ import annotations

import importlib.util
import os
import signal
import sys
from pathlib import Path

from foresyte_desktop.core.errors import StoreError, StoreLockedError
from foresyte_desktop.core.exit_codes import EXIT_FAILED, EXIT_LOCKED, EXIT_USAGE

QT_VARS_SET_BY_OPENCV = ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR")
HEADLESS_PLATFORMS = ("offscreen", "minimal")


def use_pyside_plugins() -> None:
    """Undo what importing opencv-python does to Qt: it points Qt at its own bundled (Qt 5)
    platform plugins and fonts, which PySide6 must never load. Variables the user set to
    other places are left alone."""
    import cv2  # noqa: F401  (imported now so its side effect happens before the clean-up)
    spec = importlib.util.find_spec("cv2")
    roots = [Path(p).resolve() for p in (spec.submodule_search_locations or [])] if spec else []
    for var in QT_VARS_SET_BY_OPENCV:
        value = os.environ.get(var)
        if value and any(Path(value).resolve().is_relative_to(root) for root in roots):
            del os.environ[var]


def create_application():
    """The QApplication, created with PySide6's own plugins whatever was imported before."""
    use_pyside_plugins()
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("ForeSyte")
    app.setOrganizationName("ForeSyte")
    app.setApplicationDisplayName("ForeSyte")
    app.setDesktopFileName("foresyte")
    from PySide6.QtGui import QIcon

    from foresyte_desktop.ui.resources import icon_files
    icon = QIcon()
    for path in icon_files():
        icon.addFile(str(path))
    app.setWindowIcon(icon)
    return app


def no_display() -> bool:
    """On Linux, no X11 or Wayland session to show a window in (and no platform forced)."""
    return (sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM")
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"))


def is_headless() -> bool:
    from PySide6.QtGui import QGuiApplication
    return QGuiApplication.platformName() in HEADLESS_PLATFORMS


def refuse(message: str, title: str = "ForeSyte Cannot Start") -> None:
    """Say why the window cannot open: on stderr always, and in a dialog when one can be seen."""
    print(f"foresyte: {message}", file=sys.stderr)
    if not is_headless():
        from PySide6.QtWidgets import QMessageBox
        QMessageBox.critical(None, title, message)


def window_settings(data_dir: Path):
    """The window's remembered settings, kept in the data folder like everything else."""
    from PySide6.QtCore import QSettings
    return QSettings(str(data_dir / "config" / "window.ini"), QSettings.Format.IniFormat)


def main(files: list[str], data_dir: str | None) -> int:
    """`foresyte [FILE...]`: open the window, with those files queued."""
    if no_display():
        print("foresyte: the window needs a graphical session, and no display was found "
              "(DISPLAY and WAYLAND_DISPLAY are unset). Use `foresyte run FILE...` to analyse "
              "videos without one.", file=sys.stderr)
        return EXIT_USAGE
    app = create_application()
    from foresyte_desktop.core.data_folder import open_data_folder
    try:
        resolved, store = open_data_folder(data_dir)
    except StoreLockedError as exc:
        refuse(str(exc), "ForeSyte Is Already Open")
        return EXIT_LOCKED
    except StoreError as exc:
        refuse(str(exc))
        return EXIT_FAILED
    from PySide6.QtCore import QTimer

    from foresyte_desktop.ui.main_window import MainWindow
    try:
        window = MainWindow(store, resolved, window_settings(resolved))
        window.show()
        window.job_actions.add_paths(list(files))
        window.queue.start()
        # Ctrl+C or SIGTERM: quit like the window's close, keeping running jobs resumable.
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: QTimer.singleShot(0, window.quit_resume_later))
        wake = QTimer()  # lets Python run its signal handlers while Qt's loop waits
        wake.start(250)
        wake.timeout.connect(lambda: None)
        code = app.exec()
        window.queue.wait(2000)
        return code
    finally:
        store.close()
