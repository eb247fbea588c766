#!/usr/bin/env bash
# run.sh [ARGS...]: installs what is missing, builds the release preset and
# starts mmtutor with ARGS (for example: --screenshot out.png --size 1280x720).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

"$root/tools/install-deps.sh"
cmake --preset release
cmake --build --preset release

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  echo "run.sh: no display found (DISPLAY and WAYLAND_DISPLAY are unset);" \
       "running offscreen. Try: tools/run.sh --screenshot shot.png" >&2
  export QT_QPA_PLATFORM=offscreen
fi
exec "$root/build/release/app/mmtutor" "$@"
