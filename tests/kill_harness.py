"""`foresyte run` with small commit batches and markers on stdout, for the kill-and-resume test.

Usage: python -m tests.kill_harness HOLD_AT_COMMIT ARGS...
Runs the real CLI. Every commit is one frame. With HOLD_AT_COMMIT = N > 0, the N-th batch
commit pauses inside its transaction (rows inserted, not committed) and prints "IN_COMMIT",
so the test can SIGKILL the process there. Each committed batch prints "COMMITTED", and
claiming a job prints "CLAIMED".
"""
import sys
import time

from foresyte_desktop import cli
from foresyte_desktop.core import runner, store

real_insert = store._insert_frames
count = 0


def insert_then_maybe_hold(cur, job_id, frames):
    global count
    real_insert(cur, job_id, frames)
    count += 1
    if count == HOLD_AT:
        print("IN_COMMIT", flush=True)
        time.sleep(60)


real_commit_batch = store.JobStore.commit_batch


def commit_batch(self, *args, **kwargs):
    real_commit_batch(self, *args, **kwargs)
    print("COMMITTED", flush=True)


real_claim_next = store.JobStore.claim_next


def claim_next(self, *args, **kwargs):
    job = real_claim_next(self, *args, **kwargs)
    if job:
        print("CLAIMED", flush=True)
    return job


if __name__ == "__main__":  # not in the analysis child, which imports this module too
    HOLD_AT = int(sys.argv[1])
    runner.BATCH_FRAMES = 1
    store._insert_frames = insert_then_maybe_hold
    store.JobStore.commit_batch = commit_batch
    store.JobStore.claim_next = claim_next
    sys.exit(cli.main(sys.argv[2:]))
