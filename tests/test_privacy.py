"""What the app reads stays private: no recognised text in logs (unless debug), no shell."""
import ast
import os
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "foresyte_desktop"


def run(video, data, **env):
    return subprocess.run([sys.executable, "-m", "foresyte_desktop", "run", str(video),
                           "--stride", "20", "--data-dir", str(data)],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, **env})


def test_logs_hold_no_recognised_text_unless_debug(tmp_path, text_video):
    quiet, debug = tmp_path / "quiet", tmp_path / "debug"
    assert run(text_video, quiet, FORESYTE_DEBUG="").returncode == 0
    assert run(text_video, debug, FORESYTE_DEBUG="1").returncode == 0
    quiet_log = (quiet / "logs" / "foresyte.log").read_text(encoding="utf-8")
    debug_log = (debug / "logs" / "foresyte.log").read_text(encoding="utf-8")
    assert "completed" in quiet_log and "HELLO" not in quiet_log
    assert "HELLO WORLD" in debug_log


def test_nothing_is_passed_through_a_shell():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func)
                shell = any(k.arg == "shell" and not (isinstance(k.value, ast.Constant)
                                                      and k.value.value is False)
                            for k in node.keywords)
                if shell or name in ("os.system", "os.popen", "subprocess.getoutput",
                                     "subprocess.getstatusoutput"):
                    offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {name}")
    assert offenders == []
