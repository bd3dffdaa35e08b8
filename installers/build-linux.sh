#!/usr/bin/env bash
# Build the stand-alone Linux bundle of GroupClinic Desktop (no Python needed on the target).
#
#   bash installers/build-linux.sh
#
# Makes a build virtualenv in build/venv (the app's dependencies from pyproject.toml plus
# PyInstaller, from PyPI), runs installers/groupclinic.spec (one-folder build) and packs
#   dist/groupclinic-<version>-linux-x86_64.tar.gz
# whose top folder groupclinic-<version>/ holds the `groupclinic` launcher, groupclinic.desktop,
# groupclinic.png/.svg and install-desktop-entry.sh. It then runs the bundle's --selftest.
# Safe to run again. Needs Python 3.11+ with its shared library (Debian's python3 has it).
# Set GROUPCLINIC_BUILD_VENV=DIR to use another virtualenv (it gets the same packages).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
venv="${GROUPCLINIC_BUILD_VENV:-build/venv}"
version="$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' groupclinic_desktop/__init__.py)"
[ -n "$version" ] || { echo "error: no __version__ in groupclinic_desktop/__init__.py" >&2; exit 1; }
arch="$(uname -m)"
name="groupclinic-${version}"
tarball="dist/${name}-linux-${arch}.tar.gz"

pick_python() {
  local py
  for py in python3.13 python3.12 python3.11 python3; do
    if command -v "$py" >/dev/null 2>&1 &&
      "$py" -c 'import sys, sysconfig; sys.exit(sys.version_info < (3, 11)
        or not sysconfig.get_config_var("Py_ENABLE_SHARED"))' 2>/dev/null; then
      echo "$py"
      return 0
    fi
  done
  return 1
}

if [ ! -x "$venv/bin/python" ]; then
  python="$(pick_python)" || {
    echo "error: PyInstaller needs Python 3.11+ built with its shared library" \
      "(apt-get install python3 python3-venv)." >&2
    exit 1
  }
  echo "Making the build virtualenv $venv with $python" >&2
  "$python" -m venv "$venv"
fi

# The app's dependencies come from pyproject.toml, the one list; the app itself is read from
# this source tree by the spec, so an old installed copy can never end up in the bundle.
mkdir -p build
"$venv/bin/python" - >build/requirements.txt <<'EOF'
import tomllib
with open("pyproject.toml", "rb") as fh:
    print("\n".join(tomllib.load(fh)["project"]["dependencies"]))
EOF
echo "pyinstaller>=6.10,<7" >>build/requirements.txt
stamp="$venv/.requirements-$(sha1sum build/requirements.txt | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  echo "Installing build requirements into $venv" >&2
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  "$venv/bin/python" -m pip install --quiet -r build/requirements.txt
  touch "$stamp"
fi

echo "Building GroupClinic $version with PyInstaller (one folder)" >&2
"$venv/bin/python" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath build/dist --workpath build/pyinstaller installers/groupclinic.spec

# Assemble the tarball's folder: the one-folder build plus the desktop entry and icon.
stage="build/stage/${name}"
rm -rf build/stage
mkdir -p "$stage"
cp -a build/dist/groupclinic/. "$stage/"
cp resources/icons/groupclinic.png resources/icons/groupclinic.svg "$stage/"
cp installers/linux/groupclinic.desktop installers/linux/install-desktop-entry.sh "$stage/"
chmod 0755 "$stage/groupclinic" "$stage/install-desktop-entry.sh"
printf '%s\n' "$version" >"$stage/VERSION"

mkdir -p dist
rm -f "$tarball"
# Owner and dates normalised so the tarball does not carry the build machine's accounts.
tar --owner=0 --group=0 --numeric-owner -C build/stage -czf "$tarball" "$name"

echo "Checking the bundle with --selftest" >&2
QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}" "$stage/groupclinic" --selftest

unpacked="$(du -sm "$stage" | cut -f1)"
packed="$(du -m "$tarball" | cut -f1)"
echo "Built $tarball (${packed} MB; ${unpacked} MB unpacked)"
