#!/usr/bin/env bash
# Installs the unpacked ROI Desk bundle (the folder this script is in) on a Linux machine:
#   sudo ./install.sh              -> /opt/roi-desk, /usr/local/bin/roi-desk, menu entry for all users
#   ./install.sh                   -> ~/.local/opt/roi-desk, ~/.local/bin/roi-desk, menu entry for you
#   [sudo] ./install.sh --uninstall  removes the program; user data (~/.local/share/ROI Desk,
#                                  ~/.config/ROI Desk) is never touched.
# PREFIX=/some/dir overrides where the program folder goes.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ "$(id -u)" -eq 0 ]; then
  prefix=${PREFIX:-/opt/roi-desk}
  bindir=/usr/local/bin
  share=/usr/share
else
  prefix=${PREFIX:-$HOME/.local/opt/roi-desk}
  bindir=$HOME/.local/bin
  share=${XDG_DATA_HOME:-$HOME/.local/share}
fi
apps=$share/applications
icons=$share/icons/hicolor

refresh_menus() {
  if command -v update-desktop-database >/dev/null; then
    update-desktop-database -q "$apps" || true
  fi
  if command -v gtk-update-icon-cache >/dev/null; then
    gtk-update-icon-cache -q -t "$icons" || true
  fi
}

if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$apps/roi-desk.desktop" "$icons/256x256/apps/roi-desk.png" \
    "$icons/48x48/apps/roi-desk.png" "$icons/scalable/apps/roi-desk.svg"
  [ -L "$bindir/roi-desk" ] && rm -f "$bindir/roi-desk"
  [ -x "$prefix/roi-desk" ] && rm -rf "$prefix"
  refresh_menus
  echo "ROI Desk removed from $prefix. Your databases and settings were kept."
  exit 0
fi

[ -x "$here/roi-desk" ] || { echo "run this from the unpacked roi-desk folder" >&2; exit 1; }
if [ "$here" != "$prefix" ]; then
  rm -rf "$prefix"
  mkdir -p "$(dirname "$prefix")"
  cp -a "$here" "$prefix"
fi
mkdir -p "$bindir" "$apps" "$icons/256x256/apps" "$icons/48x48/apps" "$icons/scalable/apps"
ln -sfn "$prefix/roi-desk" "$bindir/roi-desk"
install -m 0644 "$prefix/share/roi-desk.png" "$icons/256x256/apps/roi-desk.png"
install -m 0644 "$prefix/share/roi-desk-48.png" "$icons/48x48/apps/roi-desk.png"
install -m 0644 "$prefix/share/roi-desk.svg" "$icons/scalable/apps/roi-desk.svg"
# absolute Exec/TryExec: ~/.local/bin is not on every desktop session's PATH
sed -e "s|^Exec=.*|Exec=$prefix/roi-desk|" -e "s|^TryExec=.*|TryExec=$prefix/roi-desk|" \
  "$prefix/share/roi-desk.desktop" >"$apps/roi-desk.desktop"
chmod 0644 "$apps/roi-desk.desktop"
refresh_menus
echo "ROI Desk installed in $prefix (command: $bindir/roi-desk, menu: Office)."
