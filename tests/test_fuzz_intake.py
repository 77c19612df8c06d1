"""Fuzzing video intake and the reader with mutated MP4s (fixed seed, so CI is repeatable).

Mutations of a small valid MP4: bit flips, truncations, swapped top-level boxes, huge and zero
declared box sizes. They run in a child process (tests/fuzz_harness.py) so a native crash is
caught and named; the inputs in tests/fuzz_corpus/ (each once broke something) run on every
test run. A new input that breaks something is copied there only with FORESYTE_FUZZ_KEEP=1
(a fuzzing campaign); otherwise the test names it and leaves the source tree alone.
"""
import os
import shutil
import struct
import subprocess
import sys
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.videos import make_text_video

CORPUS = Path(__file__).with_name("fuzz_corpus")
EXAMPLES = int(os.environ.get("FORESYTE_FUZZ_EXAMPLES", "300"))  # more for a campaign
KEEP = os.environ.get("FORESYTE_FUZZ_KEEP") == "1"  # save new crashers into the corpus


def top_level_boxes(data: bytes) -> list[tuple[int, int]]:
    """(offset, size) of each top-level ISO-BMFF box."""
    boxes, pos = [], 0
    while pos + 8 <= len(data):
        size = struct.unpack(">I", data[pos:pos + 4])[0]
        if size < 8 or pos + size > len(data):
            break
        boxes.append((pos, size))
        pos += size
    return boxes


@st.composite
def mutations(draw, seed: bytes):
    data = bytearray(seed)
    kind = draw(st.sampled_from(["flip", "truncate", "swap", "huge", "zero"]))
    boxes = top_level_boxes(seed)
    if kind == "flip":
        for _ in range(draw(st.integers(1, 40))):
            i = draw(st.integers(0, len(data) - 1))
            data[i] ^= 1 << draw(st.integers(0, 7))
    elif kind == "truncate":
        data = data[:draw(st.integers(0, len(data) - 1))]
    elif kind == "swap" and len(boxes) >= 2:
        i, j = sorted(draw(st.lists(st.integers(0, len(boxes) - 1), min_size=2, max_size=2,
                                    unique=True)))
        (a, sa), (b, sb) = boxes[i], boxes[j]
        data = data[:a] + data[b:b + sb] + data[a + sa:b] + data[a:a + sa] + data[b + sb:]
    else:  # a declared size far beyond the file, or zero ("to the end of the file")
        offset, _ = draw(st.sampled_from(boxes))
        data[offset:offset + 4] = struct.pack(">I", 0xFFFFFFF0 if kind == "huge" else 0)
    return kind, bytes(data)


def run_harness(folder: Path) -> tuple[Counter, list[str], str | None]:
    out = subprocess.run([sys.executable, "-m", "tests.fuzz_harness", str(folder)],
                         capture_output=True, text=True, timeout=900)
    lines = out.stdout.splitlines()
    outcomes = Counter(line.split()[0] for line in lines if not line.startswith("START"))
    errors = [line for line in lines if line.startswith("ERROR")]
    crashed = None
    if out.returncode != 0:
        starts = [line.split(maxsplit=1)[1] for line in lines if line.startswith("START")]
        crashed = starts[-1] if starts else "(before the first file)"
    return outcomes, errors, crashed


def test_mutated_mp4s_are_refused_or_read_never_crash(tmp_path):
    seed = make_text_video(tmp_path / "seed.mp4", [("FUZZ", 5)], size=(64, 48), scale=0.5)
    seed_bytes = seed.read_bytes()
    cases = tmp_path / "cases"
    cases.mkdir()
    kinds = Counter()

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(mutations(seed_bytes))
    def collect(case):
        kind, data = case
        n = sum(kinds.values())
        kinds[kind] += 1
        (cases / f"{n:04d}-{kind}.mp4").write_bytes(data)
    collect()
    for old in CORPUS.glob("*.mp4"):
        shutil.copy(old, cases / f"corpus-{old.name}")
    outcomes, errors, crashed = run_harness(cases)
    if crashed and not crashed.startswith("corpus-") and KEEP:
        shutil.copy(cases / crashed, CORPUS / crashed)  # keep it as a regression case
    print(f"fuzz: {sum(kinds.values())} mutations {dict(kinds)}, "
          f"{len(list(CORPUS.glob('*.mp4')))} corpus files; outcomes {dict(outcomes)}")
    assert crashed is None, f"the reader crashed on {crashed}"
    assert errors == []
    assert outcomes["OK"] + outcomes["REFUSED"] >= EXAMPLES
