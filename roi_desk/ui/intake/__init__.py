"""Logging new requests: the intake dialog and the widgets it is made of."""

from __future__ import annotations

from roi_desk.ui.intake.dialog import IntakeDialog, SavedRequest

__all__ = ["IntakeDialog", "SavedRequest"]
