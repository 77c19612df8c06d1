"""The files the bundle ships in resources/: the .desktop entry, icons and default settings."""
from __future__ import annotations

import configparser
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from foresyte_desktop.core.model import JobSpec
from foresyte_desktop.core.pipelines import PIPELINES

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
ICONS = RESOURCES / "icons"


def _render_icons_module():
    spec = importlib.util.spec_from_file_location("render_icons", ICONS / "render_icons.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pixels(image) -> np.ndarray:
    """One row of 4 channel values per pixel."""
    data = np.frombuffer(image.constBits(), np.uint8, image.sizeInBytes())
    return data.reshape(image.height(), image.bytesPerLine())[:, :image.width() * 4].reshape(-1, 4)


def test_desktop_entry_launches_foresyte_with_its_icon():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # keys are case-sensitive
    entry.read(RESOURCES / "foresyte.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application"
    assert desktop["Exec"].split()[0] == "foresyte"
    assert "video/mp4" in desktop["MimeType"].split(";")
    assert (ICONS / f"{desktop['Icon']}.svg").is_file()


@pytest.mark.skipif(not shutil.which("desktop-file-validate"),
                    reason="desktop-file-validate (Debian: desktop-file-utils) is not installed")
def test_desktop_entry_passes_the_freedesktop_validator():
    done = subprocess.run(["desktop-file-validate", str(RESOURCES / "foresyte.desktop")],
                          capture_output=True, text=True)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout


def test_png_icons_are_the_svg_rendered_at_each_size(qapp):
    from PySide6.QtGui import QImage
    from PySide6.QtSvg import QSvgRenderer
    icons = _render_icons_module()
    renderer = QSvgRenderer(str(ICONS / "foresyte.svg"))
    assert renderer.isValid()
    for size in icons.PNG_SIZES:
        png = QImage(str(ICONS / f"foresyte-{size}.png"))
        assert (png.width(), png.height()) == (size, size)
        fresh = icons.render(renderer, size).convertToFormat(png.format())
        # Tolerant of anti-aliasing that differs between Qt versions, not of a changed drawing.
        off = np.abs(_pixels(fresh).astype(int) - _pixels(png).astype(int)).max(axis=1) > 32
        assert off.mean() < 0.001, \
            f"foresyte-{size}.png is out of date: run {ICONS / 'render_icons.py'}"
    assert (ICONS / "foresyte.ico").is_file() and (ICONS / "foresyte.icns").is_file()


def test_default_settings_make_a_valid_job():
    settings = json.loads((RESOURCES / "default_settings.json").read_text(encoding="utf-8"))
    spec = JobSpec(input_path="", **settings["job"])
    assert spec.pipeline_id in PIPELINES
    assert spec.frame_stride >= 1
    assert settings["max_parallel_jobs"] >= 1


def test_render_icons_script_writes_every_icon(tmp_path):
    """Run on a copy of the folder without its outputs, it writes every icon file again."""
    copy = tmp_path / "icons"
    shutil.copytree(ICONS, copy, ignore=shutil.ignore_patterns("*.png", "*.ico", "*.icns"))
    done = subprocess.run([sys.executable, str(copy / "render_icons.py")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    for made in [*ICONS.glob("*.png"), ICONS / "foresyte.ico", ICONS / "foresyte.icns"]:
        assert (copy / made.name).is_file()
