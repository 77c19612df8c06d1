"""The layering import-linter cannot express: workers use QtCore and nothing else of Qt."""
import ast
from pathlib import Path

WORKERS = Path(__file__).resolve().parents[1] / "foresyte_desktop" / "workers"


def test_workers_import_qtcore_only():
    found = set()
    for path in WORKERS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            found |= {n for n in names if n.startswith(("PySide6", "shiboken6"))}
    qt_modules = {n for n in found if n.count(".") >= 1 and n.split(".")[1].startswith("Qt")}
    assert {n.split(".")[1] for n in qt_modules} <= {"QtCore"}, sorted(found)
