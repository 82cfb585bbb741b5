#!/usr/bin/env bash
# A throw-away CUPS server with a PDF queue, for the printing tests (pytest -m needs_cups).
#
#   scripts/cups-test-server.sh start   install cups + cups-pdf if root and missing, start
#                                        cupsd on loopback, add the queue ROI_TEST_PDF
#   scripts/cups-test-server.sh stop    stop the cupsd this script started
#   scripts/cups-test-server.sh status  exit 0 when the queue accepts jobs
#
# cups-pdf writes each job as a PDF into $CUPS_TEST_OUT (default /var/spool/cups-pdf-test);
# the tests read the file back and check its text with pdftotext. Only synthetic data is
# ever printed to it. cupsd runs in the foreground (-f) in the background of this shell,
# as GROUND.md describes; its pid is kept in $CUPS_TEST_STATE/cupsd.pid.
set -euo pipefail

QUEUE="${CUPS_TEST_QUEUE:-ROI_TEST_PDF}"
OUT="${CUPS_TEST_OUT:-/var/spool/cups-pdf-test}"
STATE="${CUPS_TEST_STATE:-/tmp/roi-desk-cups-test}"
PIDFILE="$STATE/cupsd.pid"

need_packages() {
  local missing=()
  for p in cups cups-client cups-bsd printer-driver-cups-pdf; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "cups-test-server: not root; install with: sudo apt-get install -y ${missing[*]}" >&2
    return 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

queue_ready() {
  lpstat -h localhost -a "$QUEUE" 2>/dev/null | grep -q "accepting"
}

start() {
  need_packages
  if [ "$(id -u)" -ne 0 ]; then
    echo "cups-test-server: cupsd needs root here; skipping (needs_cups tests will skip)" >&2
    return 1
  fi
  mkdir -p "$STATE" "$OUT"
  chmod 0700 "$STATE"
  # the output folder belongs to the user cups-pdf runs jobs as (nobody); only root and
  # that user can read it
  chown nobody:root "$OUT" 2>/dev/null || true
  chmod 0770 "$OUT"
  # cups-pdf: write jobs to $OUT instead of ~/PDF, named after the job
  if [ -f /etc/cups/cups-pdf.conf ]; then
    sed -i -E "s|^#?Out .*|Out ${OUT}|; s|^#?AnonDirName .*|AnonDirName ${OUT}|" \
      /etc/cups/cups-pdf.conf
    grep -q "^Out " /etc/cups/cups-pdf.conf || echo "Out ${OUT}" >> /etc/cups/cups-pdf.conf
    grep -q "^AnonDirName " /etc/cups/cups-pdf.conf \
      || echo "AnonDirName ${OUT}" >> /etc/cups/cups-pdf.conf
  fi
  if ! pgrep -x cupsd >/dev/null 2>&1; then
    # loopback only: the test server must never be reachable from the network
    sed -i -E 's/^Listen .*:631$/Listen localhost:631/; s/^Port 631$/Listen localhost:631/' \
      /etc/cups/cupsd.conf
    (cupsd -f >"$STATE/cupsd.log" 2>&1 & echo $! >"$PIDFILE")
  fi
  for _ in $(seq 1 50); do
    lpstat -h localhost -r 2>/dev/null | grep -q "is running" && break
    sleep 0.2
  done
  local ppd
  ppd="$(ls /usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd /usr/share/ppd/cups-pdf/*.ppd 2>/dev/null | head -n1)"
  if ! queue_ready; then
    lpadmin -h localhost -p "$QUEUE" -v cups-pdf:/ -E -P "$ppd"
    cupsenable -h localhost "$QUEUE" 2>/dev/null || true
    cupsaccept -h localhost "$QUEUE" 2>/dev/null || true
  fi
  queue_ready
  echo "cups-test-server: queue $QUEUE ready, output in $OUT"
}

stop() {
  if [ -f "$PIDFILE" ]; then
    local pid
    pid="$(cat "$PIDFILE")"
    lpadmin -h localhost -x "$QUEUE" 2>/dev/null || true
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 25); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    rm -f "$PIDFILE"
    echo "cups-test-server: stopped"
  else
    echo "cups-test-server: not started by this script; nothing to stop"
  fi
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) queue_ready ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
