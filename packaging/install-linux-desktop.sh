#!/usr/bin/env sh
# Add SCIM Setup Assistant to the Linux desktop's menu for the current user: the desktop entry, the
# AppStream metainfo and the icon in every size, under $XDG_DATA_HOME (default ~/.local/share).
#
#   packaging/install-linux-desktop.sh                      # after `pipx install .` (scim-assistant on PATH)
#   packaging/install-linux-desktop.sh dist/scim-assistant  # the standalone build: also links
#                                                           # ~/.local/bin/scim-assistant to it
#   packaging/install-linux-desktop.sh --uninstall
set -eu

here=$(cd "$(dirname "$0")" && pwd)
resources="$here/../resources"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
bin="$HOME/.local/bin"
id=org.scimassistant.ScimAssistant
sizes="16 24 32 48 64 128 256 512"

if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$data/applications/$id.desktop" "$data/metainfo/$id.metainfo.xml"
  for size in $sizes; do rm -f "$data/icons/hicolor/${size}x${size}/apps/scim-assistant.png"; done
  rm -f "$data/icons/hicolor/scalable/apps/scim-assistant.svg"
  if [ -L "$bin/scim-assistant" ]; then rm -f "$bin/scim-assistant"; fi
  exit 0
fi

if [ -n "${1:-}" ]; then
  bundle=$(cd "$1" && pwd)
  [ -x "$bundle/scim-assistant" ] || { echo "no scim-assistant executable in $bundle" >&2; exit 2; }
  resources="$bundle/_internal/app/resources"
  mkdir -p "$bin"
  ln -sfn "$bundle/scim-assistant" "$bin/scim-assistant"
fi

install -D -m 0644 "$resources/$id.desktop" "$data/applications/$id.desktop"
install -D -m 0644 "$resources/$id.metainfo.xml" "$data/metainfo/$id.metainfo.xml"
for size in $sizes; do
  install -D -m 0644 "$resources/icons/scim-assistant-$size.png" \
    "$data/icons/hicolor/${size}x${size}/apps/scim-assistant.png"
done
install -D -m 0644 "$resources/icons/scim-assistant.svg" "$data/icons/hicolor/scalable/apps/scim-assistant.svg"

# Refresh the caches where the tools exist; desktops also notice new files by themselves.
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$data/applications" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
command -v scim-assistant >/dev/null 2>&1 || echo "note: scim-assistant is not on PATH; the menu entry needs it there" >&2
echo "installed $id for $(id -un) under $data"
