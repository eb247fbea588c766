#!/bin/sh
# Rewrites expected/FILE.ERA.txt from what mmtutor-cli explore prints now, as
# the tests in CMakeLists.txt compare it (milliseconds left out, exit status
# as the last line). The reports quote kernel step sentences and page
# numbers from core/: after a change there, run this and review the diff.
#   tests/races/update-expected.sh [path/to/mmtutor-cli]
set -u
cd "$(dirname "$0")"
cli=${1:-../../build/dev/app/mmtutor-cli}
for file in r01_race3_b r04_race2_fork; do
  for era in a b c; do
    out=$("$cli" explore "$file.mmt" --era "$era" 2>&1; echo "exit $?")
    printf '%s\n' "$out" | sed -E 's/[(][0-9.e+-]+ ms[)]/(T ms)/' >"expected/$file.$era.txt"
  done
done
