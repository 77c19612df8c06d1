"""The chaos test, short: 10 SIGKILLs at random moments (fixed seed) of `foresyte run` and of
the window's queue with random user actions; every invariant holds (tests/chaos.py, and
`make chaos` for 100 kills)."""
from tests.chaos import Chaos


def test_ten_kills_break_no_invariant(tmp_path):
    summary = Chaos(tmp_path, seed=14, kills=10).run()
    assert summary["kills_total"] == 10
    assert summary["found"] == dict.fromkeys(summary["found"], 0), summary["examples"]
