"""The supervised child's start: one that fails leaves no child behind, and the next works."""
import pytest

from foresyte_desktop.core.child_process import SupervisedChild


def _answer(conn):
    conn.send(conn.recv() * 2)


class _Doubler(SupervisedChild):
    process_name = "foresyte-test-child"

    def __init__(self):
        super().__init__()
        self.target = _answer

    def _target(self):
        return self.target


def test_a_start_that_fails_leaves_nothing_to_join_and_the_next_start_works():
    child = _Doubler()
    child.target = lambda conn: None  # spawn pickles the target: a lambda cannot start
    with pytest.raises(Exception, match="pickle"):
        child._ensure_started()
    assert child._proc is None and child._conn is None
    child._kill()  # before, discarding the never-started process raised AssertionError
    child._close()

    child.target = _answer
    child._ensure_started()
    try:
        child._conn.send(21)
        assert child._conn.recv() == 42
    finally:
        child._close()
    assert child._proc is None
