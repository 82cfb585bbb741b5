"""Package attributes imported on first use (PEP 562 module ``__getattr__``).

A package whose names pull in heavy libraries (SQLAlchemy for ``roi_desk.storage``,
reportlab for ``roi_desk.letters``) lists each name with the module that holds it; the
name is imported the first time it is read, so importing the package stays cheap for a
caller that needs only a light corner of it (issue 13, start-up and the command line).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_getattr(package: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``homes`` maps each lazy name to the
    module it lives in. The value is stored on the package once found, so later reads
    are plain attribute lookups that never come back here."""

    def __getattr__(name: str) -> Any:
        module = homes.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
