"""settle_heap: after start-up, Python's full garbage collections no longer walk what
start-up built (issue 13: a page load must not stop for a collection over ~150,000
objects). Counts the objects a full collection walks, in a fresh interpreter that has
imported the window's start path; never times anything."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = """
import gc, json
import roi_desk.ui.main_window, roi_desk.storage.opening, roi_desk.services.inbox
from roi_desk.ui.app import settle_heap
before = len(gc.get_objects())
settle_heap()
frozen = gc.get_freeze_count()
settle_heap()  # a second sign-in changes nothing
after = len(gc.get_objects())
print(json.dumps([before, frozen, gc.get_freeze_count(), after]))
"""


def test_start_up_objects_are_set_aside_once() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True
    )
    before, frozen, frozen_again, after = json.loads(done.stdout.strip().splitlines()[-1])
    assert before > 50_000  # the start path really was imported
    assert frozen > 0.9 * before - 1_000  # nearly all of it set aside (less its garbage)
    assert frozen_again == frozen
    assert after < 1_000  # what a full collection still walks
