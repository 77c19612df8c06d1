"""opencv-python points Qt at its own bundled Qt 5 plugins and fonts when cv2 is imported; the
window must start with PySide6's own platform plugin whatever was imported first."""
import json
import os
import shutil
import subprocess
import sys

import pytest

PROBE = r"""
import json, os
import cv2  # first, as a script or a test suite might
set_by_cv2 = {v: os.environ.get(v) for v in ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR")}
from foresyte_desktop.ui.app import create_application
app = create_application()
import PySide6
with open("/proc/self/maps") as maps:
    plugins = sorted({line.split()[-1] for line in maps if "/platforms/libq" in line})
print(json.dumps({"set_by_cv2": set_by_cv2, "platform": app.platformName(),
                  "plugins": plugins, "pyside": os.path.dirname(PySide6.__file__),
                  "cv2": os.path.dirname(cv2.__file__),
                  "left": {v: os.environ.get(v) for v in set_by_cv2},
                  "library_paths": app.libraryPaths()}))
"""

PLATFORMS = ["offscreen"] + (["xcb"] if shutil.which("xvfb-run") else [])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/maps")
@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_platform_plugin_comes_from_pyside6_even_after_importing_cv2(platform):
    env = dict(os.environ, QT_QPA_PLATFORM=platform)
    for var in ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR"):
        env.pop(var, None)
    command = [sys.executable, "-c", PROBE]
    if platform == "xcb":  # the plugin opencv-python bundles, so the one that could clash
        command = ["xvfb-run", "-a", *command]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["platform"] == platform
    if probe["set_by_cv2"]["QT_QPA_PLATFORM_PLUGIN_PATH"]:  # this opencv build does set it
        assert probe["set_by_cv2"]["QT_QPA_PLATFORM_PLUGIN_PATH"].startswith(probe["cv2"])
    assert probe["left"] == {"QT_QPA_PLATFORM_PLUGIN_PATH": None, "QT_QPA_FONTDIR": None}
    assert probe["plugins"], "no platform plugin was loaded"
    assert all(p.startswith(probe["pyside"]) for p in probe["plugins"]), probe["plugins"]
    assert not any(p.startswith(probe["cv2"]) for p in probe["library_paths"])
