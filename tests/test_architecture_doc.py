"""docs/architecture.md names every module of the package and nothing else, and its picture is
the one docs/architecture_diagram.py draws."""
import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"


def test_every_module_has_its_line_and_every_line_its_module():
    listed = set(re.findall(r"^- `(foresyte_desktop/[\w/]+\.py)`:", DOC.read_text("utf-8"),
                            re.MULTILINE))
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "foresyte_desktop").rglob("*.py")
               if p.name != "__init__.py"}
    assert not listed - modules, f"listed but gone: {sorted(listed - modules)}"
    assert not modules - listed, f"not listed: {sorted(modules - listed)}"


def test_the_picture_is_what_the_script_draws():
    spec = importlib.util.spec_from_file_location("architecture_diagram",
                                                  ROOT / "docs" / "architecture_diagram.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.OUT.read_text("utf-8") == script.render(), \
        "run: python docs/architecture_diagram.py"
