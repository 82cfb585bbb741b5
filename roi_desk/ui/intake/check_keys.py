"""A grid of check boxes as one Tab stop, moved through by the keyboard like a list.

Split from :mod:`roi_desk.ui.intake.form`: the key handling of the "information
requested" boxes, apart from the form's layout.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QCheckBox, QWidget

__all__ = ["CheckGroupKeys"]


class CheckGroupKeys(QObject):
    """Makes a grid of check boxes one Tab stop, moved through like a list.

    Twelve boxes were twelve Tab presses on the way to the purpose. Now Tab enters the
    group once (on the box last used), the arrow keys move in the grid, typing the start
    of a label jumps to it ("lab", "oth"), Space ticks, and Tab leaves.
    """

    def __init__(self, checks: list[QCheckBox], *, columns: int, parent: QObject) -> None:
        super().__init__(parent)
        self.checks = checks
        self.columns = columns
        self.current: QCheckBox = checks[0]
        #: the widget holding the boxes; its focus proxy follows the box last used
        self.group: QWidget | None = None
        self._typed = ""
        self._moving = False
        for check in checks:
            check.installEventFilter(self)

    def _move_to(self, check: QCheckBox) -> None:
        self._moving = True
        try:
            check.setFocus(Qt.FocusReason.OtherFocusReason)
        finally:
            self._moving = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(watched, QCheckBox) or watched not in self.checks:
            return False
        if event.type() == QEvent.Type.FocusIn:
            self.current = watched
            if self.group is not None and self.group.focusProxy() is not watched:
                self.group.setFocusProxy(watched)
        elif event.type() == QEvent.Type.FocusOut and not self._moving:
            # left the group: the next visit starts a new search
            self._typed = ""
        elif event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            return self._key(watched, event)
        return False

    def _key(self, check: QCheckBox, event: QKeyEvent) -> bool:
        index = self.checks.index(check)
        moves = {
            Qt.Key.Key_Left: -1,
            Qt.Key.Key_Right: 1,
            Qt.Key.Key_Up: -self.columns,
            Qt.Key.Key_Down: self.columns,
        }
        key = Qt.Key(event.key())
        if key in moves:
            target = index + moves[key]
            if 0 <= target < len(self.checks):
                self._move_to(self.checks[target])
            self._typed = ""
            return True
        text = event.text()
        plain = not event.modifiers() & (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
        )
        if plain and text.isalpha():
            self._find(index, text.casefold())
            return True
        self._typed = ""
        return False

    def _find(self, index: int, letter: str) -> None:
        """Jump to the next box whose label starts with what was typed so far."""
        labels = [c.text().replace("&", "").casefold() for c in self.checks]
        typed = self._typed + letter
        count = len(self.checks)
        # a longer prefix may still be the box we are on; a fresh letter looks further on
        for start, prefix in ((index, typed), (index + 1, letter)):
            for step in range(count):
                i = (start + step) % count
                if labels[i].startswith(prefix):
                    self._typed = prefix
                    self._move_to(self.checks[i])
                    return
        self._typed = ""
