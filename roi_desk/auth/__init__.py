"""Who may use ROI Desk and what each may do: passwords, permissions, sign-in sessions.

No Qt here (the import-linter contract should list ``roi_desk.auth`` with the core): the
services enforce permissions, the widgets only hide what a role cannot use.
"""
