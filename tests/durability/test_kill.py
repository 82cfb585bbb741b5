"""SIGKILL at random points of the desk's work never leaves a broken database."""

from __future__ import annotations

import os
import sys

import pytest

from tests.durability.harness import describe, run, run_op

#: CI default; ``ROI_DESK_KILL_POINTS=400`` or ``python -m tests.durability.harness
#: --kill-points 400`` for a longer run
KILL_POINTS = int(os.environ.get("ROI_DESK_KILL_POINTS", "40"))


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_random_kills_leave_an_intact_database(tmp_path: object) -> None:
    outcome = run(KILL_POINTS, seed=int(os.environ.get("ROI_DESK_KILL_SEED", "1")))
    print(f"kill points: {outcome.kill_points}, killed after {outcome.steps}")
    assert not outcome.failures, outcome.failures
    assert outcome.kill_points == KILL_POINTS
    # the kills landed in different steps, and work really got done in between
    assert len(outcome.steps) >= 3 and outcome.released > 0


#: a few kills each in the suite; the benchmark run is
#: ``python -m tests.durability.harness --op all-new --kill-points 30``
OP_KILL_POINTS = int(os.environ.get("ROI_DESK_OP_KILL_POINTS", "3"))


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
@pytest.mark.parametrize("op", ["redaction", "release_set", "fax"])
def test_kills_during_redaction_release_sets_and_fax_leave_nothing_behind(op: str) -> None:
    outcome = run_op(op, OP_KILL_POINTS, seed=int(os.environ.get("ROI_DESK_KILL_SEED", "1")))
    print(describe(outcome, 0))
    assert not outcome.failures, outcome.failures
    assert outcome.kill_points == OP_KILL_POINTS
    assert outcome.corruptions == outcome.inconsistencies == 0
    # whatever a kill left half-written was gone after the next start-up
    assert outcome.partial_after_startup == 0
