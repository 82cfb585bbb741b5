"""ROI Desk: release of information for a hospital's Health Information Management desk."""

__version__ = "0.1.0"
