"""The case report as a PDF (and as page images): the HTML report's content laid out on A4 by
Qt's QTextDocument and printed with QPdfWriter, each video from a new page.

Qt lays out text only in a process with a QGuiApplication; where there is none yet (the command
line) one is made, on the offscreen platform unless another is set.
"""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, QUrl
from PySide6.QtGui import (
    QFont, QGuiApplication, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter, QTextDocument,
)

from foresyte_desktop.core.errors import ForesyteError
from foresyte_desktop.core.exporters import replaced_atomically
from foresyte_desktop.core.report import Picture, Report
from foresyte_desktop.core.report_html import report_markup

MARGIN_MM = 12
_app = None


def _ensure_app() -> None:
    global _app
    if QGuiApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _app = QGuiApplication([])


def _screen_dpi() -> float:
    """The resolution the document's units (pixels) are laid out at: the screen's logical."""
    return QGuiApplication.primaryScreen().logicalDotsPerInchY()


def _layout() -> QPageLayout:
    return QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                       QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
                       QPageLayout.Unit.Millimeter)


def _document(report: Report) -> QTextDocument:
    """The report laid out on pages the size of A4's printable area, so that printing it
    keeps these pages (and their breaks) and `pageCount` is the PDF's."""
    _ensure_app()
    doc = QTextDocument()
    doc.setDefaultFont(QFont("DejaVu Sans", 8))
    pictures: list[Picture] = []

    def src(picture: Picture) -> str:
        pictures.append(picture)
        return f"report-image:{len(pictures)}"
    markup = report_markup(report, src)
    for n, picture in enumerate(pictures, start=1):
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(f"report-image:{n}"),
                        QImage.fromData(picture.data))
    doc.setHtml(markup)
    doc.setPageSize(QSizeF(_layout().paintRectPixels(round(_screen_dpi())).size()))
    return doc


def write_pdf(report: Report, path: str | Path) -> int:
    """Write the report as a PDF, through a temporary file; returns its number of pages.
    ForesyteError says why it could not be written."""
    path = Path(path)
    doc = _document(report)
    try:
        with replaced_atomically(path, ".pdf") as tmp:
            writer = QPdfWriter(str(tmp))
            writer.setPageLayout(_layout())
            writer.setTitle(report.title)
            writer.setCreator(f"ForeSyte {report.version}")
            doc.print_(writer)
            del writer  # closes the file
            if tmp.stat().st_size == 0:
                raise ForesyteError(f"Qt wrote nothing to {path}.")
    except OSError as exc:
        raise ForesyteError(f"Could not write {path}: {exc.strerror or exc}.") from None
    return doc.pageCount()


def page_images(report: Report, pages: int = 1, *, dpi: int = 110) -> list[QImage]:
    """The first `pages` pages as images, laid out as in the PDF (for pictures of a report)."""
    doc = _document(report)
    page = doc.pageSize()
    scale = dpi / _screen_dpi()
    layout = _layout()
    full, margins = layout.fullRectPixels(dpi), layout.marginsPixels(dpi)
    out = []
    for n in range(min(pages, doc.pageCount())):
        image = QImage(full.width(), full.height(), QImage.Format.Format_RGB32)
        image.fill(0xFFFFFF)
        painter = QPainter(image)
        painter.translate(margins.left(), margins.top())
        painter.scale(scale, scale)
        painter.translate(0, -n * page.height())
        doc.drawContents(painter, QRectF(0, n * page.height(), page.width(), page.height()))
        painter.end()
        out.append(image)
    return out
