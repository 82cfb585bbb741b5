"""The Qt user interface: widgets show state and forward intent; the core decides."""
