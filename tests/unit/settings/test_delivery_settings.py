"""Delivery settings: a fresh install faxes to a hot folder inside the data folder; an
administrator may move it or turn faxing off; the gateway says what is missing first."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from roi_desk.delivery import HotFolderGateway, fax_setup
from roi_desk.errors import PermissionDeniedError, ValidationError
from roi_desk.services import settings as site_settings
from tests.unit.checklist.conftest import Desk
from tests.unit.settings.conftest import get_user


def test_a_fresh_install_faxes_into_the_data_folder(desk: Desk, tmp_path: Path) -> None:
    with desk.db.transaction() as s:
        settings = site_settings.delivery_settings(s)
    assert settings == site_settings.DeliverySettings("hot_folder", "")
    folder = settings.fax_folder_path(tmp_path)
    assert folder == tmp_path / "fax-outbox"
    setup = fax_setup(settings.fax_gateway, folder)
    assert isinstance(setup.gateway, HotFolderGateway) and setup.problem == ""
    assert folder.is_dir() and folder.stat().st_mode & 0o077 == 0


def test_the_administrator_moves_the_folder_or_turns_faxing_off(
    desk: Desk, admin_id: uuid.UUID, tmp_path: Path
) -> None:
    with desk.db.transaction() as s:
        saved = site_settings.save_delivery_settings(
            s, {"fax_gateway": "hot_folder", "fax_folder": "outbound"}, user=get_user(s, admin_id)
        )
    assert saved.fax_folder_path(tmp_path) == tmp_path / "outbound"
    with desk.db.transaction() as s:
        assert site_settings.delivery_settings(s).fax_folder == "outbound"
        site_settings.save_delivery_settings(
            s, site_settings.DeliverySettings("none"), user=get_user(s, admin_id)
        )
    with desk.db.transaction() as s:
        off = site_settings.delivery_settings(s)
    setup = fax_setup(off.fax_gateway, off.fax_folder_path(tmp_path))
    assert setup.gateway is None and "turned off" in setup.problem
    with desk.db.transaction() as s, pytest.raises(ValidationError):
        site_settings.save_delivery_settings(
            s, {"fax_gateway": "carrier pigeon"}, user=get_user(s, admin_id)
        )


def test_a_clerk_cannot_change_delivery(desk: Desk) -> None:
    with desk.db.transaction() as s, pytest.raises(PermissionDeniedError):
        site_settings.save_delivery_settings(
            s, site_settings.DeliverySettings(), user=get_user(s, desk.clerk_id)
        )


def test_an_unwritable_fax_folder_is_reported_before_sending(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    setup = fax_setup("hot_folder", blocker / "fax")
    assert setup.gateway is None and "cannot be created" in setup.problem
