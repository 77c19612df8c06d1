"""What the recogniser's own character probabilities say about a reading.

The recogniser (CTC) gives, for each step across a line, a probability for every character and
for "blank". `log_likelihood` is the probability that a line shows a given text, summed over
every way of laying that text over the steps (the CTC forward pass): a reading carried from an
earlier frame is still true when the current frame gives it about as much weight as the best
reading of that frame. `best_path` is the greedy reading with the step each character came
from, and `fix_confusions` swaps a digit for the letter it looks like (or a letter for the
digit) inside a word of the other kind, only where the recogniser gave that alternative real
weight at that step: it never invents text.
"""
from __future__ import annotations

import numpy as np

# Characters the recogniser confuses: a digit and its look-alike letters (upper, lower case).
LOOK_ALIKE = {"0": "Oo", "1": "Il", "5": "Ss", "8": "B", "2": "Zz", "6": "G"}
AS_DIGIT = {letter: digit for digit, letters in LOOK_ALIKE.items() for letter in letters}
SUPPORT = 0.05  # the alternative needs at least this probability at the character's step


def best_path(probs: np.ndarray) -> tuple[list[int], list[int]]:
    """The greedy CTC reading: character indices (blank is 0) and the step of each."""
    best = probs.argmax(1)
    keep = best != 0
    keep[1:] &= best[1:] != best[:-1]
    steps = np.flatnonzero(keep)
    return best[steps].tolist(), steps.tolist()


def log_likelihood(probs: np.ndarray, labels: list[int]) -> float:
    """log P(labels | probs) under CTC, blank = 0; -inf for an impossible reading."""
    steps = probs.shape[0]
    if not labels:
        return float(np.log(np.clip(probs[:, 0], 1e-30, None)).sum())
    ext = np.zeros(2 * len(labels) + 1, dtype=np.int64)
    ext[1::2] = labels
    if steps < len(labels):
        return float("-inf")
    logp = np.log(np.clip(probs, 1e-30, None))[:, ext]  # [T, S]
    # A state may skip the blank before it when its label differs from the one two back.
    skip = np.zeros(len(ext), bool)
    skip[3::2] = ext[3::2] != ext[1:-2:2]
    alpha = np.full(len(ext), -np.inf)
    alpha[0], alpha[1] = logp[0, 0], logp[0, 1]
    for t in range(1, steps):
        stay = alpha
        step = np.concatenate([[-np.inf], alpha[:-1]])
        jump = np.where(skip, np.concatenate([[-np.inf, -np.inf], alpha[:-2]]), -np.inf)
        alpha = np.logaddexp(np.logaddexp(stay, step), jump) + logp[t]
    return float(np.logaddexp(alpha[-1], alpha[-2]))


def fix_confusions(chars: list[str], steps: list[int], probs: np.ndarray,
                   index: dict[str, int]) -> list[str]:
    """`chars` with look-alike digits and letters swapped inside words of the other kind
    (N0W → NOW, B0ARDING → BOARDING), where the recogniser supports the swap."""
    out = list(chars)
    for i, ch in enumerate(chars):
        word = _word(chars, i)
        if len(word) < 2 or not (ch in LOOK_ALIKE or ch in AS_DIGIT):
            continue
        letters = [c for c in word if c.isalpha()]
        digits = sum(c.isdigit() for c in word)
        if ch in LOOK_ALIKE and len(letters) > digits:
            lower = sum(c.islower() for c in letters) > len(letters) / 2
            options = LOOK_ALIKE[ch]
            other = options[-1] if lower else options[0]
        elif ch in AS_DIGIT and digits > len(letters):
            other = AS_DIGIT[ch]
        else:
            continue
        near = probs[max(0, steps[i] - 1):steps[i] + 2]
        if other in index and near[:, index[other]].max() >= SUPPORT:
            out[i] = other
    return out


def _word(chars: list[str], i: int) -> list[str]:
    """The run of letters and digits around position i, without it."""
    lo = i
    while lo > 0 and chars[lo - 1].isalnum():
        lo -= 1
    hi = i
    while hi + 1 < len(chars) and chars[hi + 1].isalnum():
        hi += 1
    return chars[lo:i] + chars[i + 1:hi + 1]
