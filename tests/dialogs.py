"""Answering the window's modal dialogs from a test, as a user would: typing a file name,
replacing a file or not, filling in a form."""
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QMessageBox


def answering(*answers) -> list[str]:
    """Answer the modal dialogs that open next, in order: a string is typed as the file name
    in a file dialog, True or False replaces or keeps an existing file, a function is called
    with any other dialog (and accepts it). Returns the questions asked about existing
    files."""
    pending, asked = list(answers), []

    def poll():
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QFileDialog) and isinstance(pending[0], str):
            dialog.findChild(QLineEdit, "fileNameEdit").setText(pending.pop(0))
            dialog.accept()
        elif isinstance(dialog, QMessageBox) and isinstance(pending[0], bool):
            asked.append(dialog.text())
            want = "Replace" if pending.pop(0) else "Cancel"
            next(b for b in dialog.buttons() if b.text() == want).click()
        elif dialog is not None and callable(pending[0]):
            pending.pop(0)(dialog)
        if pending:
            QTimer.singleShot(20, poll)
    QTimer.singleShot(0, poll)
    return asked
