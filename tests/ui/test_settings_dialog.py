"""The site settings dialog as an administrator uses it; every rule stays the core's."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from unittest.mock import patch

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from roi_desk.errors import ValidationError
from roi_desk.services import settings as site_settings
from roi_desk.storage import Database
from roi_desk.ui.settings_dialog import FEE_COLUMNS, SettingsDialog
from tests.ui.conftest import make_context

TODAY = dt.date(2026, 3, 16)
COLUMN = {key: i for i, (key, _) in enumerate(FEE_COLUMNS)}


def _dialog(qtbot: QtBot, db: Database, username: str = "admin") -> SettingsDialog:
    dialog = SettingsDialog(make_context(db, username), today=TODAY)
    qtbot.addWidget(dialog)
    return dialog


def test_admin_adds_a_fee_version_and_changes_the_letterhead(
    qtbot: QtBot, qtmodeltester: object, db: Database, tmp_path: Path
) -> None:
    dialog = _dialog(qtbot, db)
    qtmodeltester.check(dialog.fee_model)  # type: ignore[attr-defined]
    model = dialog.fee_model
    latest = max(
        (i for i, r in enumerate(model.rows) if r["code"] == "ma_c111_s70"),
        key=lambda i: model.rows[i]["effective_from"],
    )
    dialog.fee_table.selectRow(latest)
    dialog.duplicate_schedule()
    new = model.rowCount() - 1
    assert model.rows[new]["effective_from"] == "2026-04-01"
    model.setData(model.index(new, COLUMN["base_fee"]), "30.10", Qt.ItemDataRole.EditRole)
    assert "valid" in dialog.fee_problems.text() and "Not" not in dialog.fee_problems.text()
    dialog.site_edits["facility_name"].setText("Harborview Community Hospital")
    dialog.release_after_payment.setChecked(False)
    dialog.target_days.setValue(5)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.grab().save(str(tmp_path / "settings-site.png"))
    dialog.tabs.setCurrentIndex(1)
    assert dialog.grab().save(str(tmp_path / "settings-fees.png"))
    dialog.save()
    assert dialog.saved
    with db.transaction() as s:
        assert site_settings.site_info(s).facility_name == "Harborview Community Hospital"
        assert not site_settings.fee_settings(s).release_only_after_payment
        assert site_settings.site_target_business_days(s) == 5
        versions = [x for x in site_settings.fee_schedules(s) if x.code == "ma_c111_s70"]
        assert max(v.effective_from for v in versions) == dt.date(2026, 4, 1)


def test_overlapping_rows_are_listed_and_nothing_is_lost(qtbot: QtBot, db: Database) -> None:
    dialog = _dialog(qtbot, db)
    model = dialog.fee_model
    dialog.fee_table.selectRow(0)
    dialog.duplicate_schedule()
    new = model.rowCount() - 1
    model.setData(
        model.index(new, COLUMN["effective_from"]),
        model.rows[0]["effective_from"],
        Qt.ItemDataRole.EditRole,
    )
    model.setData(model.index(new, COLUMN["per_page_over"]), "-1", Qt.ItemDataRole.EditRole)
    text = dialog.fee_problems.text()
    assert f"Row {new + 1}" in text and "negative" in text
    with patch("roi_desk.ui.settings_dialog.show_error") as shown:
        dialog.save()
    assert isinstance(shown.call_args.args[1], ValidationError)
    assert not dialog.saved and model.rowCount() == new + 1  # the edits are still there
    model.setData(model.index(new, COLUMN["per_page_over"]), "0.10", Qt.ItemDataRole.EditRole)
    assert "same day" in dialog.fee_problems.text()
    with db.transaction() as s:
        assert site_settings.fee_schedules(s) == site_settings.fees.load_fee_schedules()


def test_a_template_with_an_unknown_placeholder_is_refused(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    dialog = _dialog(qtbot, db)
    dialog.tabs.setCurrentIndex(2)
    items = dialog.template_keys.findItems("invoice.title", Qt.MatchFlag.MatchExactly)
    dialog.template_keys.setCurrentItem(items[0])
    assert "{request_number}" in dialog.placeholders.text()
    dialog.template_edit.setPlainText("Invoice for {diagnosis}")
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.grab().save(str(tmp_path / "settings-templates.png"))
    with patch("roi_desk.ui.settings_dialog.show_error") as shown:
        dialog.save()
    assert "{diagnosis}" in str(shown.call_args.args[1])
    assert not dialog.saved and dialog.template_edit.toPlainText() == "Invoice for {diagnosis}"
    dialog.template_edit.setPlainText("Statement for {request_number}")
    dialog.save()
    assert dialog.saved
    with db.transaction() as s:
        wording = site_settings.letter_templates(s)
        assert wording.text("invoice", "title") == "Statement for {request_number}"


def test_the_admin_menu_entry_is_for_administrators_only(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QAction

    from roi_desk.ui.main_window import MainWindow

    for username, expected in (("admin", True), ("kpatel", False), ("mrivera", False)):
        prefs = QSettings(str(tmp_path / f"{username}.ini"), QSettings.Format.IniFormat)
        window = MainWindow(make_context(db, username), prefs)
        qtbot.addWidget(window)
        names = {a.objectName() for a in window.findChildren(QAction)}
        assert ("siteSettings" in names) is expected, username


def test_delivery_tab_shows_the_fax_folder_and_changes_it(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    dialog = _dialog(qtbot, db)
    dialog.tabs.setCurrentIndex(3)
    assert dialog.tabs.tabText(3) == "&Delivery"
    # a fresh install: the hot folder inside the data folder, shown in full
    assert str(dialog.data_folder / "fax-outbox") in dialog.fax_folder_used.text()
    dialog.fax_folder.setText(str(tmp_path / "spool"))
    assert str(tmp_path / "spool") in dialog.fax_folder_used.text()
    dialog.save()
    assert dialog.saved
    with db.transaction() as s:
        assert site_settings.delivery_settings(s).fax_folder == str(tmp_path / "spool")
