from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from roi_desk.storage import Database
from roi_desk.ui import errors as ui_errors
from roi_desk.ui.context import AppContext
from roi_desk.ui.intake import IntakeDialog

from ..workers import finish
from .support import make_context


@pytest.fixture
def ctx(db: Database) -> Iterator[AppContext]:
    context = make_context(db)
    yield context
    finish(context)


@pytest.fixture
def shown_errors(monkeypatch: pytest.MonkeyPatch) -> list[BaseException]:
    """Errors the dialog would show in a message box, captured instead of blocking."""
    captured: list[BaseException] = []
    monkeypatch.setattr(ui_errors, "show_error", lambda _parent, exc: captured.append(exc))
    return captured


@pytest.fixture
def dialog(
    qtbot: QtBot, ctx: AppContext, shown_errors: list[BaseException]
) -> Iterator[IntakeDialog]:
    dlg = IntakeDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    dlg.activateWindow()
    yield dlg
    # skip the "press Esc again" guard when the test ends with typed work on screen
    dlg._discard_armed = True
    # close before the database goes away, so no pending lookup outlives the test
    dlg.close()
