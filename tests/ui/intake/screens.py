"""Screenshots of the intake dialog for review (called by tests/ui/render_screens.py).

``render_intake_screens(outdir)`` needs a QApplication (offscreen is fine) and writes PNGs:
the dialog with a fax loaded and the form half filled, with validation messages, and after
saving. It builds its own throw-away encrypted database in a temporary folder.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from roi_desk.demo import request_letter_pdf
from roi_desk.models import Patient
from roi_desk.storage import Database, open_database
from roi_desk.ui.intake import IntakeDialog

from .support import add_patient, make_context


def _type(widget: QWidget, text: str) -> None:
    # a date field is typed into through its text part
    QTest.keyClicks(widget.focusProxy() or widget, text)


def render_intake_screens(outdir: Path, db: Database | None = None) -> list[Path]:
    """Write the intake screenshots to ``outdir``; returns their paths.

    Without ``db`` a throw-away database is made in a temporary folder (its key goes to
    the keyring in effect: the tests' in-memory one, or the system's).
    """
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    if db is not None:
        return _render(outdir, db)
    with tempfile.TemporaryDirectory() as tmp:
        own = open_database(Path(tmp) / "screens.db", create=True)
        try:
            return _render(outdir, own)
        finally:
            own.close()


def _render(outdir: Path, db: Database) -> list[Path]:
    app = QApplication.instance() or QApplication([])
    written: list[Path] = []
    ctx = make_context(db)
    add_patient(db, "MRN904811", "Okafor", "Ngozi", date(1971, 8, 14))
    add_patient(db, "MRN977120", "Okafor", "Chidi", date(1971, 8, 14))
    add_patient(db, "MRN918300", "Okafor", "Nneka", date(1990, 2, 1))
    dialog = IntakeDialog(ctx)
    dialog.resize(1440, 900)
    dialog.show()
    patient = Patient(mrn="X", date_of_birth=date(1971, 8, 14))
    patient.set_names("Okafor", "Ngozi")
    fax = request_letter_pdf(patient, "Whitfield & Crane LLP", "laboratory results 2023 to present")
    dialog.attach_scan(fax, "fax-0412.pdf")
    f = dialog.form
    _type(f.family_name, "Okafor")
    _type(f.given_name, "Ngozi")
    _type(f.date_of_birth, "08/14/1971")
    _type(f.phone, "617-555-0187")
    _type(f.requester.name, "Dana Whitfield")
    _type(f.requester.organization, "Whitfield & Crane LLP")
    f.kind.setCurrentIndex(f.kind.findData("third_party"))
    f.match.refresh()
    app.processEvents()
    path = outdir / "intake-half-filled.png"
    dialog.grab().save(str(path))
    written.append(path)

    dialog.save()
    app.processEvents()
    path = outdir / "intake-validation.png"
    dialog.grab().save(str(path))
    written.append(path)

    _type(f.requester.address_line1, "40 Court Street")
    _type(f.requester.city, "Boston")
    _type(f.requester.state, "MA")
    _type(f.requester.postal_code, "02108")
    _type(f.purpose, "Personal injury claim")
    f.info_checks["lab"].setChecked(True)
    f.match.candidates.setCurrentItem(f.match.candidates.topLevelItem(0))
    dialog.save()
    app.processEvents()
    path = outdir / "intake-saved.png"
    dialog.grab().save(str(path))
    written.append(path)

    dialog.send_acknowledgement()
    preview = dialog.letter_preview
    if preview is not None:
        app.processEvents()
        path = outdir / "intake-acknowledgement.png"
        preview.grab().save(str(path))
        written.append(path)
        preview.close()
    dialog.accept()
    dialog.deleteLater()
    return written
