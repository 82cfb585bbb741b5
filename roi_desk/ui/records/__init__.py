"""The Records tab: chart index, import, abstract builder, preview (see ``tab.py``)."""

from roi_desk.ui.records.tab import RecordsTab

__all__ = ["RecordsTab"]
