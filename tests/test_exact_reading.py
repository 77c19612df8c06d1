"""Reading text exactly, frame by frame, with the real RapidOCR on videos the test builds: a
carried reading is never kept once one glyph changed (Latin and CJK, a glyph replaced and a
glyph gained), a short line right after another is read on each of its frames, a word that
a busy background hides on single frames is read on every frame of its line, a Chinese line
is read without the crop margin that turns its 日 into 目, and an unconfident reading is
reported only where a second reading gives the same text."""
from dataclasses import replace
from pathlib import Path

import pytest

from foresyte_desktop.core.pipelines import create_pipeline, reuse
from foresyte_desktop.core.pipelines.ocr import TextEngine
from foresyte_desktop.core.video import VideoReader
from tests.videos import CJK_FONT, LATIN_FONT, make_speckled_word_video, make_subtitle_video

BOTTOM = 0.8  # where the subtitle line sits, as a share of the frame height


def squeeze(text: str) -> str:
    return "".join(text.split()).upper()


def frame_texts(path: Path) -> tuple[list[list[str]], list]:
    """Each frame's readings (squeezed), top to bottom, and the results themselves."""
    pipeline = create_pipeline("ocr_only")
    with VideoReader(path) as reader:
        results = list(pipeline.run(reader, stride=1, max_frames=None))
    return [[squeeze(line.text) for line in r.ocr] for r in results], results


def truth(script) -> list[list[str]]:
    return [[squeeze(text) for text, _ in sorted(lines, key=lambda line: line[1])]
            for lines, count in script for _ in range(count)]  # top to bottom


def assert_frame_by_frame(script, got: list[list[str]]) -> None:
    want = truth(script)
    assert len(got) == len(want)
    wrong = [(i, w, g) for i, (w, g) in enumerate(zip(want, got)) if w != g]
    assert not wrong, f"{len(wrong)} frames read wrong, first: {wrong[:5]}"


def need(font: str) -> None:
    if not Path(font).is_file():
        pytest.skip(f"{font} is missing (make test installs its Debian package)")


@pytest.mark.slow
def test_one_changed_latin_glyph_ends_the_old_reading_on_the_frame_it_changes(tmp_path):
    need(LATIN_FONT)
    script = [([], 10), ([("Gate 14 closes at ten", BOTTOM)], 30),
              ([("Gate 15 closes at ten", BOTTOM)], 30),  # one glyph replaced
              ([("Gate 15 closes at ten", BOTTOM), ("ZONE F", 0.2)], 25),
              ([("Gate 15 closes at ten", BOTTOM), ("ZONE E", 0.2)], 25),  # one glyph gained
              ([], 10)]
    got, results = frame_texts(make_subtitle_video(tmp_path / "latin.mp4", script,
                                                   font=LATIN_FONT))
    assert_frame_by_frame(script, got)
    # Every carried reading says how it was proven on its frame.
    carried = [r for r in results if r.reused_from is not None]
    assert len(carried) > 60
    assert {r.checked for r in carried} <= {"glyphs", "read"}
    assert all(r.checked is None for r in results if r.reused_from is None)


@pytest.mark.slow
def test_one_changed_cjk_glyph_ends_the_old_reading_on_the_frame_it_changes(tmp_path):
    need(CJK_FONT)
    script = [([], 8), ([("不准再看别人", BOTTOM)], 30),
              ([("不准想着别人", BOTTOM)], 30),  # two glyphs in place of two
              ([("今天风很大", BOTTOM)], 30),
              ([("今天风很太", BOTTOM)], 30),  # 大 gains the dot of 太
              ([], 8)]
    got, _ = frame_texts(make_subtitle_video(tmp_path / "cjk.mp4", script, font=CJK_FONT,
                                             font_px=34))
    assert_frame_by_frame(script, got)


@pytest.mark.slow
def test_a_chinese_line_is_read_exactly_without_the_margin_latin_lines_need(tmp_path):
    need(CJK_FONT)
    # With the margin that keeps the spaces of Latin lines, the first line reads 目 for 日.
    script = [([], 4), ([("今天我们去海边看日出", BOTTOM)], 20), ([("日出的时候很美", BOTTOM)], 20),
              ([], 4)]
    path = make_subtitle_video(tmp_path / "sunrise.mp4", script, font=CJK_FONT, font_px=36)
    got, _ = frame_texts(path)
    assert_frame_by_frame(script, got)


@pytest.mark.slow
def test_a_short_line_right_after_another_is_read_on_each_of_its_frames(tmp_path):
    need(LATIN_FONT)
    script = [([("FIRST LINE HERE", BOTTOM)], 40),
              ([("OK GO", BOTTOM)], 10),  # 0.4 s, in the place of the line before
              ([], 6),
              ([("QUICK", 0.3)], 8),  # 0.32 s, elsewhere, just after a line went away
              ([], 6),
              ([("LAST WORDS", BOTTOM)], 9)]  # at the very end of the video
    got, _ = frame_texts(make_subtitle_video(tmp_path / "short.mp4", script,
                                             font=LATIN_FONT))
    assert_frame_by_frame(script, got)


@pytest.mark.slow
def test_a_word_single_frames_lose_is_read_on_every_frame_of_its_line(tmp_path):
    need(LATIN_FONT)
    path = make_speckled_word_video(tmp_path / "speckled.mp4", "the",
                                    "heart-ache and the thousand", keep=0.35)
    got, _ = frame_texts(path)
    line = squeeze("the heart-ache and the thousand")
    assert not any(got[:10]) and not any(got[50:])
    wrong = [(i, texts) for i, texts in enumerate(got[10:50], 10) if line not in texts]
    assert not wrong, f"{len(wrong)} frames lack the whole line, first: {wrong[:3]}"


class FirstReadingUnsure(TextEngine):
    """The real engine, except that its first recognition of a line comes back unconfident
    and, if `wrong` is given, as that text: how a texture or a faint watermark reads."""

    def __init__(self, wrong: str | None = None):
        super().__init__()
        self.wrong, self.first = wrong, True

    def recognise(self, crops):
        readings = super().recognise(crops)
        if self.first and readings:
            self.first = False
            readings[0] = replace(readings[0], text=self.wrong or readings[0].text, score=0.6)
        return readings


def unsure_run(path: Path, engine: TextEngine) -> list[list[str]]:
    with VideoReader(path) as reader:
        run = reuse.ChangeDrivenReader(engine, reader, stride=1).run(max_frames=None)
        return [[squeeze(line.text) for line in result.ocr] for _, result in run]


@pytest.mark.slow
def test_an_unconfident_reading_is_reported_only_where_a_second_reading_agrees(tmp_path):
    need(LATIN_FONT)
    script = [([], 10), ([("Gate 14 closes at ten", BOTTOM)], 40), ([], 10)]
    path = make_subtitle_video(tmp_path / "unsure.mp4", script, font=LATIN_FONT)
    # Read the same again from the frames after: the reading stands on every frame.
    assert_frame_by_frame(script, unsure_run(path, FirstReadingUnsure()))
    # Read otherwise the second time: the first reading is never reported; the line is read
    # afresh from the frames after its first ones and holds from there.
    got = unsure_run(path, FirstReadingUnsure(wrong="Gate 15 closes at ten"))
    assert not any(squeeze("Gate 15 closes at ten") in texts for texts in got)
    line = [squeeze("Gate 14 closes at ten")]
    assert not any(got[:10]) and not any(got[50:])
    assert all(texts in ([], line) for texts in got[10:50])
    assert all(texts == line for texts in got[10 + reuse.READ_FRAMES:50])
