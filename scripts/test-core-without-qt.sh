#!/usr/bin/env bash
# The core's tests (tests/unit) on an interpreter that cannot import Qt: PySide6, shiboken6
# and pytest-qt are blocked by scripts/no_qt/sitecustomize.py, in this process and every
# one the tests start. The import-linter contract says the core never imports Qt; this
# shows it also runs without it (a server, a script host, a CI box with no display).
# Extra arguments go to pytest (e.g. -x, -k NAME, or test paths under tests/unit).
set -euo pipefail
cd "$(dirname "$0")/.."

export PYTHONPATH="$PWD/scripts/no_qt:$PWD${PYTHONPATH:+:$PYTHONPATH}"
unset QT_QPA_PLATFORM

# first, that the blocker holds: otherwise a green run below would prove nothing
if .venv/bin/python -c "import PySide6" 2>/dev/null; then
  echo "test-core-without-qt: PySide6 is still importable; the Qt blocker did not load" >&2
  exit 1
fi

# tests/unit unless the arguments name test paths of their own
paths=0
for arg in "$@"; do [ -e "${arg%%::*}" ] && paths=1; done
if [ $paths -eq 0 ]; then set -- "$@" tests/unit; fi
exec .venv/bin/python -m pytest -q -p no:pytest-qt -p no_qt_plugin "$@"
