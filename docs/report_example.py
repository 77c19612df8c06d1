"""Makes docs/report-example.png: the first video's page and the next of a real case report.

A made video with burned-in subtitles is read by the real runner and RapidOCR; the analyst's
review is then applied through core (a correction, verified lines, a rejected false reading, a
bookmark, a note, a watchlist term); the report is laid out as its PDF is, and its pages drawn
side by side. `make report-example` runs it (offscreen, offline).
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "report-example.png"


def main(out: Path = OUT) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["FORESYTE_OFFLINE"] = "1"
    work = Path(tempfile.mkdtemp(prefix="foresyte-report-"))
    try:
        return make(work, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def make(work: Path, out: Path) -> int:
    from PySide6.QtGui import QImage, QPainter

    from foresyte_desktop.core import cases, notes, review
    from foresyte_desktop.core.paths import resolve_data_dir
    from foresyte_desktop.core.report import build_report
    from foresyte_desktop.core.store import JobStore
    from foresyte_desktop.core.watchlists import add_terms, make_term
    from foresyte_desktop.report_pdf import page_images
    from tests.real_jobs import run_job
    from tests.videos import LATIN_FONT, make_subtitle_video

    video = make_subtitle_video(work / "platform 4 camera.mp4", [
        ([("Train to Harbour 14:05", 0.85)], 40), ([], 15),
        ([("Passenger J. DOE, coach 3", 0.85)], 40), ([], 15),
        ([("DEPARTED", 0.85)], 30)], font=LATIN_FONT, font_px=28, fps=10)
    data = resolve_data_dir(work / "data")
    with JobStore.open(data) as store:
        job = run_job(store, data, video, stride=2)
        state = review.open_review(store, job)
        read = {s["text"]: s["id"] for s in state.live("segment")}
        doe, text = next((i, t) for t, i in read.items() if "coach" in t)
        # The analyst writes the name as the passenger list does.
        review.set_text(store, job, doe, text.replace("D0E", "Doe").replace("DOE", "Doe"))
        for text, seg in read.items():
            if text.upper().startswith("DEPART"):
                review.reject(store, job, seg)
        review.verify(store, job, "all")
        notes.add_bookmark(store, job, 60, "the passenger's name is first shown here")
        notes.add_note(store, job, "the name is written as on the passenger list", segment=doe)
        add_terms(store, "Persons of interest", [make_term("J. Doe", tolerance=1)])
        cases.new_case(store, "Case 2291")
        cases.set_case(store, [job], "Case 2291")
        report = build_report(store, [], case="Case 2291", data_dir=data)
    pages = page_images(report, 3, dpi=96)[1:]
    sheet = QImage(sum(p.width() for p in pages) + 12 * (len(pages) + 1),
                   max(p.height() for p in pages) + 24, QImage.Format.Format_RGB32)
    sheet.fill(0x9E9E9E)
    painter = QPainter(sheet)
    x = 12
    for page in pages:
        painter.drawImage(x, 12, page)
        x += page.width() + 12
    painter.end()
    if not sheet.save(str(out)):
        print(f"could not write {out}", file=sys.stderr)
        return 1
    print(f"Wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
