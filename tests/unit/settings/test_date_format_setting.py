"""The site's date format is a setting in the core (US by default), not a widget constant."""

from __future__ import annotations

import uuid

import pytest

from roi_desk.dates import DAY_FIRST, US
from roi_desk.errors import ValidationError
from roi_desk.services import settings as site_settings
from tests.unit.checklist.conftest import Desk
from tests.unit.settings.conftest import get_user


def test_a_us_site_writes_month_first_until_an_administrator_changes_it(
    desk: Desk, admin_id: uuid.UUID
) -> None:
    with desk.db.transaction() as s:
        assert site_settings.date_format(s) is US
        admin = get_user(s, admin_id)
        site_settings.save_date_format(s, "DD/MM/YYYY", user=admin)
        with pytest.raises(ValidationError):
            site_settings.save_date_format(s, "YY/MM", user=admin)
    with desk.db.transaction() as s:
        assert site_settings.date_format(s) is DAY_FIRST
