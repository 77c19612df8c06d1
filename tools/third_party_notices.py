"""Writes THIRD-PARTY-NOTICES.txt from the installed distributions the bundle is made of and
the Debian packages of the system libraries it carries (`--check FILE`: exit 1 when FILE
differs from what it would write), and fails when a distribution has no licence metadata or
text, or a licence not on the reviewed allow-list.

It lives outside the package because it reads an installed environment's metadata, which a
frozen bundle does not have; the bundle carries its output instead.
"""
from __future__ import annotations

import argparse
import ast
import json
import platform
import re
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from importlib.metadata import Distribution, PackageNotFoundError, distribution, distributions
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
REVIEWED = Path(__file__).resolve().parent / "licences"
ALLOW_LIST = REVIEWED / "allow-list.json"
SPEC = ROOT / "foresyte.spec"
SYSTEM_LIBRARIES = REVIEWED / "system-libraries.txt"
DPKG_INFO = Path("/var/lib/dpkg/info")
COMMON_LICENCE = re.compile(r"/usr/share/common-licenses/([A-Za-z0-9+_.-]*[A-Za-z0-9+_-])")
OUTPUT = ROOT / "THIRD-PARTY-NOTICES.txt"
APP = "foresyte-desktop"
LICENCE_NAME = re.compile(r"^(LICEN[CS]E|COPYING|NOTICE|AUTHORS)", re.IGNORECASE)
# auditwheel's names for the libraries a wheel carries: libavcodec-c4204469.so.62.28.101
WHEEL_LIB = re.compile(r"^lib(?P<name>[A-Za-z0-9]+)-[0-9a-f]{8}\.so\.(?P<version>[\d.]+)$")
FFMPEG_LIBS = {"avcodec", "avdevice", "avfilter", "avformat", "avutil", "swresample", "swscale"}


class NoticeError(Exception):
    """A distribution that cannot be shipped until its licence is reviewed."""


@dataclass
class Notice:
    name: str
    version: str
    licence: str       # the SPDX expression the distribution declares
    used_under: str    # the alternative of that expression ForeSyte uses
    texts: list[tuple[str, str]]  # (file it came from, its text)


def spec_excludes(spec: Path = SPEC) -> set[str]:
    """The module names foresyte.spec keeps out of the bundle (its EXCLUDES list)."""
    for node in ast.parse(spec.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "EXCLUDES"
                                                for t in node.targets):
            return set(ast.literal_eval(node.value))
    raise NoticeError(f"{spec.name} has no EXCLUDES list to read")


def _top_level_names() -> dict[str, set[str]]:
    names: dict[str, set[str]] = {}
    for module, dists in packages_distributions().items():
        for dist in dists:
            names.setdefault(canonicalize_name(dist), set()).add(module)
    return names


def installs_files(dist: Distribution) -> bool:
    """False for a metapackage, which only pulls in others: nothing of it reaches the bundle."""
    return any(not any(p.endswith(".dist-info") for p in f.parts) for f in dist.files or [])


def _installed(name: str) -> Distribution:
    try:
        return distribution(name)
    except PackageNotFoundError:
        raise NoticeError(f"{name} is bundled but not installed") from None


def bundled_distributions(excludes: set[str], also: list[str]) -> list[Distribution]:
    """foresyte-desktop's runtime dependencies, extras requested along the way included,
    without a distribution whose every module is excluded (nor what only it pulls in); and the
    distributions in `also`, without theirs. Sorted by name, the app itself left out."""
    tops = _top_level_names()
    found = {canonicalize_name(n): _installed(n) for n in also}
    extras_done: dict[str, set[str]] = {}
    todo: list[tuple[str, set[str]]] = [(APP, set())]
    while todo:
        name, extras = todo.pop()
        name = canonicalize_name(name)
        if tops.get(name) and tops[name] <= excludes:
            continue
        if name in extras_done and extras <= extras_done[name]:
            continue
        extras_done.setdefault(name, set()).update(extras)
        dist = found[name] = _installed(name)
        for line in dist.requires or []:
            req = Requirement(line)
            if req.marker is None or any(req.marker.evaluate({"extra": e})
                                         for e in {"", *extras}):
                todo.append((req.name, set(req.extras)))
    found.pop(APP)
    return [found[n] for n in sorted(found) if installs_files(found[n])]


