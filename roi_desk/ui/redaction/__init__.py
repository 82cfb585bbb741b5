"""The redaction workspace: page thumbnails, a zoomable page with boxes, undo/redo, the log."""

from roi_desk.ui.redaction.tab import RedactionTab

__all__ = ["RedactionTab"]
