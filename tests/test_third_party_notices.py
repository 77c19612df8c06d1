"""The notice script, run on the installed packages, lists every distribution foresyte.spec
bundles with its licence text, and the Debian copyright of each system library the bundle
carries; it fails on a licence not on the allow-list, on a distribution without licence
metadata or text, on a notices file that is out of date, and on a build holding a package or
a system library the notices do not cover."""
import json
import re
import subprocess
import sys
from importlib.metadata import Distribution, distribution

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.test_bundle_spec import run_spec
from tools import third_party_notices as tpn

pytest.importorskip("PyInstaller")


@pytest.fixture(scope="module")
def notices(tmp_path_factory):
    out = tmp_path_factory.mktemp("notices") / "THIRD-PARTY-NOTICES.txt"
    r = subprocess.run([sys.executable, str(tpn.ROOT / "tools" / "third_party_notices.py"),
                        "-o", str(out)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return out


def sections(text: str) -> dict[str, str]:
    """Each licence section's title (“name version: licence”) and body."""
    parts = re.split(r"^={100}\n(.+)\n={100}$", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2]))


def test_every_distribution_the_spec_bundles_is_listed_with_its_licence_text(notices):
    with pytest.MonkeyPatch.context() as mp:
        _, analysis = run_spec("linux", mp)["Analysis"][0]
    excludes = set(analysis["excludes"])
    assert tpn.spec_excludes() == excludes  # the script reads the list the build uses
    bundled = tpn.bundled_distributions(excludes, ["pyinstaller"])
    names = {canonicalize_name(d.metadata["Name"]) for d in bundled}
    direct = {canonicalize_name(Requirement(r).name) for r in distribution(tpn.APP).requires
              if "extra" not in r}
    assert direct <= names
    assert {"torch", "torchvision", "onnxruntime", "ultralytics", "pyinstaller"} <= names
    assert not {"triton", "polars"} & names  # excluded by the spec

    found = sections(notices.read_text(encoding="utf-8"))
    by_name = {title.split(" ")[0]: (title, body) for title, body in found.items()}
    for dist in bundled:
        name = canonicalize_name(dist.metadata["Name"])
        title, body = by_name[name]
        assert title.startswith(f"{name} {dist.version}: ")
        assert "\n--- " in body and len(body.strip()) > 200, title
    assert "python" in by_name
    assert "GNU AFFERO GENERAL PUBLIC LICENSE" in by_name["ultralytics"][1]
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in by_name["pyside6-essentials"][1]
    assert "FFmpeg is redistributed" in by_name["opencv-python"][1]


def test_lgpl_libraries_say_how_to_replace_them_and_where_the_source_is(notices):
    head = notices.read_text(encoding="utf-8").split("LICENCE TEXTS")[0]
    assert "_internal/PySide6/Qt/lib/libQt6" in head
    assert re.search(r"_internal/opencv_python\.libs/libavcodec-\w+\.so\.[\d.]+", head)
    assert "download.qt.io" in head and "ffmpeg.org" in head and "same name" in head


def test_a_licence_not_on_the_allow_list_fails(tmp_path, capsys):
    reviewed = json.loads(tpn.ALLOW_LIST.read_text(encoding="utf-8"))
    del reviewed["allowed"]["MIT"]
    allow = tmp_path / "allow.json"
    allow.write_text(json.dumps(reviewed), encoding="utf-8")
    assert tpn.main(["--allow-list", str(allow), "-o", str(tmp_path / "n.txt")]) == 1
    assert "licence “MIT” is not on the reviewed allow-list" in capsys.readouterr().err
    assert not (tmp_path / "n.txt").exists()


def fake_distribution(tmp_path, metadata: str) -> Distribution:
    info = tmp_path / "fake-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: fake\nVersion: 1.0\n{metadata}")
    (info / "RECORD").write_text("fake/__init__.py,,\nfake-1.0.dist-info/METADATA,,\n")
    return Distribution.at(info)


@pytest.mark.parametrize("metadata, problem", [
    ("", "fake 1.0: no licence in its metadata"),
    ("License: MIT\n", "fake 1.0: ships no licence text"),
])
def test_a_distribution_without_licence_metadata_or_text_fails(tmp_path, monkeypatch,
                                                                metadata, problem):
    fake = fake_distribution(tmp_path, metadata)
    monkeypatch.setattr(tpn, "bundled_distributions", lambda *_: [fake])
    reviewed = json.loads(tpn.ALLOW_LIST.read_text(encoding="utf-8"))
    with pytest.raises(tpn.NoticeError, match=problem):
        tpn.collect(reviewed, set())


def test_check_tells_a_stale_notices_file(notices, tmp_path, capsys):
    assert tpn.main(["--check", str(notices)]) == 0
    stale = tmp_path / "stale.txt"
    stale.write_text(notices.read_text(encoding="utf-8").replace("6.", "5.", 1))
    assert tpn.main(["--check", str(stale)]) == 1
    assert "out of date" in capsys.readouterr().err
    assert tpn.main(["--check", str(tmp_path / "missing.txt")]) == 1


def test_system_libraries_come_with_their_debian_copyright(notices):
    text = notices.read_text(encoding="utf-8")
    system = text.split("SYSTEM LIBRARIES FROM THE BUILD MACHINE")[1]
    packages = tpn.system_packages(tpn.listed_system_libraries())
    assert packages  # Qt's xcb platform plugin alone needs a dozen
    for package, (version, libs) in packages.items():
        assert f"{package} {version}: {', '.join(libs)}\n" in system
        assert f"--- /usr/share/doc/{package}/copyright" in system
    assert "/usr/share/common-licenses/LGPL-2.1\n" in system  # the texts they point to


def write_build(build, collected, archived):
    """The two tables of contents a PyInstaller build leaves in build/foresyte."""
    build.mkdir(exist_ok=True)
    (build / "COLLECT-00.toc").write_text(repr((collected,)), encoding="utf-8")
    (build / "PYZ-00.toc").write_text(repr((str(build / "PYZ-00.pyz"), archived)),
                                      encoding="utf-8")


def test_check_bundle_fails_on_what_the_notices_do_not_cover(tmp_path, capsys):
    site = "/venv/lib/python3.11/site-packages"
    listed = sorted(tpn.listed_system_libraries())[0]
    collected = [(listed, f"/usr/lib/x86_64-linux-gnu/{listed}", "BINARY"),
                 ("LICENSE", "/src/LICENSE", "DATA")]
    archived = [("yaml", f"{site}/yaml/__init__.py", "PYMODULE")]
    write_build(tmp_path / "build", collected, archived)
    assert tpn.main(["--check-bundle", str(tmp_path / "build")]) == 0

    collected.append(("libnew.so.1", "/usr/lib/x86_64-linux-gnu/libnew.so.1", "BINARY"))
    archived.append(("_pytest", f"{site}/_pytest/__init__.py", "PYMODULE"))
    write_build(tmp_path / "build", collected, archived)
    assert tpn.main(["--check-bundle", str(tmp_path / "build")]) == 1
    err = capsys.readouterr().err
    assert "the bundle holds libnew.so.1" in err
    assert "the bundle holds files of pytest, which the notices do not cover" in err
