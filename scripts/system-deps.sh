#!/usr/bin/env bash
# Installs the Debian packages ROI Desk needs, or prints the exact apt line when not root.
# Qt (offscreen and a real window) needs the libraries below even though PySide6 comes from PyPI;
# qpdf and poppler-utils are used by tests to check what our PDFs really contain.
set -euo pipefail
pkgs=(
  # Qt offscreen
  libgl1 libegl1 libxkbcommon0 libglib2.0-0 libfontconfig1 libfreetype6 libdbus-1-3
  # Qt in a real window (xcb)
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
  libxcb-randr0 libxcb-render-util0 libxcb-image0 libxcb-xinerama0 libxcb-xkb1 libx11-xcb1
  fonts-dejavu-core
  # PDF checks used by tests and the CLI
  qpdf poppler-utils libtiff-tools
  # OCR of faxed and scanned pages, to propose redactions where there is no text layer
  tesseract-ocr tesseract-ocr-eng
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "ROI Desk needs these Debian packages. Run:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
