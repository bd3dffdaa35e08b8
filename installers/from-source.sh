#!/usr/bin/env bash
# Install GroupClinic Desktop from this source tree on Debian/Ubuntu, then start it or test it.
#
#   bash installers/from-source.sh run [ARGS...]   install, then start the app on the demo practice
#   bash installers/from-source.sh test [PYTEST ARGS...]   install, then run the whole test suite
#
# Safe to run again: it installs only what is missing. Needs Python 3.11+ and, for the system
# libraries, root or sudo (apt-get).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
mode="${1:-run}"
shift || true

# Libraries Qt needs on the screen (xcb) and off it, fonts, and the tools the tests use.
APP_PACKAGES=(libegl1 libgl1 libglib2.0-0 libfontconfig1 libdbus-1-3 libxkbcommon0
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
  libxcb-render-util0 libxcb-shape0 libxcb-randr0 libxcb-xinerama0 libxcb-xkb1 libx11-xcb1
  fonts-dejavu-core fonts-noto-core fonts-wqy-microhei fonts-symbola)
# gnome-keyring and a D-Bus session bus: the real Secret Service the keyring bench and test use;
# chromium and its driver: the ICB dashboard's browser tests (tests/icb_service/browser).
TEST_PACKAGES=(poppler-utils postgresql xvfb xauth gnome-keyring dbus-daemon dbus-bin
  chromium chromium-driver)

need_python() {
  local py
  for py in python3.13 python3.12 python3.11 python3; do
    if command -v "$py" >/dev/null 2>&1 &&
      "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$py"
      return 0
    fi
  done
  return 1
}

apt_install() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "Installing system packages: ${missing[*]}" >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

packages=("${APP_PACKAGES[@]}")
[ "$mode" = "test" ] && packages+=("${TEST_PACKAGES[@]}")
# The tests validate FHIR bundles with Node (tests/export/fhir_validator); Debian's nodejs and
# npm only when the machine has no node of its own.
if [ "$mode" = "test" ] && ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi
if command -v dpkg-query >/dev/null 2>&1; then
  python="$(need_python || true)"
  if [ -z "$python" ] || ! "$python" -c 'import venv, ensurepip' 2>/dev/null; then
    packages+=(python3 python3-venv)
  fi
  apt_install "${packages[@]}"
fi
python="$(need_python)" || { echo "error: Python 3.11 or newer is needed." >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
extras="."
[ "$mode" = "test" ] && extras=".[test]"
stamp=".venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)-${mode}"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e "$extras"
  touch "$stamp"
fi
if [ "$mode" = "test" ]; then
  # The FHIR R4 validator the tests use, pinned by its package-lock.json (git-ignored install).
  validator="tests/export/fhir_validator"
  node_stamp="$validator/node_modules/.installed-$(sha1sum "$validator/package-lock.json" | cut -c1-12)"
  if [ ! -f "$node_stamp" ]; then
    (cd "$validator" && npm ci --no-audit --no-fund --silent)
    touch "$node_stamp"
  fi
  # axe-core, the accessibility checker the dashboard's browser tests inject into the page,
  # pinned the same way.
  axe="tests/icb_service/browser/axe"
  axe_stamp="$axe/node_modules/.installed-$(sha1sum "$axe/package-lock.json" | cut -c1-12)"
  if [ ! -f "$axe_stamp" ]; then
    (cd "$axe" && npm ci --no-audit --no-fund --silent)
    touch "$axe_stamp"
  fi
fi

case "$mode" in
  run)
    if [ "$#" -eq 0 ]; then
      # The demo practice lives in a folder of its own, never beside a real practice's store.
      demo_dir="${GROUPCLINIC_DEMO_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/GroupClinic-demo}"
      # The demo holds only fictional people, so its key is a fixed, published one: the demo
      # then starts on any machine, with or without a desktop keyring. A real practice's key
      # is random and lives in the keyring.
      export GROUPCLINIC_DB_KEY="${GROUPCLINIC_DEMO_KEY:-34d5e2f58c04fa1eb561479d9af80690417d320ab4fc69322d7fa8950a91ee6f}"
      .venv/bin/groupclinic --data-dir "$demo_dir" demo
      exec .venv/bin/groupclinic --data-dir "$demo_dir" run
    fi
    exec .venv/bin/groupclinic "$@"
    ;;
  test)
    export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
    # NHS Digital's MESH sandbox, for the GP record delivery tests. It pins its own FastAPI, so it
    # gets a virtual environment of its own; the tests start it on 127.0.0.1.
    if [ ! -x .venv-mesh-sandbox/bin/uvicorn ]; then
      "$python" -m venv .venv-mesh-sandbox
      .venv-mesh-sandbox/bin/python -m pip install --quiet "mesh-sandbox>=1.0.137,<2"
    fi
    export GROUPCLINIC_MESH_SANDBOX="${GROUPCLINIC_MESH_SANDBOX:-$here/.venv-mesh-sandbox}"
    if [ -z "${GROUPCLINIC_TEST_POSTGRES_URL:-}" ]; then
      # One throwaway cluster per checkout, so two checkouts on one machine never share one.
      export GROUPCLINIC_PG_DIR="${GROUPCLINIC_PG_DIR:-/tmp/groupclinic-pg-$(id -u)-$(echo "$here" | sha1sum | cut -c1-8)}"
      eval "$(bash .ci/postgres.sh start)"
      trap 'bash .ci/postgres.sh stop >/dev/null 2>&1 || true' EXIT
    fi
    .venv/bin/python -m pytest "$@"
    ;;
  *)
    echo "usage: bash installers/from-source.sh run|test [ARGS...]" >&2
    exit 2
    ;;
esac
