"""Draws docs/architecture.svg: the three layers, and how one job travels through them.

Run `python docs/architecture_diagram.py` after changing what it shows; a test fails while the
SVG in the tree differs from what this script draws.
"""
from __future__ import annotations

from html import escape
from pathlib import Path

OUT = Path(__file__).with_name("architecture.svg")
WIDTH, HEIGHT = 980, 640
COLORS = {"ui": "#dbe9fb", "workers": "#dcf2dc", "core": "#fdebc8"}
EDGES = {"ui": "#4a7bc0", "workers": "#3f8f3f", "core": "#b8862b"}

LAYERS = [
    ("ui", "ui/  (Qt widgets)", ["main_window: the frame, wired to its controllers",
                                 "job_list · job_actions · result_exports · review",
                                 "find · window_settings · menus · viewer · panels"]),
    ("workers", "workers/  (QtCore only)", ["library: the one way to the store",
                                            "job_queue · job_worker · tasks (lanes)",
                                            "frame_decoder · video_export"]),
    ("core", "core/  (no Qt)", ["store · runner · analysis_process · pipelines/",
                                "intake · video · results · segments · tracks",
                                "search · exporters · annotate · text · formatting"]),
]

TRIP = [  # (layer doing the step, step, detail)
    ("ui", "Drop, or Add Videos…", "job_actions.add_paths"),
    ("core", "Intake check", "intake + video.probe, in the queue's lane"),
    ("core", "Store row", "store.add_job: INSERT … RETURNING"),
    ("workers", "Claim", "job_worker: store.claim_next, UPDATE … RETURNING"),
    ("core", "Analysis child process", "decode + pipeline; the model hash checked"),
    ("core", "Frame batches over the pipe", "≤ 16 frames or 50 ms a message"),
    ("core", "Store", "runner: a batch and its checkpoint per commit"),
    ("core", "Results document, built once", "results.build_results → output/<job>.json"),
    ("ui", "Viewer and exports", "live frames, segments and tracks; JSON, SRT, CSV, MP4"),
]


def _text(x: float, y: float, text: str, *, size: int = 13, weight: str = "normal",
          anchor: str = "start", color: str = "#222") -> str:
    return (f'<text x="{x}" y="{y}" font-size="{size}" font-weight="{weight}" '
            f'text-anchor="{anchor}" fill="{color}">{escape(text)}</text>')


def _box(x: float, y: float, w: float, h: float, layer: str) -> str:
    return (f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="8" fill="{COLORS[layer]}" '
            f'stroke="{EDGES[layer]}" stroke-width="1.5"/>')


def _arrow(x1: float, y1: float, x2: float, y2: float) -> str:
    return (f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#555" stroke-width="1.5" '
            'marker-end="url(#head)"/>')


def render() -> str:
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="DejaVu Sans, Helvetica, sans-serif">',
             '<defs><marker id="head" markerWidth="10" markerHeight="8" refX="9" refY="4" '
             'orient="auto"><path d="M0,0 L10,4 L0,8 z" fill="#555"/></marker></defs>',
             f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
             _text(30, 40, "The layers: each imports only those below it", size=16,
                   weight="bold"),
             _text(520, 40, "One job's trip", size=16, weight="bold")]
    left, width, top, height, gap = 30, 440, 60, 150, 40
    for n, (layer, title, lines) in enumerate(LAYERS):
        y = top + n * (height + gap)
        parts.append(_box(left, y, width, height, layer))
        parts.append(_text(left + 16, y + 28, title, size=15, weight="bold"))
        for k, line in enumerate(lines):
            parts.append(_text(left + 16, y + 58 + k * 26, line))
        if n:
            parts.append(_arrow(left + width / 2, y - gap, left + width / 2, y - 2))
    parts.append(_text(left, top + 3 * height + 2 * gap + 30,
                       "cli.py runs its commands on core alone; selftest.py uses workers too.",
                       size=12, color="#555"))
    x, w, h, step = 520, 430, 50, 63
    for n, (layer, title, detail) in enumerate(TRIP):
        y = top + n * step
        parts.append(_box(x, y, w, h, layer))
        parts.append(_text(x + 14, y + 21, f"{n + 1}. {title}", weight="bold"))
        parts.append(_text(x + 14, y + 40, detail, size=12, color="#444"))
        if n:
            parts.append(_arrow(x + w / 2, y - step + h, x + w / 2, y - 2))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT}")
