"""``sync direct`` when the server goes away half-way: a clear message, nothing marked as
sent, and the next run delivers everything."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from roi_desk.models import Request
from roi_desk.storage import Database
from roi_desk.sync import SyncError, direct
from roi_desk.sync.direct import sync_direct
from tests.unit.packets.conftest import make_approved
from tests.unit.sync.conftest import SYNC_PASSPHRASE


def test_server_gone_mid_push_then_retry(
    central: Database, satellite: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    request_id = make_approved(satellite).request_id
    real = direct.import_bundle

    def dropped(*_a: Any, **_k: Any) -> Any:
        raise OperationalError("INSERT", {}, ConnectionResetError("server closed"))

    monkeypatch.setattr(direct, "import_bundle", dropped)
    with pytest.raises(SyncError, match=r"stopped answering.*run it again"):
        sync_direct(satellite, central, passphrase=SYNC_PASSPHRASE)
    with central.transaction() as s:
        assert s.get(Request, request_id) is None
    monkeypatch.setattr(direct, "import_bundle", real)
    report = sync_direct(satellite, central, passphrase=SYNC_PASSPHRASE)
    assert report.pushed.inserted > 0  # the rows were not wrongly marked as sent
    with central.transaction() as s:
        assert s.get(Request, request_id) is not None
