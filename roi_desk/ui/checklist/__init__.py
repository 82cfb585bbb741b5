"""The authorization checklist tab of the request workspace (see :mod:`.panel`)."""

from roi_desk.ui.checklist.panel import ChecklistPanel

__all__ = ["ChecklistPanel"]
