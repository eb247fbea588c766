#!/usr/bin/env bash
# install-deps.sh: installs, on Debian 12, whatever mmtutor needs to build,
# test and run that is not installed yet. Idempotent: when everything is
# present it only asks dpkg and returns. Run it as root (or with sudo at hand).
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build git
  # tests
  catch2 xvfb
  # Qt 6 (Debian 12 ships 6.4)
  qt6-base-dev qt6-declarative-dev qt6-declarative-dev-tools libgl-dev
  libqt6sql6-sqlite
  # the QML modules the application imports at run time
  qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-layouts
  qml6-module-qtquick-window qml6-module-qtquick-templates
  qml6-module-qtqml-workerscript qml6-module-qtquick-dialogs
  qml6-module-qtquick-shapes qml6-module-qttest qml6-module-qtqml-models
  # FileDialog's Qt Quick implementation lists folders with it
  qml6-module-qt-labs-folderlistmodel
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$package" 2>/dev/null || true)
  if [ "${status:0:2}" != "ii" ]; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps: apt-get not found; install these by hand: ${missing[*]}" >&2
  exit 1
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    echo "install-deps: missing ${missing[*]}; run this script as root" >&2
    exit 1
  fi
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
  "${missing[@]}" </dev/null
