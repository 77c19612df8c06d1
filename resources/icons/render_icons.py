"""Render foresyte.svg into the PNG sizes Linux desktops use, and the Windows and macOS icons.

Run after editing the SVG: `.venv/bin/python resources/icons/render_icons.py`.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

HERE = Path(__file__).resolve().parent
SVG = HERE / "foresyte.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (Qt needs one)
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        print(f"{SVG} is not a valid SVG file.", file=sys.stderr)
        return 1
    for size in PNG_SIZES:
        render(renderer, size).save(str(HERE / f"foresyte-{size}.png"))
    master = HERE / "foresyte-1024.tmp.png"  # icns wants 512@2x
    render(renderer, 1024).save(str(master))
    try:
        with Image.open(master) as big:
            big.save(HERE / "foresyte.icns")
            big.save(HERE / "foresyte.ico", sizes=[(s, s) for s in ICO_SIZES])
    finally:
        master.unlink()
    print(f"Wrote {len(PNG_SIZES)} PNG sizes, foresyte.ico and foresyte.icns to {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
