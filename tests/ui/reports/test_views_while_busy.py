"""The supervisor's windows while their work runs: asked again, closed, or cancelled.

Each window runs its long work through ``roi_desk.ui.job.Job``; the work is held at a gate
(a threading.Event) so the test acts while it is running, never after a guessed delay."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import shiboken6
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from roi_desk import audit
from roi_desk.models import Patient, RequestKind
from roi_desk.services import disclosures, reports
from roi_desk.storage import Database
from roi_desk.ui.audit_viewer import AuditViewer
from roi_desk.ui.context import AppContext
from roi_desk.ui.disclosures_view import DisclosuresView
from roi_desk.ui.reports import ReportsView
from tests.ui.conftest import make_context
from tests.ui.workers import WAIT_MS, finish, presenter_of, wait_for_workers
from tests.unit.approval.factory import SUPERVISOR, submit
from tests.unit.reports.factory import released, utc

GATE_S = WAIT_MS / 1000


class Gate:
    """Wraps a core function so that each call says it started and waits to be let go."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.started = threading.Event()
        self.go = threading.Event()
        self.calls: list[tuple[Any, ...]] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append(args)
        self.started.set()
        self.go.wait(GATE_S)
        return self.real(*args, **kwargs)


@pytest.fixture
def supervisor(db: Database) -> Iterator[AppContext]:
    submit(db, build_packet=False)
    context = make_context(db, SUPERVISOR)
    yield context
    finish(context)


def _close(qtbot: QtBot, widget: Any) -> None:
    """What the Tools menu's windows do on close (WA_DeleteOnClose): the widget goes."""
    widget.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(widget), timeout=WAIT_MS)


def test_reports_asked_again_while_running_run_once_more_for_the_new_period(
    qtbot: QtBot, supervisor: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate(reports.all_reports)
    monkeypatch.setattr(reports, "all_reports", gate)
    view = ReportsView(supervisor)
    qtbot.addWidget(view)
    loaded: list[int] = []
    view.loaded.connect(loaded.append)
    assert gate.started.wait(GATE_S)
    assert view.job.busy and view.progress.isVisibleTo(view)
    assert view.status.text() == "Running the reports…"
    view.period.setCurrentIndex(2)  # "Last 90 days" while the 30 days still run
    view.refresh_button.click()  # and Refresh on top: still one more run, not two
    gate.go.set()
    wait_for_workers(supervisor)
    spans = [(p.end - p.start).days + 1 for _session, p in gate.calls]
    assert spans == [30, 90]
    assert loaded == [6]  # the 30-day answer was not shown
    assert not view.job.busy and not view.progress.isVisibleTo(view)
    assert view.status.text() == ""


def test_closing_the_reports_while_they_run_drops_their_answer(
    qtbot: QtBot, supervisor: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate(reports.all_reports)
    monkeypatch.setattr(reports, "all_reports", gate)
    view = ReportsView(supervisor)
    loaded: list[int] = []
    view.loaded.connect(loaded.append)
    assert gate.started.wait(GATE_S)
    _close(qtbot, view)
    gate.go.set()
    wait_for_workers(supervisor)
    assert loaded == []
    assert presenter_of(supervisor).errors == []


def _patient_with_two_disclosures(db: Database) -> Any:
    """One disclosure the accounting lists (legal) and one it excludes (to the patient)."""
    released(db, kind=RequestKind.LEGAL, received=utc(2024, 5, 1), disclosed=utc(2024, 5, 3))
    released(db, kind=RequestKind.PATIENT, received=utc(2024, 6, 1), disclosed=utc(2024, 6, 3))
    with db.transaction() as s:
        patient = s.scalar(select(Patient).where(Patient.mrn == "MRN900001"))
        assert patient is not None
        patient.address = "7 Harbor Road, Quincy, MA 02169"  # the letter needs it
        return patient.id


def test_disclosures_filtered_while_loading_load_once_more_with_the_filter(
    qtbot: QtBot, db: Database, supervisor: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    patient_id = _patient_with_two_disclosures(db)
    gate = Gate(disclosures.disclosure_history)
    monkeypatch.setattr(disclosures, "disclosure_history", gate)
    view = DisclosuresView(supervisor, patient_id)
    qtbot.addWidget(view)
    assert gate.started.wait(GATE_S)
    # busy: the letter waits (its button is off), the bar shows the work
    assert view.progress.isVisibleTo(view) and not view.letter_button.isEnabled()
    view.only_listed.setChecked(True)
    gate.go.set()
    wait_for_workers(supervisor)
    assert len(gate.calls) == 2
    assert view.model.rowCount() == 1  # the listed one only: the unfiltered answer was dropped
    assert view.letter_button.isEnabled() and not view.progress.isVisibleTo(view)


def test_closing_the_disclosures_while_the_letter_is_built_shows_no_letter(
    qtbot: QtBot, db: Database, supervisor: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    patient_id = _patient_with_two_disclosures(db)
    view = DisclosuresView(supervisor, patient_id)
    wait_for_workers(supervisor)
    gate = Gate(disclosures.accounting_letter_pdf)
    monkeypatch.setattr(disclosures, "accounting_letter_pdf", gate)
    shown: list[bytes] = []
    view.show_letter = shown.append
    view.letter_ready.connect(shown.append)
    view.letter_button.click()
    assert gate.started.wait(GATE_S)
    assert not view.letter_button.isEnabled()
    _close(qtbot, view)
    gate.go.set()
    wait_for_workers(supervisor)
    assert shown == []
    assert presenter_of(supervisor).errors == []


def test_the_audit_chain_is_checked_once_at_a_time_and_a_closed_viewer_says_nothing(
    qtbot: QtBot, supervisor: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate(audit.verify_chain)
    monkeypatch.setattr(audit, "verify_chain", gate)
    viewer = AuditViewer(supervisor)
    reports_seen: list[object] = []
    viewer.verified.connect(reports_seen.append)
    viewer.verify_button.click()
    assert gate.started.wait(GATE_S)
    assert viewer.status.text() == "Verifying the audit chain…"
    assert not viewer.verify_button.isEnabled() and viewer.progress.isVisibleTo(viewer)
    viewer.verify()  # asked again while it runs: refused, not a second check
    _close(qtbot, viewer)
    gate.go.set()
    wait_for_workers(supervisor)
    assert len(gate.calls) == 1
    assert reports_seen == []
    assert presenter_of(supervisor).errors == []
