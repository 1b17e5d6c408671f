#!/usr/bin/env bash
# Sets up the machine, builds Cocoon (plain and ASan/UBSan) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
status=0
for variant in "" --asan; do
  dir=$(bash scripts/build.sh $variant)
  echo "== tests in $dir"
  (cd "$dir" && ctest --output-on-failure -j 2 --timeout 600) || status=1
done
exit $status
