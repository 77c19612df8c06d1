"""The case report as one self-contained HTML file, and `verify`, which checks such a file.

The HTML embeds its images as data: URIs and prints with each video on new pages. It carries
its facts for programs in a `<script type="application/json" id="foresyte-report">` element:
the SHA-256 of the rest of the file, and per video the job, the file's path, size and SHA-256,
and the SHA-256 of the results JSON the video's part was built from. `verify_report` checks all
of them against the file it reads, the store and the videos on disk. `report_markup` gives the
same content with the images named for a renderer that takes them apart (the PDF's).
"""
from __future__ import annotations

import hashlib
import json
import re
from base64 import b64encode
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from html import escape
from pathlib import Path

from foresyte_desktop.core.errors import ForesyteError
from foresyte_desktop.core.exporters import replaced_atomically
from foresyte_desktop.core.formatting import plural
from foresyte_desktop.core.model_trust import sha256_file
from foresyte_desktop.core.report import (
    STATE_COLOURS, Picture, Report, ReportError, VideoReport, results_sha256,
)
from foresyte_desktop.core.results import build_results
from foresyte_desktop.core.review_log import run_of
from foresyte_desktop.core.store import JobStore

FORMAT = "foresyte-report/1"
_PLACEHOLDER = "<!--foresyte-report-data-->"
_DATA = re.compile(r'<script type="application/json" id="foresyte-report">(.*?)</script>', re.S)
_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; color: #111;
       max-width: 60em; }