def declared_licence(dist: Distribution, reviewed: dict) -> str:
    """The licence as an SPDX expression: the reviewed entry, else License-Expression, else a
    one-line License field, else a licence classifier; known spellings mapped to SPDX."""
    name = canonicalize_name(dist.metadata["Name"])
    entry = reviewed["distributions"].get(name, {})
    if "licence" in entry:
        return entry["licence"]
    meta = dist.metadata
    field = (meta.get("License") or "").strip()
    candidates = [meta.get("License-Expression"), field if "\n" not in field else None,
                  *[c for c in meta.get_all("Classifier") or [] if c.startswith("License :: ")
                    and c != "License :: OSI Approved"]]
    for found in candidates:
        if found:
            return reviewed["aliases"].get(found.strip(), found.strip())
    raise NoticeError(f"{name} {dist.version}: no licence in its metadata; read its licence "
                      f"and add it under 'distributions' in {ALLOW_LIST.name}")


def used_under(expression: str, allowed: dict) -> str | None:
    """The first alternative of `expression` made only of allowed licences, or None.
    `A OR B AND C` reads as `A OR (B AND C)`, as in SPDX; parentheses need an allowed entry
    of their own."""
    if expression in allowed:
        return expression
    if "(" in expression:
        return None
    for alternative in expression.split(" OR "):
        if all(term.strip() in allowed for term in alternative.split(" AND ")):
            return alternative.strip()
    return None


def _leading_comment(text: str) -> str:
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").removeprefix(" "))
    return "\n".join(lines).strip("\n")


def licence_texts(dist: Distribution, entry: dict) -> list[tuple[str, str]]:
    """The licence files a distribution ships (in its .dist-info, vendored ones included), or
    what its reviewed entry points to: `text_in` files of its own, `texts` kept in the repo."""
    if "texts" in entry:
        return [(f"tools/licences/{n}", (REVIEWED / n).read_text(encoding="utf-8"))
                for n in entry["texts"]]
    if "text_in" in entry:
        names = [entry["text_in"]] if isinstance(entry["text_in"], str) else entry["text_in"]
        out = []
        for rel in names:
            path = Path(dist.locate_file(rel))
            if path.is_file():  # a file gone in a new release: "ships no licence text"
                text = path.read_text(encoding="utf-8", errors="replace")
                out.append((rel, _leading_comment(text) if rel.endswith(".py") else text))
        return out
    out = []
    for f in sorted(dist.files or [], key=str):
        parts = f.parts
        in_info = [i for i, p in enumerate(parts) if p.endswith(".dist-info")]
        if in_info and ("licenses" in parts[in_info[0]:-1] or LICENCE_NAME.match(parts[-1])):
            out.append((str(f), Path(dist.locate_file(f)).read_text(encoding="utf-8",
                                                                     errors="replace")))
    return out


