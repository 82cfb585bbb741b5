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

# The test server listens on its own loopback port (never 631): a system cupsd, or another
# test run on the same machine, may hold 631. Clients find it through CUPS_SERVER, which
# scripts/run-tests.sh exports from "$STATE/server".
server() { cat "$STATE/server" 2>/dev/null || echo "127.0.0.1:6310"; }

queue_ready() {
  CUPS_SERVER=$(server) lpstat -a "$QUEUE" 2>/dev/null | grep -q "accepting"
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
  if ! { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }; then
    local port=""
    for p in $(seq 6310 6360); do
      if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
    done
    echo "127.0.0.1:$port" >"$STATE/server"
    # a private copy of the configuration: loopback only, our port, no shared socket —
    # the test server must never be reachable from the network
    grep -v -E '^(Listen|Port) ' /etc/cups/cupsd.conf >"$STATE/cupsd.conf"
    echo "Listen 127.0.0.1:$port" >>"$STATE/cupsd.conf"
    (cupsd -f -c "$STATE/cupsd.conf" >"$STATE/cupsd.log" 2>&1 & echo $! >"$PIDFILE")
  fi
  export CUPS_SERVER
  CUPS_SERVER=$(server)
  for _ in $(seq 1 50); do
    lpstat -r 2>/dev/null | grep -q "is running" && break
    sleep 0.2
  done
  local ppd
  ppd="$(ls /usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd /usr/share/ppd/cups-pdf/*.ppd 2>/dev/null | head -n1)"
  if ! queue_ready; then
    lpadmin -p "$QUEUE" -v cups-pdf:/ -E -P "$ppd"
    cupsenable "$QUEUE" 2>/dev/null || true
    cupsaccept "$QUEUE" 2>/dev/null || true
  fi
  queue_ready
  echo "cups-test-server: queue $QUEUE ready on $CUPS_SERVER, output in $OUT" >&2
}

stop() {
  if [ -f "$PIDFILE" ]; then
    local pid
    pid="$(cat "$PIDFILE")"
    CUPS_SERVER=$(server) lpadmin -x "$QUEUE" 2>/dev/null || true
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 25); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    rm -f "$PIDFILE" "$STATE/server"
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
