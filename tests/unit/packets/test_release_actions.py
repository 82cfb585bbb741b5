"""What each delivery step is missing, said before anyone keys anything."""

from __future__ import annotations

from roi_desk.models import DeliveryMethod, User
from roi_desk.models.packet import DeliveryStep
from roi_desk.services import release, release_readiness
from roi_desk.storage import Database
from tests.unit.packets.conftest import make_approved
from tests.unit.packets.test_release import build


def test_each_step_says_what_is_missing(db: Database) -> None:
    approved = make_approved(db)
    with db.transaction() as session:
        before = release_readiness.release_actions(session, approved.request_id)
    assert not before[DeliveryStep.PRINT].available
    assert "No packet has been built" in before[DeliveryStep.PRINT].why_not

    summary = build(db, approved)
    with db.transaction() as session:
        actions = release_readiness.release_actions(
            session, approved.request_id, fax_problem="Faxing is turned off."
        )
    assert actions[DeliveryStep.PRINT].available
    assert "Print the packet first" in actions[DeliveryStep.MAILED].why_not
    assert "delivered by mail, not fax" in actions[DeliveryStep.FAX].why_not

    with db.transaction() as session:
        no_printer = release_readiness.release_actions(
            session, approved.request_id, printer_problem="No printer."
        )
        assert no_printer[DeliveryStep.PRINT].why_not == "No printer."
        user = session.get(User, approved.user_id)
        release.mark_printed(session, summary.id, printer="Office", user=user)
    with db.transaction() as session:
        assert release_readiness.release_actions(session, approved.request_id)[
            DeliveryStep.MAILED
        ].available
        release.mark_mailed(session, summary.id, user=session.get(User, approved.user_id))
    with db.transaction() as session:
        done = release_readiness.release_actions(session, approved.request_id)
    assert all("already been released" in a.why_not for a in done.values())


def test_fax_problem_is_reported_for_a_fax_request(db: Database) -> None:
    approved = make_approved(db, method=DeliveryMethod.FAX)
    build(db, approved, DeliveryMethod.FAX)
    with db.transaction() as session:
        actions = release_readiness.release_actions(
            session, approved.request_id, fax_problem="Faxing is turned off."
        )
        assert actions[DeliveryStep.FAX].why_not == "Faxing is turned off."
        ok = release_readiness.release_actions(session, approved.request_id)
    assert ok[DeliveryStep.FAX].available
