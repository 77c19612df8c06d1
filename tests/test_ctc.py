"""The recogniser's character probabilities: the CTC likelihood of a reading, and look-alike
digits and letters settled only where the recogniser supports it."""
import math

import numpy as np

from foresyte_desktop.core.pipelines.ctc import best_path, fix_confusions, log_likelihood

CHARS = ["blank", "N", "O", "W", "0", "2", "6"]
INDEX = {c: i for i, c in enumerate(CHARS) if i}


def steps(*rows: dict[str, float]) -> np.ndarray:
    """A [step, character] probability matrix; what a row leaves over goes to blank."""
    out = np.zeros((len(rows), len(CHARS)))
    for t, row in enumerate(rows):
        for ch, p in row.items():
            out[t, INDEX[ch]] = p
        out[t, 0] = 1.0 - out[t].sum()
    return out


def test_log_likelihood_sums_over_every_alignment():
    probs = steps({"N": 0.9}, {"N": 0.5}, {"O": 0.8})
    # "NO" over three steps: N N O, N - O and - N O (O has no weight before step 3).
    want = math.log(0.9 * 0.5 * 0.8 + 0.9 * 0.5 * 0.8 + 0.1 * 0.5 * 0.8)
    assert math.isclose(log_likelihood(probs, [INDEX["N"], INDEX["O"]]), want, rel_tol=1e-9)
    assert log_likelihood(probs, [INDEX["W"]] * 4) == float("-inf")  # longer than the steps


def test_a_changed_character_is_far_less_likely_than_noise():
    probs = steps({"2": 0.99}, {}, {"6": 0.97, "0": 0.02})
    read, _ = best_path(probs)
    assert [CHARS[i] for i in read] == ["2", "6"]
    same = log_likelihood(probs, read)
    assert same - log_likelihood(probs, [INDEX["2"], INDEX["0"]]) > 3.5


def test_look_alikes_are_swapped_only_with_support_and_never_invented():
    probs = steps({"N": 0.99}, {"0": 0.7, "O": 0.29}, {"W": 0.99})
    chars, at = best_path(probs)
    text = [CHARS[i] for i in chars]
    assert text == ["N", "0", "W"]
    assert fix_confusions(text, at, probs, INDEX) == ["N", "O", "W"]
    unsure = steps({"N": 0.99}, {"0": 0.99}, {"W": 0.99})  # nothing backs an O: left alone
    chars, at = best_path(unsure)
    assert fix_confusions([CHARS[i] for i in chars], at, unsure, INDEX) == ["N", "0", "W"]
    digits = steps({"2": 0.99}, {"0": 0.6, "O": 0.39}, {"2": 0.99}, {}, {"6": 0.99})
    chars, at = best_path(digits)
    assert fix_confusions([CHARS[i] for i in chars], at, digits, INDEX) == ["2", "0", "2", "6"]
