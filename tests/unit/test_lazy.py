"""roi_desk.lazy: a package's names imported on first read, once."""

from __future__ import annotations

import sys
import types

import pytest

from roi_desk.lazy import lazy_getattr


def test_a_lazy_name_is_imported_on_first_read_and_kept() -> None:
    pkg = types.ModuleType("roi_lazy_probe")
    pkg.__getattr__ = lazy_getattr("roi_lazy_probe", {"dedent": "textwrap"})  # type: ignore[method-assign]
    sys.modules["roi_lazy_probe"] = pkg
    try:
        import textwrap

        assert "dedent" not in vars(pkg)
        assert pkg.dedent is textwrap.dedent
        assert vars(pkg)["dedent"] is textwrap.dedent  # later reads never come back
        with pytest.raises(AttributeError, match="no attribute 'nothing'"):
            _ = pkg.nothing
    finally:
        del sys.modules["roi_lazy_probe"]


def test_the_real_packages_still_give_every_listed_name() -> None:
    import roi_desk.letters as letters
    import roi_desk.storage as storage

    for name in ("open_database", "Database", "recover_database"):
        assert callable(getattr(storage, name))
    assert callable(letters.mail_cover_letter)
