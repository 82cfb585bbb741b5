"""The intake dialog's look: dense but calm, for a clerk who logs hundreds a day.

Quiet section rules instead of group-box frames, muted labels, one accent colour for
focus and the primary button, red only where something must be fixed, green only for
"logged".
"""

from __future__ import annotations

INTAKE_STYLE = """
QDialog#intakeDialog { background: #f4f6f8; }
QWidget#intakeForm { background: #ffffff; }
QScrollArea { background: #ffffff; border: 1px solid #d9dee5; border-radius: 4px; }
QLabel#sectionTitle {
    color: #2c4a6b; font-weight: 600; letter-spacing: 0.3px;
    border-bottom: 1px solid #dfe4ea; padding: 10px 0 3px 0;
}
QLabel#fieldLabel { color: #4a5361; padding-top: 4px; }
QLabel#fieldError { color: #b3261e; font-size: 11px; }
QLabel#hint { color: #6b7380; }
QLineEdit, QPlainTextEdit {
    border: 1px solid #c5ccd6; border-radius: 3px; padding: 3px 5px; background: #ffffff;
    selection-background-color: #cfe0f5; selection-color: #111111;
}
QLineEdit:focus, QPlainTextEdit:focus { border: 1px solid #2f6db5; }
QLineEdit:read-only, QPlainTextEdit[readOnly="true"] { background: #f6f7f9; color: #333a44; }
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"] {
    border: 1px solid #c62828; background: #fff6f5;
}
QWidget[invalid="true"] QCheckBox { color: #b3261e; }
DateField[invalid="true"] QLineEdit, DateTimeField[invalid="true"] QLineEdit {
    border: 1px solid #c62828; background: #fff6f5;
}
QTreeWidget#candidates { border: 1px solid #c5ccd6; border-radius: 3px; }
QLabel#errorBanner {
    background: #fdeceb; border: 1px solid #efb3ad; border-radius: 4px; color: #7f1d1d;
    padding: 6px 10px;
}
QFrame#confirmation { background: #ecf6ee; border: 1px solid #a7d3ae; border-radius: 4px; }
QLabel#confirmationHeadline { color: #1d5b2c; font-size: 15px; font-weight: 600; }
QLabel#confirmationDetails { color: #2f4f37; }
QLabel#duplicateWarning {
    background: #fff3dc; border: 1px solid #e8c27a; border-radius: 3px; color: #6b4700;
    padding: 4px 8px;
}
QPushButton#primary {
    background: #2f6db5; color: #ffffff; border: 1px solid #285f9f; border-radius: 3px;
    padding: 5px 16px; font-weight: 600;
}
QPushButton#primary:focus { border: 2px solid #163a63; }
QLabel#pageCanvas { color: #6b7380; }
"""
