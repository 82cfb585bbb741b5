"""What each delivery step is missing, said before anyone keys anything."""

from __future__ import annotations

from dataclasses import replace

from roi_desk.models import DeliveryMethod, Request, Status, User
from roi_desk.models.packet import DeliveryStep
from roi_desk.services import packets as packet_service
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


def test_a_released_request_says_what_went_out_and_asks_nothing_more(db: Database) -> None:
    approved = make_approved(db, method=DeliveryMethod.FAX, fax="6175550123")
    with db.transaction() as session:
        facts = packet_service.request_facts(session, approved.request_id)
        assert release_readiness.released(session, approved.request_id) is None
    content = packet_service.ReleaseContent(b"", (), redaction_verified=True)
    (before,) = packet_service.packet_warnings(facts, content)
    # the number as letters print it, not the digits as stored (issue 17)
    assert before.code == "fax_not_in_directory"
    assert "(617) 555-0123" in before.text and "keyed twice" in before.text
    summary = build(db, approved, DeliveryMethod.FAX)
    with db.transaction() as session:
        user = session.get(User, approved.user_id)
        release.release_packet(
            session, summary.id, step=DeliveryStep.FAX, user=user, target="6175550123"
        )
    with db.transaction() as session:
        facts = packet_service.request_facts(session, approved.request_id)
        done = release_readiness.released(session, approved.request_id)
    assert done is not None
    assert done.method == DeliveryMethod.FAX and done.pages == summary.page_count
    assert done.how == "Faxed to (617) 555-0123" and done.by and done.recipient
    assert "pages" in done.what  # the accounting's description of what was disclosed
    # no "not approved", no "key the number twice" after the fax went out
    assert packet_service.packet_warnings(facts, content) == []


def test_the_status_reads_as_the_inbox_shows_it(db: Database) -> None:
    approved = make_approved(db)
    with db.transaction() as session:
        facts = packet_service.request_facts(session, approved.request_id)
    content = packet_service.ReleaseContent(b"", (), redaction_verified=True)
    with db.transaction() as session:
        session.get(Request, approved.request_id).status = Status.QA
    with db.transaction() as session:
        actions = release_readiness.release_actions(session, approved.request_id)
    assert "(status: QA)" in actions[DeliveryStep.FAX].why_not
    # said once, by the release actions: the warning list does not repeat it
    qa = packet_service.packet_warnings(replace(facts, status=Status.QA), content)
    assert "not_approved" not in {w.code for w in qa}
    rejected = packet_service.packet_warnings(replace(facts, status=Status.REJECTED), content)
    assert [(w.code, w.blocking) for w in rejected] == [("not_open", True)]
    assert "Rejected" in rejected[0].text