def _tidy(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").splitlines()).strip()


def collect(reviewed: dict, excludes: set[str]) -> list[Notice]:
    """A notice per bundled distribution, the Python runtime last; raises NoticeError naming
    every distribution that fails the review."""
    notices, problems = [], []
    for dist in bundled_distributions(excludes, list(reviewed.get("also_bundled", {}))):
        name = canonicalize_name(dist.metadata["Name"])
        try:
            licence = declared_licence(dist, reviewed)
        except NoticeError as exc:
            problems.append(str(exc))
            continue
        chosen = used_under(licence, reviewed["allowed"])
        if chosen is None:
            problems.append(f"{name} {dist.version}: licence “{licence}” is not on the "
                            f"reviewed allow-list ({ALLOW_LIST.name}); review what it "
                            "requires and add it, or drop the dependency")
        texts = [(src, _tidy(t)) for src, t in
                 licence_texts(dist, reviewed["distributions"].get(name, {})) if t.strip()]
        if not texts:
            problems.append(f"{name} {dist.version}: ships no licence text; point its entry "
                            f"in {ALLOW_LIST.name} at one (text_in or texts)")
        notices.append(Notice(name, dist.version, licence, chosen or licence, texts))
    if problems:
        raise NoticeError("\n".join(problems))
    python_licence = Path(sysconfig.get_paths()["stdlib"]) / "LICENSE.txt"
    if not python_licence.is_file():
        raise NoticeError(f"the Python runtime's licence is not at {python_licence}")
    notices.append(Notice("python", platform.python_version(), "PSF-2.0", "PSF-2.0",
                          [("LICENSE.txt", _tidy(python_licence.read_text(encoding="utf-8")))]))
    return notices


def listed_system_libraries(path: Path = SYSTEM_LIBRARIES) -> set[str]:
    return {line.strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")}


def _build_entries(build_dir: Path) -> list[tuple[str, str, str]]:
    """(destination, source, kind) of every file a PyInstaller build put in the bundle: its
    COLLECT-00.toc, and PYZ-00.toc for the modules inside the executable's archive."""
    collected, = ast.literal_eval((build_dir / "COLLECT-00.toc").read_text(encoding="utf-8"))
    _, archived = ast.literal_eval((build_dir / "PYZ-00.toc").read_text(encoding="utf-8"))
    return [tuple(e) for e in collected + archived if e[1]]


def bundle_system_libraries(build_dir: Path) -> set[str]:
    """The file names of the libraries a build took from the machine rather than from the
    Python installation or a package."""
    python = (Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve())
    return {Path(dest).name for dest, src, kind in _build_entries(build_dir)
            if kind == "BINARY" and "site-packages" not in src
            and not any(Path(src).resolve().is_relative_to(p) for p in python)}


def bundle_distributions(build_dir: Path) -> set[str]:
    """The installed distributions a build took any file from (matched by the path under
    site-packages, which RECORD files give)."""
    owner = {}
    for dist in distributions():  # RECORD read as text: Distribution.files is far slower
        name = canonicalize_name(dist.metadata["Name"])
        for line in (dist.read_text("RECORD") or "").splitlines():
            owner[line.rsplit(",", 2)[0]] = name
    return {owner[rel] for rel in (src.split("site-packages/", 1)[1] for _, src, _ in
                                   _build_entries(build_dir) if "site-packages/" in src)
            if rel in owner}


def check_bundle(build_dir: Path, reviewed: dict) -> list[str]:
    """What a build holds that the notices do not cover, one sentence each."""
    problems = [f"the bundle holds {name}, which is not in {SYSTEM_LIBRARIES}; add it and "
                "run make notices" for name in sorted(bundle_system_libraries(build_dir)
                                                      - listed_system_libraries())]
    covered = {canonicalize_name(d.metadata["Name"]) for d in bundled_distributions(
        spec_excludes(), list(reviewed.get("also_bundled", {})))} | {APP}
    problems += [f"the bundle holds files of {name}, which the notices do not cover: exclude "
                 "it in foresyte.spec, or make it a dependency"
                 for name in sorted(bundle_distributions(build_dir) - covered)]
    return problems


def system_packages(names: set[str]) -> dict[str, tuple[str, list[str]]]:
    """Debian package → (version, library files) for each of `names` installed here, read from
    dpkg's file lists (dpkg-query -S is far slower). A library not installed here cannot reach
    a bundle built here and is left out."""
    packages: dict[str, list[str]] = {}
    for listing in sorted(DPKG_INFO.glob("*.list")):
        libs = {Path(line).name for line in listing.read_text(encoding="utf-8",
                                                               errors="replace").splitlines()}
        if libs & names:
            packages[listing.stem.split(":")[0]] = sorted(libs & names)
    if not packages:
        raise NoticeError("no system library of the bundle was found in dpkg's database; the "
                          "Linux bundle is built, and its notices written, on Debian or Ubuntu")
    versions = subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${Version}\n",
                               *packages], capture_output=True, text=True).stdout
    version = dict(line.split(" ", 1) for line in versions.splitlines())
    return {p: (version[p], libs) for p, libs in packages.items()}


