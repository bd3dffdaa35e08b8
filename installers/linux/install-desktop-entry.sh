#!/bin/sh
# Add (or, with --remove, take away) GroupClinic's menu entry and icon for this user, or for
# every user when run as root. Run it from the unpacked bundle folder; it copies nothing else.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
if [ "$(id -u)" -eq 0 ]; then
  apps=/usr/local/share/applications
  icons=/usr/local/share/icons/hicolor
else
  apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
  icons="${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor"
fi
if [ "${1:-}" = "--remove" ]; then
  rm -f "$apps/groupclinic.desktop" "$icons/256x256/apps/groupclinic.png" \
    "$icons/scalable/apps/groupclinic.svg"
  echo "Removed the GroupClinic menu entry."
  exit 0
fi
mkdir -p "$apps" "$icons/256x256/apps" "$icons/scalable/apps"
cp "$here/groupclinic.png" "$icons/256x256/apps/groupclinic.png"
cp "$here/groupclinic.svg" "$icons/scalable/apps/groupclinic.svg"
sed -e "s|^Exec=.*|Exec=\"$here/groupclinic\"|" -e "s|^TryExec=.*|TryExec=$here/groupclinic|" \
  "$here/groupclinic.desktop" >"$apps/groupclinic.desktop"
chmod 0644 "$apps/groupclinic.desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$apps" || true
echo "Added the GroupClinic menu entry ($apps/groupclinic.desktop)."
