"""The text engine's models: RapidOCR's own, loaded with threads that sleep between runs (so
that decoding gets the CPU), and the thread count asked for."""
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from foresyte_desktop.core.pipelines.ocr import TextEngine
from tests.videos import LATIN_FONT


def test_both_models_run_without_spinning_threads_and_still_read():
    engine = TextEngine(threads=2)
    for session in (engine._det.infer.session, engine._rec.session.session):
        options = session.get_session_options()
        assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
        assert options.intra_op_num_threads == 2
    image = Image.new("RGB", (480, 120), "white")
    ImageDraw.Draw(image).text((20, 30), "GATE 14", font=ImageFont.truetype(LATIN_FONT, 48),
                               fill="black")
    lines = engine.read(np.asarray(image)[:, :, ::-1].copy())
    assert ["".join(line.text.split()) for line in lines] == ["GATE14"]
