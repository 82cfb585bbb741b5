#!/usr/bin/env bash
# Smoke test of a built ROI Desk bundle, offscreen, on synthetic data only:
#   1. `roi-desk --version`
#   2. `roi-desk demo` into a temporary ROI_DESK_HOME (creates the encrypted database and runs
#      the Alembic migrations from the files inside the bundle)
#   3. `roi-desk --demo status` (counts + audit-trail check)
#   4. `roi-desk redact` of a small generated PDF (pikepdf, PDFium and pdfminer in the bundle)
#   5. the window, offscreen, on the demo database; quits after the inbox's first paint
#      (ROI_DESK_BENCH_EXIT_AFTER_PAINT=1, roi_desk/ui/startup_probe.py)
# Exits 0 only if every step passes. Usage: installer/smoke-test.sh [BUNDLE_DIR]
# (default dist/roi-desk). Needs the Debian libraries Qt needs (scripts/system-deps.sh).
# SMOKE_SKIP="redact gui" skips the named steps (each is reported as SKIP).
set -euo pipefail

bundle=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/dist/roi-desk}
exe=$bundle/roi-desk
[ -x "$exe" ] || { echo "smoke-test: no bundle at $bundle (run installer/build-linux.sh)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/roi-desk-smoke.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Everything in a throw-away folder; no keyring even on a desktop (the fail back end), so the
# demo key is wrapped by this passphrase (synthetic data only).
export ROI_DESK_HOME=$work/home
export ROI_DESK_PASSPHRASE=smoke-test-passphrase-only
export PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring
export QT_QPA_PLATFORM=offscreen
export XDG_RUNTIME_DIR=$work/runtime
mkdir -p "$XDG_RUNTIME_DIR" && chmod 0700 "$XDG_RUNTIME_DIR"
unset ROI_DESK_BENCH_EXIT_AFTER_PAINT

failed=0
now() { date +%s.%N; }
# step NAME EXPECTED-REGEX COMMAND... : runs the command (60 s at most), checks exit 0 and output
step() {
  local name=$1 expect=$2 t0 t1 rc=0
  shift 2
  case " ${SMOKE_SKIP:-} " in
    *" $name "*) printf 'SKIP  %-10s (SMOKE_SKIP)\n' "$name"; return 0 ;;
  esac
  t0=$(now)
  timeout "${SMOKE_TIMEOUT:-60}" "$@" >"$work/out.txt" 2>&1 || rc=$?
  t1=$(now)
  local secs
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
  if [ "$rc" -eq 0 ] && grep -Eq "$expect" "$work/out.txt"; then
    printf 'PASS  %-10s %6s s  %s\n' "$name" "$secs" "$(grep -Em1 "$expect" "$work/out.txt")"
  else
    printf 'FAIL  %-10s %6s s  exit %s; output:\n' "$name" "$secs" "$rc"
    sed 's/^/        /' "$work/out.txt" | tail -20
    failed=$((failed + 1))
  fi
}

# A one-page PDF with a line of made-up text, written by hand (no PDF tool needed).
make_pdf() {
  local out=$1 body="" offsets=() i
  local objs=(
    "<< /Type /Catalog /Pages 2 0 R >>"
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
  )
  local stream="BT /F1 14 Tf 72 700 Td (Synthetic note: SMOKE-SECRET-4711 keep this) Tj ET"
  objs+=("<< /Length ${#stream} >>
stream
$stream
endstream")
  body="%PDF-1.4
"
  for i in "${!objs[@]}"; do
    offsets+=("${#body}")
    body+="$((i + 1)) 0 obj
${objs[$i]}
endobj
"
  done
  local xref=${#body}
  body+="xref
0 $((${#objs[@]} + 1))
0000000000 65535 f 
"
  for i in "${offsets[@]}"; do body+=$(printf '%010d 00000 n \n' "$i")$'\n'; done
  body+="trailer
<< /Size $((${#objs[@]} + 1)) /Root 1 0 R >>
startxref
$xref
%%EOF
"
  printf '%s' "$body" >"$out"
}

echo "smoke test of $bundle"
step version '^ROI Desk [0-9]' "$exe" --version
step demo 'Demo database with' "$exe" demo --requests 40
step status 'audit trail: [0-9]+ events, intact' "$exe" --demo status

make_pdf "$work/in.pdf"
cat >"$work/boxes.json" <<'JSON'
[{"page": 0, "rect": [180, 690, 330, 716], "reason": "smoke test", "proposed_by": "smoke",
  "confirmed_by": "smoke", "confirmed_at": "2025-01-01T00:00:00+00:00"}]
JSON
step redact 'verified' "$exe" redact "$work/in.pdf" --boxes "$work/boxes.json" -o "$work/out.pdf"

# the demo accounts share a published password (README); signing in is part of the start
step gui '^ROI_DESK_PAINTED ' env ROI_DESK_BENCH_EXIT_AFTER_PAINT=1 \
  ROI_DESK_PASSWORD="riverside demo desk" "$exe" --demo --user mrivera

if [ "$failed" -eq 0 ]; then
  echo "smoke test passed"
else
  echo "smoke test FAILED: $failed step(s)"
  exit 1
fi
