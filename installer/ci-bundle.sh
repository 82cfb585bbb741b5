#!/usr/bin/env bash
# CI: build the Linux bundle and smoke-test it offscreen (installer/README.md).
# On a fresh Debian 12 machine as root it first installs the libraries Qt needs
# (scripts/system-deps.sh) and what PyInstaller needs (binutils; libpython3.X with Debian's
# python3); elsewhere it expects them. Prints how long each part took.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
start=$(date +%s)

./scripts/system-deps.sh
# The build itself needs objdump (PyInstaller) and, with Debian's own python3, the shared
# libpython (package libpython3.X). As root on a fresh machine, install what is missing.
build_pkgs=()
command -v objdump >/dev/null || build_pkgs+=(binutils)
if [ "$(command -v python3)" = /usr/bin/python3 ] && command -v dpkg-query >/dev/null; then
  pylib=libpython$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  dpkg-query -W -f='${Status}' "$pylib" 2>/dev/null | grep -q "install ok installed" ||
    build_pkgs+=("$pylib")
fi
if [ ${#build_pkgs[@]} -gt 0 ] && [ "$(id -u)" -eq 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${build_pkgs[@]}" >/dev/null
fi
t0=$(date +%s)
bash installer/build-linux.sh
t1=$(date +%s)
bash installer/smoke-test.sh dist/roi-desk
t2=$(date +%s)

echo "ci-bundle: system deps $((t0 - start)) s, build $((t1 - t0)) s, smoke test $((t2 - t1)) s," \
  "total $((t2 - start)) s"
