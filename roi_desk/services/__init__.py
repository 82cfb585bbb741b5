"""Use cases: each takes a Session (or the Database) plus plain inputs, and enforces the
rules itself — the UI and the command line only call these."""
