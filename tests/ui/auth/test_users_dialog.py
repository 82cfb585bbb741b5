"""User administration as an administrator does it; the rules stay the core's."""

from __future__ import annotations

from unittest.mock import patch

from pytestqt.qtbot import QtBot

from roi_desk.models import Role
from roi_desk.storage import Database
from roi_desk.ui.users_dialog import AddUserDialog, UsersDialog
from tests.ui.auth.conftest import PASSWORD, give_passwords
from tests.ui.conftest import make_context


def test_admin_adds_disables_and_changes_a_role(
    qtbot: QtBot, qtmodeltester: object, demo_db: Database, password_hash: str
) -> None:
    give_passwords(demo_db, password_hash)
    ctx = make_context(demo_db, "admin")
    dialog = UsersDialog(ctx)
    qtbot.addWidget(dialog)
    qtmodeltester.check(dialog.model)  # type: ignore[attr-defined]
    assert {r.username for r in dialog.model.rows} >= {"admin", "mrivera", "kpatel"}

    add = AddUserDialog(ctx, dialog)
    add.username.setText("jchen")
    add.display_name.setText("Jo Chen")
    add.role.setCurrentIndex(add.role.findData(Role.MAILROOM))
    add.password.setText(PASSWORD)
    add.confirm.setText(PASSWORD)
    add.try_add()
    assert add.created is not None
    dialog.reload(add.created)
    row = dialog.current()
    assert row is not None and row.username == "jchen" and row.role is Role.MAILROOM
    assert dialog.model.data(dialog.model.index(dialog.table.currentIndex().row(), 3)) == (
        "Must change password"
    )

    dialog.toggle_active()
    row = dialog.current()
    assert row is not None and not row.active and dialog.toggle_button.text() == "&Enable"

    dialog.role_box.setCurrentIndex(dialog.role_box.findData(Role.CLERK))
    dialog._role_chosen(0)
    row = dialog.current()
    assert row is not None and row.role is Role.CLERK


def test_the_last_admin_refusal_is_shown(
    qtbot: QtBot, demo_db: Database, password_hash: str
) -> None:
    give_passwords(demo_db, password_hash)
    ctx = make_context(demo_db, "admin")
    dialog = UsersDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.reload(ctx.user_id)
    dialog.role_box.setCurrentIndex(dialog.role_box.findData(Role.CLERK))
    with patch("roi_desk.ui.users_dialog.show_error") as shown:
        dialog._role_chosen(0)
    assert "last active administrator" in str(shown.call_args.args[1])
    row = dialog.current()
    assert row is not None and row.role is Role.ADMIN
