from __future__ import annotations

import datetime as dt

import pytest

from roi_desk.letters import MailingAddress, SiteInfo, load_site_info


@pytest.fixture
def site() -> SiteInfo:
    return load_site_info()


@pytest.fixture
def requester() -> MailingAddress:
    return MailingAddress(
        "Jordan Q. Example",
        ("Example & Partners LLP", "12 Main Street, Floor 3", "Springfield, MA 01105"),
    )


@pytest.fixture
def received() -> dt.date:
    return dt.date(2025, 3, 3)
