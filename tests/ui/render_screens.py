"""Screenshots of the foundation screens, offscreen: ``python -m tests.ui.render_screens OUT``.

Builds a demo database in a temporary folder (synthetic data), opens the main window at
1400x900 and saves PNGs via ``QWidget.grab()``: the inbox, a filtered inbox, the request
view, the intake dialog when it is importable, and the request workspace with each of its
tabs on a demo request given a chart (a Synthea bundle), an abstract, redaction proposals
and a packet.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="roi-screens-") as tmp:
        os.environ["ROI_DESK_HOME"] = str(Path(tmp) / "home")
        from PySide6.QtCore import QSettings
        from PySide6.QtWidgets import QApplication, QWidget

        from roi_desk.demo import seed_demo
        from roi_desk.storage import open_database
        from roi_desk.ui.app import make_context
        from roi_desk.ui.main_window import MainWindow
        from roi_desk.ui.operations import ThreadRunner
        from roi_desk.ui.theme import apply_look

        app = QApplication.instance() or QApplication(sys.argv[:1])
        assert isinstance(app, QApplication)
        apply_look(app)
        db = open_database(
            Path(tmp) / "demo.db", create=True, new_passphrase="screens-synthetic-only"
        )
        try:
            with db.transaction() as session:
                seed_demo(session, requests=240)
            ctx = make_context(db, "mrivera")
            runner = ThreadRunner()
            ctx.runner = runner
            settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
            window = MainWindow(ctx, settings)
            window.resize(1400, 900)
            window.show()

            def shot(widget: QWidget, name: str) -> None:
                runner.wait_for_done()  # every query answered before the picture is taken
                for _ in range(5):
                    app.processEvents()
                path = out / name
                widget.grab().save(str(path))
                print(path)

            shot(window, "01-inbox.png")
            window.panel.select("overdue")
            window.search.setText("")
            shot(window, "02-inbox-overdue.png")
            window.panel.select("all")
            window.search.setText("o'")
            window.apply_filter()
            shot(window, "03-inbox-search.png")
            window.search.setText("")
            window.apply_filter()
            row = (
                next(
                    r
                    for r in range(window.model.rowCount())
                    if (loaded := window.model.row_at(r)) is not None and loaded.possible_duplicate
                )
                if any(
                    (x := window.model.row_at(r)) is not None and x.possible_duplicate
                    for r in range(min(200, window.model.rowCount()))
                )
                else 3
            )
            window._select_row(row)
            view = window.open_request(window.current_id())  # type: ignore[arg-type]
            view.resize(1100, 760)
            shot(view, "04-request-view.png")
            view.close()
            try:
                from roi_desk.ui.intake.dialog import IntakeDialog
            except ImportError:
                print("intake dialog not importable: skipped")
            else:
                dialog = IntakeDialog(ctx, window)
                dialog.resize(1200, 820)
                dialog.show()
                shot(dialog, "05-intake.png")
                dialog.close()
            workspace_screens(window, ctx, shot)
            window.close()
        finally:
            db.close()
    return 0


def workspace_screens(window: Any, ctx: Any, shot: Any) -> None:
    """The workspace, one picture per tab, on a request with everything a clerk meets."""
    import uuid

    from sqlalchemy import select

    from roi_desk.authorization import LineStatus, load_sensitive_categories
    from roi_desk.errors import RoiError
    from roi_desk.models import DeliveryMethod, Request, RequestKind, Status, User
    from roi_desk.services import abstract, authorization, records
    from roi_desk.services.records import ImportFile, PatientTarget
    from tests.helpers import SHARED_FHIR

    bundle = SHARED_FHIR / "Florencia_Meléndez_6237cb1b-3c2d-4561-a0da-27281f8ddca7.json"
    with ctx.db.transaction() as session:
        request = session.scalars(
            select(Request)
            .where(
                Request.status == Status.IN_PROGRESS,
                Request.patient_id.is_not(None),
                Request.kind == RequestKind.THIRD_PARTY,  # the initials decide what goes
                Request.delivery_method == DeliveryMethod.MAIL,
            )
            .order_by(Request.number)
        ).first()
        assert request is not None
        request_id: uuid.UUID = request.id
        patient_id = request.patient_id
        # the review as the checklist saves it: every line passed, mental health not
        # initialed (so it must be redacted)
        user = session.get(User, ctx.user_id)
        assert user is not None
        review = authorization.load_review(session, request_id)
        # substance use stays off too: no Part 2 notice, which needs a consent scan on file
        keep_out = {"mental_health", "substance_use"}
        codes = [c.code for c in load_sensitive_categories() if c.code not in keep_out]
        authorization.update_facts(review, initialed=set(codes))
        if review.facts.signed_on is None:
            # a Pass on "Signature and date" needs the date (45 CFR 164.508(c)(1)(vi))
            signed = authorization.received_on(request) - dt.timedelta(days=2)
            authorization.update_facts(review, signed_on=signed, signature_present=True)
        for line in review.checklist.lines:
            try:
                authorization.confirm_line(review, line.code, LineStatus.PASS, by=user.username)
            except RoiError:
                authorization.confirm_line(
                    review, line.code, LineStatus.NOT_APPLICABLE, by=user.username
                )
        authorization.save_review(session, review, user=user)
    _drive(
        records.import_files(
            ctx.db,
            [ImportFile(bundle.name, bundle.read_bytes())],
            PatientTarget(patient_id=patient_id, accept_mismatch=True),
            user_id=ctx.user_id,
        )
    )
    with ctx.db.transaction() as session:
        draft = abstract.start_draft(session, request_id)
    draft = draft.with_range(_day("2020-09-01"), draft.until)
    _drive(abstract.assemble(ctx.db, draft, user_id=ctx.user_id))

    # nobody is there to click a message box away: say it on the console instead
    import roi_desk.ui.packet.packet_tab as packet_tab_module

    packet_tab_module.show_error = lambda _parent, exc: print(f"packet tab: {exc}")
    view = window.open_request(request_id)
    view.resize(1440, 900)
    names = ("request", "checklist", "records", "redaction", "packet", "history")
    for index, key in enumerate(names, start=6):
        tab = view.show_tab(key)
        if key == "packet":
            ctx.runner.wait_for_done()  # the tab loads the request on a worker thread
        if key == "packet" and getattr(tab, "packet", True) is None:
            tab.build()  # type: ignore[attr-defined]
        shot(view, f"{index:02d}-workspace-{key}.png")
    view.close()


def _drive(gen: Any) -> Any:
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            return stop.value


def _day(text: str) -> Any:
    from datetime import date

    return date.fromisoformat(text)


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "screens")))
