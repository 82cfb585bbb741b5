"""Abstract selection and release assembly (plain Python; no Qt, no database)."""