h1 { font-size: 17pt; margin: 0 0 0.3em 0; }
h2 { font-size: 12.5pt; margin: 1.1em 0 0.3em 0; border-bottom: 1px solid #999; }
table { border-collapse: collapse; margin: 0.2em 0 0.6em 0; }
th, td { border: 1px solid #bbb; padding: 3px 5px; vertical-align: top; text-align: left; }
th { background: #eee; }
.facts th { width: 13em; }
.mono { font-family: "DejaVu Sans Mono", monospace; font-size: 8.5pt; }
.small { font-size: 8.5pt; }
.unreviewed { color: #ef6c00; font-weight: bold; }
.added { color: #1565c0; font-weight: bold; }
.rejected { color: #c62828; font-weight: bold; }
.struck { text-decoration: line-through; }
.machine { color: #555; }
.footer { margin-top: 1.2em; font-size: 8.5pt; color: #333; }
.video { page-break-before: always; break-before: page; }
"""


def _t(ts: datetime | None) -> str:
    return ts.strftime("%Y-%m-%d %H:%M:%S UTC") if ts else "—"


def timecode(seconds: float) -> str:
    """00:01:02.345"""
    ms = int(round(max(0.0, seconds) * 1000))
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def _e(text) -> str:
    return escape("" if text is None else str(text))


def _img(src: Callable[[Picture], str], picture: Picture | None, alt: str) -> str:
    if picture is None:
        return '<span class="small">(no picture)</span>'
    return (f'<img src="{src(picture)}" width="{picture.width}" height="{picture.height}" '
            f'alt="{_e(alt)}">')


def _badge(state: str, include: bool) -> str:
    """How an item not verified shows, when the report includes such items."""
    if include and state in ("unreviewed", "rejected", "added"):
        return f' <span class="{state}">{state.upper()}</span>'
    return ""


def _video(v: VideoReport, n: int, total: int, include: bool,
           src: Callable[[Picture], str]) -> str:
    out = ['<div class="video" style="page-break-before: always">',
           f"<h1>Video {n} of {total}: {_e(v.name)}</h1>", '<table class="facts">']
    rows = [("File", v.name), ("Full path", v.path), ("Size", f"{v.size:,} bytes"),
            ("SHA-256", f'<span class="mono">{v.sha256}</span>'),
            ("Duration", timecode(v.duration_s) if v.duration_s is not None else "unknown"),
            ("Resolution", f"{v.width} × {v.height}" if v.width else "unknown"),
            ("Frame rate", f"{v.fps:g} frames per second" if v.fps else "unknown"),
            ("Frames", f"{v.frame_count:,}" if v.frame_count else "unknown"),
            ("Case", v.case or "none"), ("Job", f'<span class="mono">{v.job_id}</span>')]
    out += [f"<tr><th>{k}</th><td>{val if k in ('SHA-256', 'Job') else _e(val)}</td></tr>"
            for k, val in rows]
    out.append("</table><h2>Analysis and review</h2><table class=\"facts\">")
    seg, trk = v.counts["segments"], v.counts["tracks"]
    review = (f"text segments: {seg['verified']} verified, {seg['added']} added, "
              f"{seg['rejected']} rejected, {seg['unreviewed']} unreviewed, {seg['edited']} "
              f"corrected, of {seg['total']}; tracks: {trk['verified']} verified, "
              f"{trk['rejected']} rejected, {trk['unreviewed']} unreviewed, of {trk['total']}; "
              f"{plural(v.counts['notes']['bookmarks'], 'bookmark')}, "
              f"{plural(v.counts['notes']['notes'], 'note')}")
    rows = [("ForeSyte version", v.version), *v.settings,
            *((f"Model: {name}", f'<span class="mono">{_e(sha)}</span>') for name, sha in v.models),
            ("Queued", _t(v.queued_at)), ("Analysed", f"{_t(v.started_at)} to {_t(v.finished_at)}"),
            ("Reviewed by", ", ".join(v.reviewers) or "no one: not reviewed"),
            ("Review", review)]
    out += [f"<tr><th>{_e(k)}</th><td>{val if str(k).startswith('Model') else _e(val)}</td></tr>"
            for k, val in rows]
    out.append("</table><h2>Timeline</h2>")
    out.append(f"<p>{_img(src, v.timeline, 'timeline')}</p>")
    legend = ", ".join(f'<span style="color: rgb{STATE_COLOURS[s]}">■</span> {s}'
                       for s in STATE_COLOURS if include or s in ("verified", "added"))
    out.append(f'<p class="small">Text: {legend}; ▼ bookmarks; object rows: how many are on '
               "screen (darker: more).</p>")

    out.append("<h2>Text segments</h2>")
    if v.segments:
        out.append("<table><tr><th>#</th><th>Start – end</th><th>Text</th>"
                   "<th>The line in the video</th></tr>")
        for s in v.segments:
            struck = ' class="struck"' if s.state == "rejected" else ""
            text = f"<span{struck}>{_e(s.text)}</span>" + _badge(s.state, include)
            if s.machine_text:
                text += f'<br><span class="machine">machine read: {_e(s.machine_text)}</span>'
            text += "".join(f'<br><span class="small">Note: {_e(t)}</span>' for t in s.notes)
            out.append(
                f'<tr><td>{s.id}</td><td class="mono">{timecode(s.start_s)}<br>'
                f"{timecode(s.end_s)}<br>frames {s.first_frame}–{s.last_frame}</td>"
                f"<td>{text}</td><td>{_img(src, s.picture, s.text)}</td></tr>")
        out.append("</table>")
    else:
        out.append("<p>No text segment " + ("was read." if include else "was verified.") + "</p>")

    if v.tracks or v.counts["tracks"]["total"]:
        out.append("<h2>Tracked objects</h2>")
    if v.tracks:
        out.append("<table><tr><th>#</th><th>Object</th><th>Picture</th>"
                   "<th>On screen</th><th>Text on it</th></tr>")
        for t in v.tracks:
            label = _e(t.label) + _badge(t.state, include)
            if t.machine_label:
                label += f'<br><span class="machine">machine: {_e(t.machine_label)}</span>'
            text = _e(t.text or "") + (f'<br><span class="machine">machine: {_e(t.machine_text)}'
                                       "</span>" if t.machine_text else "")
            text += "".join(f'<br><span class="small">Note: {_e(n)}</span>' for n in t.notes)
            out.append(
                f"<tr><td>{t.id}</td><td>{label}</td>"
                f"<td>{_img(src, t.picture, t.label)}</td>"
                f'<td class="mono">{timecode(t.start_s)} to {timecode(t.end_s)}<br>'
                f"{t.seconds:.1f} s, frames {t.first_frame} to {t.last_frame}</td>"
                f"<td>{text}</td></tr>")
        out.append("</table>")
    elif v.counts["tracks"]["total"]:
        out.append("<p>No tracked object was verified.</p>")

    out.append("<h2>Bookmarks</h2>")
    if v.bookmarks:
        out.append("<table><tr><th>#</th><th>Where</th><th>Frame</th><th>Note</th></tr>")
        for b in v.bookmarks:
            out.append(f'<tr><td>{b.id}</td><td class="mono">{timecode(b.time_s)}<br>frame '
                       f"{b.frame}</td><td>{_img(src, b.picture, f'frame {b.frame}')}</td>"
                       f"<td>{_e(b.text) or '<i>(no note)</i>'}"
                       f'<br><span class="small">{_e(b.by)}, {_e(b.made_at)}</span></td></tr>')
        out.append("</table>")
    else:
        out.append("<p>No bookmarks.</p>")

    out.append("<h2>Watchlist hits</h2>")
    if v.alerts:
        out.append("<table><tr><th>Where</th><th>Read</th><th>Term</th><th>List</th>"
                   "<th>State</th></tr>")
        for a in v.alerts:
            errors = "as written" if not a.distance else plural(a.distance, "OCR error")
            out.append(f'<tr><td class="mono">{timecode(a.time_s)}<br>frame {a.frame_index}</td>'
                       f"<td>{_e(a.text)}</td><td>{_e(a.term)} ({_e(a.kind)}, {errors})</td>"
                       f"<td>{_e(a.list_name)}</td><td>{_e(a.state)}</td></tr>")
        out.append("</table>")
    else:
        out.append("<p>No watchlist term was found in this video.</p>")
    if v.pictures_missing:
        out.append(f"<p><b>No pictures:</b> {_e(v.pictures_missing)}</p>")

    out.append("<h2>Appendix: the edit log</h2>")
    if v.log:
        out.append('<table class="small"><tr><th>#</th><th>When (UTC)</th><th>Who</th>'
                   "<th>Action</th><th>What</th></tr>")
        for r in v.log:
            earlier = " (an earlier run)" if r.earlier_run else ""
            out.append(f"<tr><td>{r.seq}</td><td>{_t(r.at)}</td><td>{_e(r.user)}</td>"
                       f"<td>{_e(r.op.replace('_', ' '))}{earlier}</td><td>{_e(r.what)}</td></tr>")
        out.append("</table>")
    else:
        out.append("<p>Nothing was edited.</p>")
    out.append(f'<p class="footer">This part was built from the results JSON with SHA-256 '
               f'<span class="mono">{v.results_sha256}</span> (what <span class="mono">foresyte '
               f"export {v.job_id}</span> writes while the store is unchanged).</p></div>")
    return "\n".join(out)


def report_markup(report: Report, src: Callable[[Picture], str]) -> str:
    """The report's HTML, each picture's `src` given by `src`; without the facts for programs."""
    include = report.include_unreviewed
    what = ("Unreviewed and rejected items are included, marked UNREVIEWED and REJECTED."
            if include else "Only what the analyst verified or added is shown; unreviewed and "
            "rejected items are left out.")
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{_e(report.title)}: ForeSyte report</title>", _PLACEHOLDER,
           f"<style>{_CSS}</style></head><body>",
           f"<h1>{_e(report.title)}</h1>", '<table class="facts">',
           f"<tr><th>Case</th><td>{_e(report.case or 'none')}</td></tr>",
           f"<tr><th>Report made</th><td>{_t(report.made_at)} by {_e(report.made_by)}</td></tr>",
           f"<tr><th>ForeSyte version</th><td>{_e(report.version)}</td></tr>",
           f"<tr><th>Videos</th><td>{len(report.videos)}</td></tr></table>",
           f"<p>{what}</p>"]
    if report.left_out:
        out.append(f"<p>Not in this report, as their analysis is not complete: "
                   f"{_e(', '.join(report.left_out))}.</p>")
    out.append("<table><tr><th>#</th><th>File</th><th>SHA-256</th></tr>")
    out += [f'<tr><td>{n}</td><td>{_e(v.name)}</td><td class="mono">{v.sha256}</td></tr>'
            for n, v in enumerate(report.videos, start=1)]
    out.append("</table><p class=\"small\">Times are UTC; frame numbers count from 0, as in the "
               "results JSON. Check this file against the videos and the store with "
               "<span class=\"mono\">foresyte verify FILE</span>.</p>")
    out += [_video(v, n, len(report.videos), include, src)
            for n, v in enumerate(report.videos, start=1)]
    out.append('<p class="footer">Built from the results JSON documents with SHA-256 '
               + ", ".join(f'<span class="mono">{v.results_sha256}</span> ({_e(v.name)})'
                           for v in report.videos) + ".</p></body></html>")
    return "\n".join(out)


def _data_uri(picture: Picture) -> str:
    return f"data:{picture.mime};base64,{b64encode(picture.data).decode('ascii')}"


def _facts(report: Report, body_sha256: str) -> dict:
    return {"format": FORMAT, "made_at": _t(report.made_at), "made_by": report.made_by,
            "foresyte_version": report.version, "include_unreviewed": report.include_unreviewed,
            "case": report.case, "body_sha256": body_sha256,
            "videos": [{"job_id": v.job_id, "name": v.name, "path": v.path, "size": v.size,
                        "sha256": v.sha256, "results_sha256": v.results_sha256}
                       for v in report.videos]}


def render_html(report: Report) -> str:
    """The self-contained HTML file's text."""
    body = report_markup(report, _data_uri)
    facts = json.dumps(_facts(report, _sha(body)), ensure_ascii=False).replace("</", "<\\/")
    return body.replace(_PLACEHOLDER, f'<script type="application/json" id="foresyte-report">'
                                      f"{facts}</script>", 1)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_html(report: Report, path: str | Path) -> Path:
    """Write the HTML file through a temporary file; ForesyteError says why it could not."""
    path = Path(path)
    try:
        with replaced_atomically(path, ".html") as tmp:
            tmp.write_text(render_html(report), encoding="utf-8")
    except OSError as exc:
        raise ForesyteError(f"Could not write {path}: {exc.strerror or exc}.") from None
    return path


# -- verify ---------------------------------------------------------------------------------

@dataclass
class Check:
    ok: bool
    sentence: str


def verify_report(store: JobStore, path: str | Path) -> list[Check]:
    """What holds of a report: its text as written, and for each video the file on disk (size,
    SHA-256), the store's record of it, and the results it was built from. ReportError when
    the file is not a ForeSyte report."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(f"“{path.name}” cannot be read as a report: "
                          f"{getattr(exc, 'strerror', None) or exc}.") from None
    found = _DATA.search(text)
    try:
        facts = json.loads(found.group(1)) if found else None
    except json.JSONDecodeError:
        facts = None
    if not isinstance(facts, dict) or facts.get("format") != FORMAT:
        raise ReportError(f"“{path.name}” is not a ForeSyte report: it holds no report data.")
    body = text[:found.start()] + _PLACEHOLDER + text[found.end():]
    checks = [Check(True, f"“{path.name}” reads as it was written.") if
              _sha(body) == facts.get("body_sha256") else
              Check(False, f"“{path.name}” was changed after it was written: its content does "
                           "not match the SHA-256 it carries.")]
    for video in facts.get("videos", []):
        checks += _check_video(store, video)
    return checks


def _check_video(store: JobStore, video: dict) -> list[Check]:
    name, file = video.get("name", "?"), Path(video.get("path", ""))
    out = []
    try:
        size, sha = file.stat().st_size, sha256_file(file)
    except OSError as exc:
        return [Check(False, f"“{name}” cannot be read at {file} ({exc.strerror or exc}).")]
    if sha == video.get("sha256") and size == video.get("size"):
        out.append(Check(True, f"“{name}”: its SHA-256 matches the report ({sha})."))
    else:
        out.append(Check(False, f"“{name}”: the SHA-256 no longer matches the report (now {sha}, "
                                f"in the report {video.get('sha256')}): the file has changed "
                                "since the report was made."))
    job = store.get_job(str(video.get("job_id", "")))
    if job is None or job.status != "completed":
        why = "is not in this store" if job is None else f"is {job.status} now"
        out.append(Check(False, f"“{name}”: its job {video.get('job_id')} {why}, so its "
                                "results cannot be compared."))
        return out
    kept = store.query("SELECT sha256 FROM input_hashes WHERE job_id = ? AND run = ?",
                       [job.job_id, run_of(job)])
    if kept and kept[0][0] != video.get("sha256"):
        out.append(Check(False, f"“{name}”: the report's SHA-256 is not the one the store "
                                f"recorded for its analysis ({kept[0][0]})."))
    if results_sha256(build_results(store, job)) == video.get("results_sha256"):
        out.append(Check(True, f"“{name}”: the store's results are the ones the report was "
                               "built from."))
    else:
        out.append(Check(False, f"“{name}”: the store's results differ from those the report "
                                "was built from: the review was edited, or the job run again, "
                                "since the report was made."))
    return out
