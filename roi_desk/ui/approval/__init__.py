"""The supervisor's approval queue (ApprovalQueueView)."""

from roi_desk.ui.approval.queue import ApprovalQueueModel, ApprovalQueueView

__all__ = ["ApprovalQueueModel", "ApprovalQueueView"]
