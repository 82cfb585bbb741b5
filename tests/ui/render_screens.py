"""Screenshots of the foundation screens, offscreen: ``python -m tests.ui.render_screens OUT``.

Builds a demo database in a temporary folder (synthetic data), opens the main window at
1400x900 and saves PNGs via ``QWidget.grab()``: the inbox, a filtered inbox, the request
view, and the intake dialog when it is importable.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

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
        from roi_desk.ui.operations import InlineRunner
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
            ctx.runner = InlineRunner()  # every query answered before the picture is taken
            settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
            window = MainWindow(ctx, settings)
            window.resize(1400, 900)
            window.show()

            def shot(widget: QWidget, name: str) -> None:
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
            window.close()
        finally:
            db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "screens")))
