#!/usr/bin/env bash
# test.sh: installs what is missing, builds the dev preset and runs every test
# (core unit tests, scenarios through mmtutor-cli, the application smoke test).
# Exits non-zero if anything fails to build or any test fails.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

"$root/tools/install-deps.sh"
cmake --preset dev
cmake --build --preset dev
# The application test renders offscreen; nothing here needs a display.
export QT_QPA_PLATFORM=offscreen
ctest --preset dev