def system_section() -> str:
    """The Debian copyright file of each package the bundle's system libraries come from, and
    the common licence texts those files point to (a bundle leaves /usr/share behind)."""
    packages = system_packages(listed_system_libraries())
    parts, common = ["SYSTEM LIBRARIES FROM THE BUILD MACHINE (DEBIAN PACKAGES)\n",
                     "The Linux bundle carries these libraries of the machine it was built "
                     "on, in its _internal\nfolder. Each is a separate shared library that you "
                     "may replace with your own build of the\nsame name; its source is that of "
                     "its Debian package (apt-get source PACKAGE, or\nhttps://sources.debian.org)"
                     ". Their licences are as their Debian copyright files state:\n"], set()
    for package, (version, libs) in packages.items():
        copyright_file = Path("/usr/share/doc") / package / "copyright"
        if not copyright_file.is_file():
            raise NoticeError(f"the Debian package {package} has no {copyright_file}")
        text = copyright_file.read_text(encoding="utf-8", errors="replace")
        common |= {m for m in COMMON_LICENCE.findall(text)
                   if (Path("/usr/share/common-licenses") / m).is_file()}
        parts.append(f"{'=' * 100}\n{package} {version}: {', '.join(libs)}\n{'=' * 100}\n"
                     f"--- {copyright_file}\n\n{_tidy(text)}\n")
    for name in sorted(common):
        text = (Path("/usr/share/common-licenses") / name).read_text(encoding="utf-8")
        parts.append(f"{'=' * 100}\n/usr/share/common-licenses/{name}\n{'=' * 100}\n"
                     f"{_tidy(text)}\n")
    return "\n".join(parts)


HEADER = """\
THIRD-PARTY NOTICES FOR FORESYTE DESKTOP

ForeSyte Desktop is free software: you can redistribute it and/or modify it under the terms of
the GNU Affero General Public License as published by the Free Software Foundation, version 3
or (at your option) any later version (AGPL-3.0-or-later, in the file LICENSE). It comes with
ABSOLUTELY NO WARRANTY. Whoever gave you ForeSyte must also give you, or offer you, its
complete source code.

ForeSyte's bundle also contains the software listed below, each part under its own licence,
which this file reproduces in full, and at its end the system libraries it took from the
machine it was built on. It is generated by tools/third_party_notices.py from the metadata of
the packages the bundle is built from: do not edit it by hand.

Model weights: RapidOCR's three ONNX text models are part of rapidocr-onnxruntime (Apache-2.0).
No YOLO weights are included. The default weights ForeSyte downloads on first use, yolo11n.pt,
are published by Ultralytics under AGPL-3.0.
"""


def _wheel_libs(dist: Distribution, names: set[str] | None) -> list[tuple[str, str, str]]:
    """(path, library, version) of each auditwheel-renamed library of `dist` (those in `names`
    when given)."""
    out = []
    for f in dist.files or []:
        m = WHEEL_LIB.match(f.name)
        if m and (names is None or m["name"] in names):
            out.append((str(f), m["name"], m["version"]))
    return sorted(out)


