#!/usr/bin/env bash
# Builds the self-contained Linux bundle of ROI Desk:
#   dist/roi-desk/                                the program folder (run dist/roi-desk/roi-desk)
#   dist/roi-desk-<version>-linux-x86_64.tar.gz   the same, packed, with install.sh inside
# Uses a build venv of its own (build/bundle-venv: runtime dependencies from pyproject.toml +
# installer/requirements-build.txt, under requirements/constraints.txt), reused while those
# files do not change. BUNDLE_VENV=DIR picks another venv; PYTHON picks the interpreter
# (CPython 3.11, as in CI).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
python=${PYTHON:-python3}
venv=${BUNDLE_VENV:-$root/build/bundle-venv}
started=$(date +%s)

log() { printf '[build-linux] %s\n' "$*"; }

# PyInstaller reads ELF dependencies with objdump (Debian package binutils).
if ! command -v objdump >/dev/null; then
  echo "PyInstaller needs objdump: sudo apt-get install -y binutils" >&2
  exit 1
fi
# (With Debian's own python3, PyInstaller also needs the package libpython3.11.)

# ------------------------------------------------------------------ build venv
deps_file=$root/build/bundle-requirements.txt
mkdir -p "$root/build"
"$python" - >"$deps_file" <<'PY'
import tomllib
with open("pyproject.toml", "rb") as f:
    print("\n".join(tomllib.load(f)["project"]["dependencies"]))
PY
stamp_want=$(cat "$deps_file" requirements/constraints.txt installer/requirements-build.txt |
  sha256sum | cut -c1-16)
stamp=$venv/.roi-desk-bundle-stamp
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$stamp_want" ]; then
  log "preparing the build venv in $venv"
  [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install -q -c requirements/constraints.txt \
    -r "$deps_file" -r installer/requirements-build.txt
  echo "$stamp_want" >"$stamp"
else
  log "reusing the build venv in $venv"
fi

version=$("$venv/bin/python" -c 'import re,sys; print(re.search(r"__version__ = \"([^\"]+)\"", open("roi_desk/__init__.py").read())[1])')

# ------------------------------------------------------------------ icons
if [ ! -f resources/icons/roi-desk.png ] || [ resources/icons/roi-desk.svg -nt resources/icons/roi-desk.png ]; then
  log "rendering the icons from resources/icons/roi-desk.svg"
  QT_QPA_PLATFORM=offscreen "$venv/bin/python" installer/render-icons.py
fi

# ------------------------------------------------------------------ PyInstaller
log "running PyInstaller"
t0=$(date +%s)
rm -rf dist/roi-desk
"$venv/bin/python" -m PyInstaller --noconfirm --log-level WARN \
  --distpath dist --workpath build/pyinstaller installer/roi-desk.spec
log "PyInstaller took $(($(date +%s) - t0)) s"

# ------------------------------------------------------------------ desktop integration
bundle=dist/roi-desk
mkdir -p "$bundle/share"
install -m 0644 installer/linux/roi-desk.desktop "$bundle/share/roi-desk.desktop"
install -m 0644 resources/icons/roi-desk.svg resources/icons/roi-desk.png \
  resources/icons/roi-desk-48.png "$bundle/share/"
install -m 0755 installer/linux/install.sh "$bundle/install.sh"
cat >"$bundle/README.txt" <<TXT
ROI Desk $version for Linux (x86_64)

Run ./roi-desk, or install with ./install.sh (as root: /opt/roi-desk for all users;
otherwise ~/.local/opt/roi-desk for you). ./install.sh --uninstall removes the program and
keeps your data. Qt needs these Debian packages:
  libgl1 libegl1 libxkbcommon0 libglib2.0-0 libfontconfig1 libfreetype6 libdbus-1-3
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
  libxcb-randr0 libxcb-render-util0 libxcb-image0 libxcb-xinerama0 libxcb-xkb1 libx11-xcb1
TXT

# ------------------------------------------------------------------ archive
archive=dist/roi-desk-$version-linux-x86_64.tar.gz
log "packing $archive"
tar -C dist -czf "$archive" roi-desk
log "bundle: $(du -sh "$bundle" | cut -f1) ($(du -sh "$archive" | cut -f1) packed)"
log "done in $(($(date +%s) - started)) s"
