"""Fax output: turning a release packet into what a fax server sends."""

from __future__ import annotations

from roi_desk.fax.tiff import FAX_WIDTH_PX, FaxResolution, pdf_to_fax_tiff

__all__ = ["FAX_WIDTH_PX", "FaxResolution", "pdf_to_fax_tiff"]
