#!/usr/bin/env bash
# Sets up the machine, builds Cocoon (plain and ASan/UBSan) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
status=0
# The plain build runs everything; the ASan/UBSan build runs the unit, guest
# and bench tests (the integration suite drives the plain binary).
dir=$(bash scripts/build.sh)
echo "== all tests in $dir"
(cd "$dir" && ctest --output-on-failure -j 2 --timeout 600) || status=1
dir=$(bash scripts/build.sh --asan)
echo "== unit and guest tests in $dir (ASan/UBSan)"
(cd "$dir" && ctest --output-on-failure -j 2 --timeout 600 -LE integration) || status=1
exit $status
