"""Help ▸ About ForeSyte shows the version and the licence, opens the licence text and the
third-party notices, and disables a button whose file this copy lacks."""
from PySide6.QtCore import Qt

from foresyte_desktop import __version__
from foresyte_desktop.core.licences import NOTICES_FILE
from foresyte_desktop.ui import about_dialog
from foresyte_desktop.ui.about_dialog import AboutDialog


def test_about_box_states_version_and_licence_and_opens_both_texts(qtbot, tmp_path):
    dialog = AboutDialog(tmp_path)
    qtbot.addWidget(dialog)
    dialog.show()
    assert f"ForeSyte Desktop {__version__}" in dialog.text.text()
    assert "AGPL-3.0-or-later" in dialog.text.text() and str(tmp_path) in dialog.text.text()

    qtbot.mouseClick(dialog.notices_button, Qt.MouseButton.LeftButton)
    assert dialog.viewer.isVisible() and dialog.viewer.windowTitle() == "Third-Party Notices"
    notices = dialog.viewer.view.toPlainText()
    assert notices.startswith("THIRD-PARTY NOTICES FOR FORESYTE DESKTOP")
    assert "ultralytics" in notices and "FFmpeg" in notices
    dialog.viewer.reject()

    qtbot.mouseClick(dialog.licence_button, Qt.MouseButton.LeftButton)
    assert "GNU AFFERO GENERAL PUBLIC LICENSE" in dialog.viewer.view.toPlainText()
    assert dialog.viewer.view.isReadOnly()


def test_a_missing_notices_file_disables_its_button(qtbot, tmp_path, monkeypatch):
    real = about_dialog.shipped_text
    monkeypatch.setattr(about_dialog, "shipped_text",
                        lambda name: None if name == NOTICES_FILE else real(name))
    dialog = AboutDialog(tmp_path)
    qtbot.addWidget(dialog)
    assert not dialog.notices_button.isEnabled() and dialog.licence_button.isEnabled()


def test_the_help_menu_opens_it(window, qtbot):
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    assert window.act_about in help_menu.actions()
    window.act_about.trigger()
    dialog = window.findChild(AboutDialog)
    qtbot.waitUntil(dialog.isVisible)
    dialog.reject()
