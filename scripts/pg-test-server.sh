#!/usr/bin/env bash
# A throw-away PostgreSQL server on loopback for the test suite (issue: department server).
#   scripts/pg-test-server.sh start   -> installs postgresql if root and missing, starts it,
#                                        prints the database URL on stdout
#   scripts/pg-test-server.sh stop    -> stops it and removes its data folder
# Data lives in /tmp/roi-desk-pg (synthetic test data only). Only 127.0.0.1 is listened on.
set -euo pipefail
# ROI_DESK_PG_DATA: another folder, for a second checkout testing beside this one (each
# then has its own server on its own port, and stopping one does not stop the other)
DATA=${ROI_DESK_PG_DATA:-/tmp/roi-desk-pg}
mode=${1:-start}

pg_bin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$d" ] && echo "$d"
}

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$mode" in
  start)
    if [ -z "$(pg_bin)" ]; then
      if [ "$(id -u)" -eq 0 ]; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >/dev/null
        apt-get install -y -qq --no-install-recommends postgresql >/dev/null
      else
        echo "PostgreSQL is not installed: sudo apt-get install -y postgresql" >&2
        exit 1
      fi
    fi
    BIN=$(pg_bin)
    if [ -f "$DATA/postmaster.pid" ] && as_pg "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
      PORT=$(cat "$DATA.port")
    else
      # the first free port from 54329 up: another test server (or another checkout's)
      # may already listen on loopback
      PORT=${ROI_DESK_PG_PORT:-}
      if [ -z "$PORT" ]; then
        for p in $(seq 54329 54379); do
          if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then PORT=$p; break; fi
        done
      fi
      rm -rf "$DATA"; mkdir -p "$DATA"
      [ "$(id -u)" -eq 0 ] && chown postgres "$DATA"
      echo "$PORT" > "$DATA.port"
      as_pg "$BIN/initdb" -D "$DATA" -U roi -A trust --no-instructions >/dev/null
      if ! as_pg "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DATA -c fsync=off" start >/dev/null; then
        echo "PostgreSQL did not start; its log says:" >&2
        tail -5 "$DATA/server.log" >&2
        exit 1
      fi
    fi
    echo "postgresql+psycopg://roi@127.0.0.1:$PORT/postgres"
    ;;
  stop)
    BIN=$(pg_bin) || true
    if [ -n "${BIN:-}" ] && [ -d "$DATA" ]; then
      as_pg "$BIN/pg_ctl" -D "$DATA" -m fast stop >/dev/null 2>&1 || true
    fi
    rm -rf "$DATA" "$DATA.port"
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
