#!/usr/bin/env bash
# The whole test suite with the servers it needs, on loopback only: a throw-away PostgreSQL
# (every database test runs on SQLCipher and on PostgreSQL) and a CUPS server with a PDF
# printer (printing tests). Both are started here and stopped after, whatever happens.
set -uo pipefail
cd "$(dirname "$0")/.."

cleanup() {
  ./scripts/pg-test-server.sh stop
  ./scripts/cups-test-server.sh stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

url=$(./scripts/pg-test-server.sh start) || { echo "could not start PostgreSQL" >&2; exit 1; }
if ./scripts/cups-test-server.sh start; then
  CUPS_SERVER=$(cat "${CUPS_TEST_STATE:-/tmp/roi-desk-cups-test}/server")
  export CUPS_SERVER
else
  echo "note: no CUPS test printer here; the printing tests will say they are skipped" >&2
fi
export ROI_DESK_TEST_PG_URL=$url
if [ $# -gt 0 ]; then
  QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest -q "$@"
  exit $?
fi
rc=0
# the core's tests (tests/unit) run once, on an interpreter that cannot import Qt (issue 15):
# the import-linter contract says the core never imports Qt, this shows it runs without it
./scripts/test-core-without-qt.sh || rc=1
# the windows' tests and the rest, offscreen
QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest -q --ignore=tests/unit || rc=1
# the clerk's whole day once more, in a real X server with a window manager (focus, window
# sizes and the event loop as on a desk), at the common office laptop's 1366x768
E2E_X_SIZES=1366x768 ./scripts/e2e-x.sh || rc=1
exit $rc
