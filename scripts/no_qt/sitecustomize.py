"""Makes this interpreter a machine without Qt: ``import PySide6`` (and shiboken6, and
pytest-qt, which needs them) fails as if the package were not installed.

Put on ``PYTHONPATH`` by scripts/test-core-without-qt.sh, so it applies to the test run
and to every Python process the tests start (the command-line tests run ``roi-desk`` in
a subprocess). It proves what the import-linter contract claims statically: the core,
everything outside roi_desk.ui, runs with no Qt at all (napari runs its core tests with
Qt uninstalled the same way, for the same reason).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType

BLOCKED = frozenset({"PySide6", "shiboken6", "pytestqt"})


class _NoQt(importlib.abc.MetaPathFinder):
    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(
                f"No module named {fullname!r} (Qt is blocked)", name=fullname
            )
        return None


sys.meta_path.insert(0, _NoQt())
