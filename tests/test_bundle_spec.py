"""foresyte.spec stays buildable without building it: it parses, and every path it names exists.

Building the bundle takes minutes (torch is a multi-gigabyte CUDA build), so `make bundle-check`
is run by hand. Here the spec runs with PyInstaller's own hook helpers (which find the real
files) and stand-ins for Analysis, PYZ, EXE, COLLECT and BUNDLE that only record their arguments.
"""
from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

pytest.importorskip("PyInstaller")

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "foresyte.spec"


def run_spec(platform: str, monkeypatch) -> dict:
    """Execute the spec as PyInstaller would on `platform`; returns what it asked to build."""
    calls: dict[str, list] = {}

    def recorder(kind):
        def record(*args, **kwargs):
            calls.setdefault(kind, []).append((args, kwargs))
            return SimpleNamespace(pure=[], scripts=[], binaries=[], datas=[], name=kind)
        return record

    monkeypatch.setattr(sys, "platform", platform)
    spec_globals = {"__file__": str(SPEC), "__name__": "__main__", "SPECPATH": str(ROOT),
                    **{k: recorder(k) for k in ("Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE")}}
    exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), spec_globals)
    return calls


@pytest.fixture(scope="module")
def linux_build():
    with pytest.MonkeyPatch.context() as mp:
        return run_spec("linux", mp)


def test_spec_parses_into_one_folder_bundle(linux_build):
    assert len(linux_build["Analysis"]) == 1
    (exe_args, exe) = linux_build["EXE"][0]
    assert exe["name"] == "foresyte" and exe["console"] is True
    assert exe["exclude_binaries"] is True  # one folder, not one file
    assert linux_build["COLLECT"][0][1]["name"] == "foresyte"
    assert "BUNDLE" not in linux_build


def test_every_path_the_spec_names_exists(linux_build):
    args, kwargs = linux_build["Analysis"][0]
    named = [Path(p) for p in args[0]] + [Path(src) for src, _ in kwargs["datas"]] \
        + [Path(src) for src, _ in kwargs["binaries"]] + [Path(p) for p in kwargs["pathex"]]
    missing = [str(p) for p in named if not p.exists()]
    assert not missing


def test_bundle_carries_resources_models_and_metadata(linux_build):
    _, kwargs = linux_build["Analysis"][0]
    dest = {(Path(src).name, d) for src, d in kwargs["datas"]}
    for name in ("sample.mp4", "default_settings.json", "foresyte.desktop"):
        assert (name, "resources") in dest
    assert ("foresyte.svg", "resources/icons") in dest
    assert ("foresyte-512.png", "resources/icons") in dest
    assert not [src for src, _ in kwargs["datas"] if src.endswith(".py")]
    onnx = {n for n, d in dest if d.startswith("rapidocr_onnxruntime") and n.endswith(".onnx")}
    assert len(onnx) == 3  # text detection, direction and recognition
    assert ("config.yaml", "rapidocr_onnxruntime") in dest
    assert {("LICENSE", "."), ("THIRD-PARTY-NOTICES.txt", ".")} <= dest  # shown by the app
    assert any(d.startswith("foresyte_desktop") and d.endswith((".dist-info", ".egg-info"))
               for _, d in kwargs["datas"])  # `foresyte --version` reads it
    assert any(Path(src).name.startswith("_C_stable") for src, _ in kwargs["binaries"])
    # OpenVINO's CPU plugin and ONNX reader, which it loads by path: no other plugin or reader
    openvino = {Path(src).name for src, d in kwargs["binaries"] if d == "openvino/libs"}
    assert {n for n in openvino if "plugin" in n} == {"libopenvino_intel_cpu_plugin.so"}
    frontends = {n for n in openvino if "frontend" in n}
    assert frontends and all(n.startswith("libopenvino_onnx_frontend") for n in frontends)


def test_nothing_the_app_runs_on_is_excluded(linux_build):
    _, kwargs = linux_build["Analysis"][0]
    needed = {"torch", "torchvision", "ultralytics", "onnxruntime", "openvino",
              "rapidocr_onnxruntime", "PySide6", "cv2", "duckdb", "numpy", "foresyte_desktop"}
    assert not needed & set(kwargs["excludes"])


@pytest.mark.parametrize("platform, names", [
    ("win32", {"ForeSyte", "foresyte-cli"}),
    ("darwin", {"foresyte"}),
])
def test_windows_and_macos_branches_name_files_that_exist(platform, names, monkeypatch):
    build = run_spec(platform, monkeypatch)
    exes = [kw for _, kw in build["EXE"]]
    assert {kw["name"] for kw in exes} == names
    icons = [kw["icon"] for kw in exes if kw["icon"]]
    if platform == "darwin":
        (_, bundle), = build["BUNDLE"]
        assert bundle["name"] == "ForeSyte.app"
        icons.append(bundle["icon"])
    assert icons and all(Path(i).is_file() for i in icons)