def lgpl_section(notices: list[Notice]) -> str:
    """What the LGPL asks of a distributor, for Qt (PySide6) and for the FFmpeg and Qt 5 that
    opencv-python carries: how to replace each library, and where its source is."""
    versions = {n.name: n.version for n in notices}
    qt = versions["pyside6-essentials"]  # PySide6 x.y.z wheels carry Qt x.y.z
    major_minor = ".".join(qt.split(".")[:2])
    cv = versions["opencv-python"]
    cv_dist = distribution("opencv-python")
    ffmpeg = _wheel_libs(cv_dist, FFMPEG_LIBS)
    qt5 = [lib for lib in _wheel_libs(cv_dist, None) if lib[1].startswith("Qt5")]

    def files(libs):
        return "\n".join(f"    _internal/{path}  ({lib} {v})" for path, lib, v in libs)
    return f"""\
LGPL LIBRARIES: REPLACING THEM, AND THEIR SOURCE

The GNU LGPL lets you use a modified version of an LGPL library with ForeSyte. Each library
below is a separate shared library file in the bundle's _internal folder (the paths are those
of the Linux bundle), loaded when ForeSyte starts; none is linked into ForeSyte statically.
To use your own build, save it in place of the file, under the same name, built from the same
release so that it keeps the same interface. ForeSyte's own source is under the AGPL-3.0, so
you may also rebuild the whole bundle (make bundle) against libraries of your choice.

Qt {qt} (LGPL-3.0-only), used through PySide6 {qt} and shiboken6 {versions["shiboken6"]}
  Files: _internal/PySide6/Qt/lib/libQt6*.so.6 and the plugins in _internal/PySide6/Qt/plugins
  Source of Qt {qt}: https://download.qt.io/official_releases/qt/{major_minor}/{qt}/single/
  Source of PySide6 and shiboken6:
    https://download.qt.io/official_releases/QtForPython/pyside6/
    https://code.qt.io/cgit/pyside/pyside-setup.git/tag/?h=v{qt}

FFmpeg (LGPL-2.1-or-later), inside opencv-python {cv}
  opencv-python states that the FFmpeg it carries is under the LGPL-2.1 (its
  LICENSE-3RD-PARTY.txt, reproduced below). The files, with their library versions:
{files(ffmpeg)}
  The part of each name before .so is what OpenCV's cv2 module asks for: save your build of
  that library (same major version) under that name.
  Source of FFmpeg: https://ffmpeg.org/download.html (the release with the library versions
  above). opencv-python's build scripts, which name the FFmpeg release and how it was
  configured: https://github.com/opencv/opencv-python/tree/{cv}

Qt 5 (LGPL-3.0-only), inside opencv-python {cv}, for OpenCV's own windows
{files(qt5)}
  Source: https://download.qt.io/archive/qt/5.15/ (the release named by the versions above)
"""


def render(notices: list[Notice]) -> str:
    width = max(len(n.name) for n in notices)
    summary = "\n".join(f"  {n.name:<{width}}  {n.version:<16}  {n.used_under}"
                        + (f"  (declared: {n.licence})" if n.used_under != n.licence else "")
                        for n in notices)
    parts = [HEADER, f"CONTENTS: {len(notices)} COMPONENTS AND THE LICENCE EACH IS USED UNDER\n\n"
             f"{summary}\n", lgpl_section(notices), "LICENCE TEXTS\n"]
    for n in notices:
        title = f"{n.name} {n.version}: {n.used_under}"
        parts.append(f"{'=' * 100}\n{title}\n{'=' * 100}")
        for source, text in n.texts:
            parts.append(f"--- {source}\n\n{text}\n")
    parts.append(system_section())
    return "\n".join(parts)


def generate(allow_list: Path = ALLOW_LIST, spec: Path = SPEC) -> str:
    """The notices file's text for the installed environment; raises NoticeError."""
    reviewed = json.loads(allow_list.read_text(encoding="utf-8"))
    return render(collect(reviewed, spec_excludes(spec)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", metavar="FILE", type=Path,
                        help="compare FILE with what would be written instead of writing")
    parser.add_argument("--check-bundle", metavar="BUILD_DIR", type=Path,
                        help="fail when a PyInstaller build (build/foresyte) holds a package "
                             "or a system library the notices do not cover, and exit")
    parser.add_argument("--allow-list", type=Path, default=ALLOW_LIST, metavar="JSON")
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT, metavar="FILE")
    args = parser.parse_args(argv)
    if args.check_bundle:
        reviewed = json.loads(args.allow_list.read_text(encoding="utf-8"))
        problems = check_bundle(args.check_bundle, reviewed)
        for problem in problems:
            print(f"third-party notices: {problem}", file=sys.stderr)
        return 1 if problems else 0
    if args.check and not args.check.is_file():
        print(f"third-party notices: {args.check} is missing", file=sys.stderr)
        return 1
    try:
        text = generate(args.allow_list)
    except NoticeError as exc:
        print(f"third-party notices: {exc}", file=sys.stderr)
        return 1
    if args.check:
        if args.check.read_text(encoding="utf-8") != text:
            print(f"third-party notices: {args.check} is out of date with the installed "
                  "packages; run make notices (and rebuild the bundle)", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"Wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
