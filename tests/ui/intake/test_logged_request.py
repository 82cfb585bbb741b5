"""After saving an intake: open the request, see its scan on the Request tab (issue 17
item 14)."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot
from reportlab.pdfgen import canvas

from roi_desk.ui.context import AppContext
from roi_desk.ui.intake import IntakeDialog
from roi_desk.ui.request_view import RequestView


def _two_page_fax() -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for n in (1, 2):
        c.drawString(72, 720, f"Faxed request page {n} (synthetic)")
        c.showPage()
    c.save()
    return buf.getvalue()


def _log_with_scan(qtbot: QtBot, ctx: AppContext, tmp_path: Path) -> IntakeDialog:
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    dialog = IntakeDialog(ctx, settings=settings)
    qtbot.addWidget(dialog)
    dialog.attach_scan(_two_page_fax(), "fax-0412.pdf")
    qtbot.waitUntil(lambda: dialog.scan is not None)  # read off the GUI thread
    f = dialog.form
    f.family_name.setText("Okafor")
    f.given_name.setText("Ngozi")
    f.date_of_birth.set_date(date(1971, 8, 14))
    f.requester.name.setText("Ngozi Okafor")
    f.requester.address_line1.setText("1 Main St")
    f.requester.city.setText("Boston")
    f.requester.state.setText("MA")
    f.requester.postal_code.setText("02108")
    f.info_checks["lab"].setChecked(True)
    dialog.save()
    assert dialog.saved_request is not None
    return dialog


def test_the_scan_shows_on_the_request_tab(qtbot: QtBot, ctx: AppContext, tmp_path: Path) -> None:
    dialog = _log_with_scan(qtbot, ctx, tmp_path)
    saved = dialog.saved_request
    assert saved is not None
    view = RequestView(ctx, saved.id)
    qtbot.addWidget(view)
    view.show()
    assert view.tabs.currentIndex() == 0  # the Request tab
    qtbot.waitUntil(lambda: view.scan_view.page_count() == 2)  # loaded off the GUI thread
    assert view.scan_view.isVisible()


def test_keyed_data_is_corrected_from_the_request_window(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from roi_desk.ui.intake.correction import CorrectionDialog

    dialog = _log_with_scan(qtbot, ctx, tmp_path)
    saved = dialog.saved_request
    assert saved is not None
    view = RequestView(ctx, saved.id)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(view.correct_button.isEnabled)  # once the request has loaded
    view.correct_button.click()
    correction = view.correction_dialog
    assert isinstance(correction, CorrectionDialog)
    assert correction.form.requester.postal_code.text() == "02108"  # what was keyed
    correction.form.requester.postal_code.setText("02110")
    qtbot.waitExposed(correction)
    correction.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is correction)
    zip_field = correction.form.requester.postal_code
    with qtbot.waitSignal(correction.corrected):
        qtbot.keyClick(zip_field, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    def history() -> list[str]:
        tree = view.history
        return [tree.topLevelItem(i).text(2) for i in range(tree.topLevelItemCount())]  # type: ignore[union-attr]

    # the window reloads (off the GUI thread) and shows the correction, old → new
    qtbot.waitUntil(lambda: any("Requester ZIP: 02108 → 02110" in h for h in history()))


def test_no_correction_after_approval_and_the_button_says_why(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    from roi_desk.models import Request, Status

    dialog = _log_with_scan(qtbot, ctx, tmp_path)
    saved = dialog.saved_request
    assert saved is not None
    with ctx.db.transaction() as s:
        request = s.get(Request, saved.id)
        assert request is not None
        request.status = Status.APPROVED
    view = RequestView(ctx, saved.id)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.detail is not None)
    assert not view.correct_button.isEnabled()
    assert "approved" in view.correct_button.toolTip()
